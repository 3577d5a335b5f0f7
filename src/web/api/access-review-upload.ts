// Starts an access review from exports uploaded to the API: the files go to a private temporary folder for
// the collector (which reads files, streaming), the review is started, and the folder is removed whatever
// happens. Errors name the uploaded file and line, never the temporary folder.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Actor } from '../../app/actor.ts';
import type { Deps } from '../../app/ports.ts';
import { runAccessReview } from '../../app/run-access-review.ts';
import { collectAccessReview, type CollectFiles } from '../../collectors/access-review/collect.ts';
import { DEFAULT_POLICY, IDP_FORMATS, type IdpFormat } from '../../collectors/access-review/model.ts';
import { undecided, verdictsFor, type ReviewSummary } from '../../collectors/access-review/review.ts';
import { isIsoDate, toIsoDate } from '../../domain/dates.ts';
import { failure, success, type Result } from '../../domain/result.ts';

/** What `failOn` may name; the same words as `dspt collect access-review --fail-on`. */
export const FAIL_ON = ['leaver', 'mfa', 'dormant', 'unmatched', 'drift', 'training'] as const;
type FailOn = (typeof FAIL_ON)[number];

export const UPLOAD_FILE_FIELDS = ['idp', 'hr', 'mfa', 'training', 'matrix', 'mapping'] as const;
export const UPLOAD_VALUE_FIELDS = [
  'format',
  'at',
  'leaverDays',
  'dormantDays',
  'courses',
  'assetOwner',
  'failOn',
] as const;

export interface UploadedFile {
  name: string;
  bytes: Uint8Array;
}

export interface AccessReviewUpload {
  odsCode: string;
  files: Partial<Record<(typeof UPLOAD_FILE_FIELDS)[number], UploadedFile[]>>;
  values: Partial<Record<(typeof UPLOAD_VALUE_FIELDS)[number], string>>;
}

export interface StartedFromUpload {
  reviewId: string;
  effectiveDate: string;
  summary: ReviewSummary;
  inputs: { role: string; name: string; size: number; sha256: string }[];
  /** How the items stand before anyone has decided: what sign-off would give if nothing changed. */
  verdicts: ReturnType<typeof verdictsFor>;
  tasks: { number: number; reviewer: string; items: number; withFindings: number }[];
  /** The findings named in `failOn` that were found; a CI job fails its build when this is not empty. */
  failOn: string[];
}

/** The findings among `wanted` that the review found, in the words the CLI prints. */
export function failOnHits(s: ReviewSummary, wanted: readonly FailOn[]): string[] {
  const hits: string[] = [];
  const has = (kind: FailOn, n: number, text: string) => {
    if (wanted.includes(kind) && n > 0) hits.push(text);
  };
  has('leaver', s.found.leaver, `${s.found.leaver} leavers still enabled`);
  has('mfa', s.found['no-mfa'], `${s.found['no-mfa']} accounts without MFA`);
  has('dormant', s.found.dormant, `${s.found.dormant} dormant accounts`);
  has('unmatched', s.found.unmatchedMembers, `${s.found.unmatchedMembers} accounts match nobody in HR`);
  has('drift', s.found['role-drift'], `${s.found['role-drift']} accounts with role drift`);
  if (wanted.includes('training') && s.training && !s.training.met)
    hits.push(`training coverage ${s.training.percent ?? 0}% is below ${s.training.threshold}%`);
  return hits;
}

/** A file name that cannot leave its folder or surprise a shell: the base name, in safe characters. */
export function safeFileName(name: string, fallback: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '')
    .replace(/[^\w.() -]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(-120);
  return base === '' ? fallback : base;
}

function days(text: string | undefined, fallback: number, where: string): Result<number> {
  if (text === undefined) return success(fallback);
  const n = Number(text);
  return Number.isInteger(n) && n >= 0
    ? success(n)
    : failure('bad-input', `expected a whole number of days, found "${text}"`, where);
}

export async function startAccessReviewFromUpload(
  deps: Deps,
  actor: Actor,
  upload: AccessReviewUpload,
): Promise<Result<StartedFromUpload>> {
  const { files, values } = upload;
  const failOn = (values.failOn ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = failOn.filter((k) => !(FAIL_ON as readonly string[]).includes(k));
  if (unknown.length > 0)
    return failure(
      'bad-input',
      `unknown ${unknown.join(', ')}; expected some of ${FAIL_ON.join(', ')}`,
      'failOn',
    );
  if (values.format !== undefined && !(IDP_FORMATS as readonly string[]).includes(values.format))
    return failure(
      'bad-input',
      `unknown format "${values.format}"; expected one of ${IDP_FORMATS.join(', ')}`,
      'format',
    );
  const today = toIsoDate(deps.clock.now());
  const at = values.at ?? today;
  if (!isIsoDate(at)) return failure('bad-input', `"${at}" is not a date: expected YYYY-MM-DD`, 'at');
  if (at > today) return failure('bad-input', `the review date ${at} is in the future`, 'at');
  const leaverDays = days(values.leaverDays, DEFAULT_POLICY.leaverGraceDays, 'leaverDays');
  if (!leaverDays.ok) return leaverDays;
  const dormantDays = days(values.dormantDays, DEFAULT_POLICY.dormantDays, 'dormantDays');
  if (!dormantDays.ok) return dormantDays;
  for (const field of ['idp', 'hr'] as const)
    if ((files[field] ?? []).length !== 1)
      return failure(
        'bad-input',
        `expected one ${field === 'idp' ? 'identity-provider export' : 'HR export'} in the "${field}" field of a multipart form`,
        field,
      );
  for (const field of ['training', 'matrix', 'mapping'] as const)
    if ((files[field] ?? []).length > 1) return failure('bad-input', `expected at most one file`, field);

  // mkdtemp makes the folder readable by this user only (0700).
  const dir = await mkdtemp(path.join(tmpdir(), 'dspt-access-review-'));
  try {
    const used = new Set<string>();
    const place = async (folder: string, file: UploadedFile, field: string) => {
      let name = safeFileName(file.name, `${field}.upload`);
      if (used.has(path.join(folder, name))) name = `${field}-${used.size}-${name}`;
      used.add(path.join(folder, name));
      const target = path.join(folder, name);
      await writeFile(target, file.bytes, { mode: 0o600 });
      return target;
    };
    const paths: Partial<CollectFiles> = {};
    for (const field of ['idp', 'hr', 'training', 'matrix', 'mapping'] as const) {
      const [file] = files[field] ?? [];
      if (file) paths[field] = await place(dir, file, field);
    }
    const mfa = files.mfa ?? [];
    if (mfa.length === 1) paths.mfa = await place(dir, mfa[0]!, 'mfa');
    else if (mfa.length > 1) {
      // Several MFA files are Okta factors, one per user, named by user ID: the collector reads them as a folder.
      const folder = path.join(dir, 'mfa');
      await mkdir(folder, { mode: 0o700 });
      for (const f of mfa) await place(folder, f, 'mfa');
      paths.mfa = folder;
    }

    const collected = await collectAccessReview(paths as CollectFiles, {
      ...(values.format ? { format: values.format as IdpFormat } : {}),
      policy: {
        at,
        leaverGraceDays: leaverDays.value,
        dormantDays: dormantDays.value,
        trainingThreshold: DEFAULT_POLICY.trainingThreshold,
        courses: (values.courses ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      },
    });
    if (!collected.ok) {
      const hide = (text: string) => text.split(`${dir}${path.sep}`).join('');
      const { where, message, kind } = collected.error;
      return failure(kind, hide(message), where === undefined ? undefined : hide(where));
    }
    const started = await runAccessReview(deps, actor, {
      odsCode: upload.odsCode,
      collected: collected.value,
      ...(values.assetOwner ? { assetOwner: values.assetOwner } : {}),
    });
    if (!started.ok) return started;
    const { review, tasks } = started.value;
    return success({
      reviewId: review.id,
      effectiveDate: review.effectiveDate,
      summary: review.summary,
      inputs: review.inputs.map(({ role, name, size, sha256 }) => ({ role, name, size, sha256 })),
      verdicts: verdictsFor(review.summary, undecided(review.summary), false),
      tasks: tasks.map((t) => ({
        number: t.number,
        reviewer: t.reviewer,
        items: t.items,
        withFindings: t.withFindings,
      })),
      failOn: failOnHits(review.summary, failOn as FailOn[]),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
