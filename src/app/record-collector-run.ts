// Records a collector run as dated evidence: the JSON and HTML reports are stored encrypted, and linked to
// the evidence items (or CAF outcomes) the run supports, so the assessment shows them as evidenced with the
// run's effective date. Used by every collector once its run is final (for access reviews, at sign-off).
import { randomUUID } from 'node:crypto';
import type { IsoDate } from '../domain/assessment.ts';
import { canonicalJsonParts } from '../domain/canonical-json.ts';
import { isIsoDate, toIsoDate } from '../domain/dates.ts';
import { failure, success, type Result } from '../domain/result.ts';
import { actorName, type Actor } from './actor.ts';
import { assessmentFor, trackOf } from './assessment-context.ts';
import { findOrganisation } from './find-organisation.ts';
import type { CollectorInput, CollectorRunRecord, CollectorVerdict, Deps, EvidenceRecord } from './ports.ts';

export const COLLECTOR_KINDS = {
  'access-review': 'Access review',
  vulnerabilities: 'Vulnerability and patching scan',
  'data-map': 'Data-flow map and asset register',
  'dr-test': 'Disaster-recovery test',
} as const;

export type CollectorKind = keyof typeof COLLECTOR_KINDS;

export interface RecordCollectorRunInput {
  odsCode: string;
  kind: CollectorKind;
  effectiveDate: IsoDate;
  inputs: CollectorInput[];
  metrics: Record<string, number>;
  verdicts: CollectorVerdict[];
  summary: string;
  report: unknown;
  reportHtml: string;
}

export interface RecordedCollectorRun {
  run: CollectorRunRecord;
  /** The items and outcomes the reports were linked to. */
  linked: string[];
}

export async function recordCollectorRun(
  deps: Deps,
  actor: Actor,
  input: RecordCollectorRunInput,
): Promise<Result<RecordedCollectorRun>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'answer');
  if (!found.ok) return found;
  const org = found.value;
  if (!(input.kind in COLLECTOR_KINDS))
    return failure(
      'bad-input',
      `unknown collector "${String(input.kind)}"; expected one of ${Object.keys(COLLECTOR_KINDS).join(', ')}`,
      'kind',
    );
  const today = toIsoDate(deps.clock.now());
  if (!isIsoDate(input.effectiveDate))
    return failure('bad-input', `"${input.effectiveDate}" is not a date: expected YYYY-MM-DD`, '--at');
  if (input.effectiveDate > today)
    return failure('bad-input', `the effective date ${input.effectiveDate} is in the future`, '--at');

  // Link only where the catalogue says this kind of collector can evidence the item, for this organisation.
  const category = trackOf(deps, org);
  const applicable = new Set(
    category.track === 'caf'
      ? deps.catalogue.outcomes.keys()
      : deps.catalogue
          .itemsFor(category.id)
          .filter((a) => a.item.collectors.includes(input.kind))
          .map((a) => a.item.id),
  );
  const linked = [
    ...new Set(
      input.verdicts
        .filter((v) => v.verdict === 'supports' && applicable.has(v.targetId))
        .map((v) => v.targetId),
    ),
  ];

  const label = COLLECTOR_KINDS[input.kind];
  const json = utf8Of([...canonicalJsonParts(input.report), '\n']);
  const html = new TextEncoder().encode(input.reportHtml);
  const [jsonBlob, htmlBlob] = await Promise.all([deps.blobs.put(json), deps.blobs.put(html)]);
  const now = deps.clock.now().toISOString();
  const evidenceOf = (blob: typeof jsonBlob, ext: 'json' | 'html', mediaType: string): EvidenceRecord => ({
    id: randomUUID(),
    organisationId: org.id,
    kind: 'collector-run',
    title: `${label}, ${input.effectiveDate} (${ext === 'json' ? 'data' : 'report'})`,
    fileName: `${input.kind}-${input.effectiveDate}.${ext}`,
    mediaType,
    size: blob.size,
    sha256: blob.sha256,
    effectiveDate: input.effectiveDate,
    storageKey: blob.storageKey,
    createdBy: actorName(actor),
    createdAt: now,
  });
  const report = evidenceOf(jsonBlob, 'json', 'application/json');
  const page = evidenceOf(htmlBlob, 'html', 'text/html');
  const run: CollectorRunRecord = {
    id: randomUUID(),
    organisationId: org.id,
    kind: input.kind,
    effectiveDate: input.effectiveDate,
    inputs: input.inputs,
    metrics: input.metrics,
    verdicts: input.verdicts,
    summary: input.summary,
    reportEvidenceId: report.id,
    htmlEvidenceId: page.id,
    createdBy: actorName(actor),
    createdAt: now,
  };

  return deps.store.transaction(async (tx) => {
    const assessment = await assessmentFor(tx, deps, org);
    await tx.evidence.insert(report);
    await tx.evidence.insert(page);
    for (const targetId of linked) {
      await tx.evidence.link({ evidenceId: report.id, assessmentId: assessment.id, itemId: targetId });
      await tx.evidence.link({ evidenceId: page.id, assessmentId: assessment.id, itemId: targetId });
    }
    await tx.collectorRuns.insert(run);
    await tx.audit.append({
      actor: actorName(actor),
      action: 'collector-run.recorded',
      organisationId: org.id,
      subject: `${org.odsCode} ${input.kind} ${input.effectiveDate}`,
      details: {
        runId: run.id,
        inputs: input.inputs,
        metrics: input.metrics,
        linked,
        reportSha256: report.sha256,
      },
    });
    return success({ run, linked });
  });
}

/**
 * The UTF-8 bytes of the parts, one after another, written straight into one array: a report of tens of
 * megabytes is not first copied into one string, then encoded into a second array.
 */
function utf8Of(parts: readonly string[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += Buffer.byteLength(part, 'utf8');
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  for (const part of parts) at += bytes.write(part, at, 'utf8');
  return bytes;
}
