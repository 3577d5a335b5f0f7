// `dspt collect access-review` (exports in, a review started) and `dspt review ...` (list, show, decide,
// sign off). Readable output by default, --json for machines; --fail-on turns findings into exit code 1 for CI.
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { decideReviewItem } from '../../app/decide-review-item.ts';
import { getAccessReview } from '../../app/get-access-review.ts';
import { listAccessReviews } from '../../app/list-access-reviews.ts';
import { runAccessReview } from '../../app/run-access-review.ts';
import { signOffAccessReview } from '../../app/sign-off-access-review.ts';
import type { Analysis } from '../../collectors/access-review/analyse.ts';
import { collectAccessReview } from '../../collectors/access-review/collect.ts';
import { DEFAULT_MAX_INPUT_BYTES } from '../../collectors/access-review/input-file.ts';
import { DEFAULT_POLICY, IDP_FORMATS, type IdpFormat } from '../../collectors/access-review/model.ts';
import { summarise, undecided, verdictsFor, type Decision } from '../../collectors/access-review/review.ts';
import { isIsoDate, toIsoDate } from '../../domain/dates.ts';
import { Exit, EXIT, type CommandContext, type CommandModule } from '../main.ts';

const FAIL_ON = ['leaver', 'mfa', 'dormant', 'unmatched', 'drift', 'training'] as const;
type FailOn = (typeof FAIL_ON)[number];

interface CollectOptions {
  org: string;
  idp: string;
  hr: string;
  mfa?: string;
  training?: string;
  matrix?: string;
  mapping?: string;
  format?: string;
  at?: string;
  leaverDays: string;
  dormantDays: string;
  courses?: string;
  assetOwner?: string;
  dryRun?: boolean;
  json?: boolean;
  failOn?: string;
}

function whole(text: string, where: string, ctx: CommandContext): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    ctx.fail({ kind: 'bad-input', where, message: `expected a whole number of days, found "${text}"` });
  return n;
}

function failures(analysis: Analysis, wanted: FailOn[]): string[] {
  const hits: string[] = [];
  const has = (kind: FailOn, n: number, text: string) => {
    if (wanted.includes(kind) && n > 0) hits.push(text);
  };
  const f = analysis.found;
  has('leaver', f.leavers, `${f.leavers} leavers still enabled`);
  has('mfa', f.noMfa, `${f.noMfa} accounts without MFA`);
  has('dormant', f.dormant, `${f.dormant} dormant accounts`);
  has('unmatched', f.unmatchedMembers, `${f.unmatchedMembers} accounts match nobody in HR`);
  has('drift', f.roleDrift, `${f.roleDrift} accounts with role drift`);
  if (wanted.includes('training') && analysis.training && !analysis.training.met)
    hits.push(
      `training coverage ${analysis.training.percent ?? 0}% is below ${analysis.training.threshold}%`,
    );
  return hits;
}

function describe(analysis: Analysis): string[] {
  const c = analysis.counts;
  const f = analysis.found;
  const nd = analysis.notDeterminable;
  const cov = (
    x: { percent: number | null; covered: number; of: number; unknown: number } | null,
    why?: string,
  ) =>
    x === null
      ? (why ?? 'not determinable from this source')
      : `${x.percent ?? 0}% (${x.covered} of ${x.of}${x.unknown ? `; no data for ${x.unknown}` : ''})`;
  const lines = [
    `Read ${c.accounts} accounts (${analysis.source.format}), ${c.enabled} enabled: ${c.members} staff, ${c.guests} guests, ${c.service} service.`,
    `HR: ${c.hrRecords} people, ${c.activeStaff} working here on ${analysis.at}; matched ${c.matchedByEmployeeNumber} accounts by employee number and ${c.matchedByEmail} by e-mail.`,
    `Leavers still enabled (more than ${analysis.policy.leaverGraceDays} days after leaving): ${f.leavers}; already disabled: ${c.leaversDisabled}.`,
    `No HR match: ${f.unmatchedMembers} staff-type, ${f.unmatchedGuests} guests, ${f.unmatchedService} service accounts.`,
    `Dormant (${analysis.policy.dormantDays} days): ${nd.dormant ?? f.dormant}.`,
    `Without MFA: ${nd['no-mfa'] ?? `${f.noMfa} (${f.noMfaPrivileged} privileged)`}.`,
    `MFA coverage: all ${cov(analysis.mfa.all, nd['no-mfa'])}; privileged ${cov(analysis.mfa.privileged, nd.privileged ?? nd['no-mfa'])}.`,
  ];
  if (nd['role-drift'] || f.roleDrift > 0) lines.push(`Role drift: ${nd['role-drift'] ?? f.roleDrift}.`);
  lines.push(
    analysis.training === null
      ? 'Training: no training export given.'
      : `Training: ${analysis.training.percent ?? 0}% of ${analysis.training.of} active staff in the 12 months to ${analysis.at} (threshold ${analysis.training.threshold}%): ${analysis.training.met ? 'met' : 'NOT met'}.`,
  );
  return lines;
}

export const accessReviewCommands: CommandModule = (program: Command, ctx: CommandContext) => {
  const { io, actor, unwrap, fail, deps, json } = ctx;
  const collect =
    program.commands.find((c) => c.name() === 'collect') ??
    program.command('collect').description('run an evidence collector over exports from your systems');

  collect
    .command('access-review')
    .description(
      'review accounts from identity-provider and HR exports: leavers, dormant accounts, MFA, training',
    )
    .requiredOption('--org <ods>', 'ODS code of the organisation')
    .requiredOption('--idp <file>', 'identity-provider export (Entra, Okta, Google, SCIM JSON or CSV)')
    .requiredOption('--hr <file>', 'HR export CSV')
    .option(
      '--mfa <file>',
      'MFA export: Entra userRegistrationDetails, or Okta factors (a file, or a folder of per-user files)',
    )
    .option('--training <file>', 'training completions CSV')
    .option('--matrix <file>', 'role-to-group matrix CSV (role,group) for role drift')
    .option('--mapping <file>', 'column mapping for --format generic-csv (YAML or JSON)')
    .option(
      '--format <format>',
      `the identity export's format when it cannot be recognised: ${IDP_FORMATS.join(', ')}`,
    )
    .option('--at <date>', 'the date the exports describe (default: today)')
    .option(
      '--leaver-days <n>',
      'days after the leave date an account may stay enabled',
      String(DEFAULT_POLICY.leaverGraceDays),
    )
    .option(
      '--dormant-days <n>',
      'days without a successful sign-in before an account is dormant',
      String(DEFAULT_POLICY.dormantDays),
    )
    .option('--courses <names>', 'only these training courses count (separated by commas)')
    .option('--asset-owner <name>', 'who reviews the accounts no line manager answers for')
    .option('--dry-run', 'check and report, but start no review')
    .option('--fail-on <kinds>', `exit 1 when any of these are found: ${FAIL_ON.join(', ')}`)
    .option('--json', 'print JSON')
    .action(async (o: CollectOptions) => {
      const failOn = (o.failOn ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = failOn.filter((k) => !(FAIL_ON as readonly string[]).includes(k));
      if (unknown.length > 0)
        fail({
          kind: 'bad-input',
          where: '--fail-on',
          message: `unknown ${unknown.join(', ')}; expected some of ${FAIL_ON.join(', ')}`,
        });
      if (o.format !== undefined && !(IDP_FORMATS as readonly string[]).includes(o.format))
        fail({
          kind: 'bad-input',
          where: '--format',
          message: `unknown format "${o.format}"; expected one of ${IDP_FORMATS.join(', ')}`,
        });
      // A dry run reads the exports and reports: it needs no database, only today's date.
      const d = o.dryRun ? undefined : await deps();
      const at = o.at ?? toIsoDate(d ? d.clock.now() : (ctx.getConfig().now ?? new Date()));
      if (!isIsoDate(at))
        fail({ kind: 'bad-input', where: '--at', message: `"${at}" is not a date: expected YYYY-MM-DD` });
      const maxBytes = io.env.DSPT_MAX_COLLECTOR_BYTES
        ? Number(io.env.DSPT_MAX_COLLECTOR_BYTES)
        : DEFAULT_MAX_INPUT_BYTES;
      if (!Number.isFinite(maxBytes) || maxBytes <= 0)
        fail({
          kind: 'bad-input',
          where: 'DSPT_MAX_COLLECTOR_BYTES',
          message: 'expected a positive number of bytes',
        });

      // A bar only where a person is watching: never in CI logs or in tests.
      const bar =
        process.stderr.isTTY && !o.json
          ? new SingleBar({
              stream: process.stderr,
              format: 'Reading exports [{bar}] {percentage}% | {value}/{total} MB',
              hideCursor: true,
            })
          : undefined;
      let lastMb = -1;
      const collected = await collectAccessReview(
        {
          idp: o.idp,
          hr: o.hr,
          ...(o.mfa ? { mfa: o.mfa } : {}),
          ...(o.training ? { training: o.training } : {}),
          ...(o.matrix ? { matrix: o.matrix } : {}),
          ...(o.mapping ? { mapping: o.mapping } : {}),
        },
        {
          ...(o.format ? { format: o.format as IdpFormat } : {}),
          maxBytes,
          policy: {
            at,
            leaverGraceDays: whole(o.leaverDays, '--leaver-days', ctx),
            dormantDays: whole(o.dormantDays, '--dormant-days', ctx),
            trainingThreshold: DEFAULT_POLICY.trainingThreshold,
            courses: (o.courses ?? '')
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          },
          ...(bar
            ? {
                onProgress: (done: number, total: number) => {
                  const mb = Math.floor(done / 1e6);
                  if (mb === lastMb) return;
                  if (lastMb === -1) bar.start(Math.max(1, Math.ceil(total / 1e6)), 0);
                  lastMb = mb;
                  bar.update(mb);
                },
              }
            : {}),
        },
      );
      bar?.stop();
      const got = unwrap(collected);
      const { analysis } = got;
      const hits = failures(analysis, failOn as FailOn[]);
      const summary = summarise(analysis);
      const preview = verdictsFor(summary, undecided(summary), false);

      let started: Awaited<ReturnType<typeof runAccessReview>> | undefined;
      if (d)
        started = await runAccessReview(d, actor, {
          odsCode: o.org,
          collected: got,
          ...(o.assetOwner ? { assetOwner: o.assetOwner } : {}),
        });
      const review = started ? unwrap(started) : undefined;

      if (o.json)
        json({
          reviewId: review?.review.id ?? null,
          summary,
          inputs: got.inputs,
          verdicts: preview,
          tasks:
            review?.tasks.map((t) => ({
              number: t.number,
              reviewer: t.reviewer,
              items: t.items,
              withFindings: t.withFindings,
            })) ?? [],
          failOn: hits,
        });
      else {
        const lines = describe(analysis);
        lines.push('', 'Before review:');
        for (const v of preview) lines.push(`  ${v.targetId.padEnd(6)} ${v.verdict.padEnd(17)} ${v.summary}`);
        if (review) {
          lines.push(
            '',
            `Review ${review.review.id.slice(0, 8)} started with ${review.tasks.length} reviewer tasks:`,
          );
          for (const t of review.tasks.slice(0, 20))
            lines.push(
              `  task ${t.number}: ${t.reviewer}: ${t.items} accounts, ${t.withFindings} with findings`,
            );
          if (review.tasks.length > 20)
            lines.push(
              `  ... and ${review.tasks.length - 20} more ("dspt review show ${o.org.toUpperCase()}")`,
            );
          lines.push(
            '',
            `Next: npx dspt review show ${o.org.toUpperCase()} --findings, then npx dspt review decide ${o.org.toUpperCase()} <account> --remove --why "..."`,
          );
        } else lines.push('', 'Dry run: no review was started.');
        io.out(lines.join('\n'));
      }
      if (hits.length > 0) {
        io.err(`Found: ${hits.join('; ')}.`);
        throw new Exit(EXIT.checkFailed);
      }
    });

  const review = program.command('review').description('access reviews: list, show, decide and sign off');

  review
    .command('list')
    .argument('<ods>', 'ODS code')
    .option('--json', 'print JSON')
    .action(async (ods: string, o: { json?: boolean }) => {
      const reviews = unwrap(await listAccessReviews(await deps(), actor, { odsCode: ods }));
      if (o.json) return json(reviews);
      if (reviews.length === 0)
        return io.out(
          `No access reviews yet. Start one: npx dspt collect access-review --org ${ods.toUpperCase()} --idp <file> --hr <file>`,
        );
      const lines: string[] = [];
      for (const { review: r, tasks } of reviews) {
        const items = tasks.reduce((n, t) => n + t.items, 0);
        const decided = tasks.reduce((n, t) => n + t.decided, 0);
        lines.push(
          `${r.id.slice(0, 8)}  ${r.effectiveDate}  ${r.status === 'open' ? 'open' : `signed off by ${r.signedOffBy}`}  ${decided} of ${items} accounts decided`,
        );
        for (const t of tasks)
          lines.push(
            `    task ${t.number}: ${t.reviewer}: ${t.decided} of ${t.items} decided, ${t.withFindings} with findings`,
          );
      }
      io.out(lines.join('\n'));
    });

  review
    .command('show')
    .argument('<ods>', 'ODS code')
    .argument('[review]', 'review ID or its start (default: the newest open review)')
    .option('--task <n>', 'only this task')
    .option('--findings', 'only accounts with findings')
    .option('--json', 'print JSON')
    .action(
      async (
        ods: string,
        ref: string | undefined,
        o: { task?: string; findings?: boolean; json?: boolean },
      ) => {
        const task = o.task === undefined ? undefined : whole(o.task, '--task', ctx);
        const detail = unwrap(
          await getAccessReview(await deps(), actor, {
            odsCode: ods,
            ...(ref ? { review: ref } : {}),
            ...(task !== undefined ? { task } : {}),
            findingsOnly: o.findings ?? false,
          }),
        );
        if (o.json) return json(detail);
        const numbers = new Map(detail.tasks.map((t) => [t.id, t]));
        const lines = [
          `Review ${detail.review.id.slice(0, 8)} of ${detail.review.effectiveDate} (${detail.review.status}).`,
        ];
        let current = '';
        for (const i of detail.items) {
          if (i.taskId !== current) {
            current = i.taskId;
            const t = numbers.get(i.taskId)!;
            lines.push('', `Task ${t.number}: ${t.reviewer}`);
          }
          const findings = i.findings.map((f) => `${f.kind}: ${f.detail}`).join('; ');
          lines.push(
            `  ${i.login}${i.privileged ? ' (privileged)' : ''}  recommend ${i.recommendation}${i.decision ? `, decided ${i.decision}` : ''}${findings ? `  [${findings}]` : ''}`,
          );
        }
        if (detail.items.length === 0) lines.push('No accounts to show.');
        io.out(lines.join('\n'));
      },
    );

  review
    .command('decide')
    .description('decide an account (login or ID), or every undecided account of a task recommended the same')
    .argument('<ods>', 'ODS code')
    .argument('<task-or-account>', 'a task number, or an account login or ID')
    .option('--keep', 'keep the access')
    .option('--remove', 'remove the access')
    .option('--change', 'change the access (groups, MFA)')
    .requiredOption('--why <text>', 'the justification')
    .option('--review <id>', 'review ID or its start (default: the newest open review)')
    .option('--json', 'print JSON')
    .action(
      async (
        ods: string,
        target: string,
        o: {
          keep?: boolean;
          remove?: boolean;
          change?: boolean;
          why: string;
          review?: string;
          json?: boolean;
        },
      ) => {
        const chosen = (['keep', 'remove', 'change'] as const).filter((k) => o[k]);
        if (chosen.length !== 1)
          fail({
            kind: 'bad-input',
            where: target,
            message: 'expected exactly one of --keep, --remove or --change',
          });
        const decided = unwrap(
          await decideReviewItem(await deps(), actor, {
            odsCode: ods,
            target,
            decision: chosen[0] as Decision,
            justification: o.why,
            ...(o.review ? { review: o.review } : {}),
          }),
        );
        if (o.json) return json(decided);
        io.out(
          decided.decided.length === 1
            ? `Decided ${chosen[0]} for ${decided.decided[0]!.login}.`
            : `Decided ${chosen[0]} for ${decided.decided.length} accounts.`,
        );
      },
    );

  review
    .command('sign-off')
    .description(
      'sign off a review once every account is decided: it becomes dated evidence for the assessment',
    )
    .argument('<ods>', 'ODS code')
    .argument('[review]', 'review ID or its start (default: the newest open review)')
    .requiredOption('--reviewer <name>', 'the name of the person signing off')
    .option('--json', 'print JSON')
    .action(async (ods: string, ref: string | undefined, o: { reviewer: string; json?: boolean }) => {
      const signed = unwrap(
        await signOffAccessReview(await deps(), actor, {
          odsCode: ods,
          reviewer: o.reviewer,
          ...(ref ? { review: ref } : {}),
        }),
      );
      if (o.json) return json(signed);
      const lines = [
        `Review ${signed.review.id.slice(0, 8)} signed off by ${o.reviewer}; recorded as evidence dated ${signed.review.effectiveDate}.`,
      ];
      for (const v of signed.verdicts)
        lines.push(`  ${v.targetId.padEnd(6)} ${v.verdict.padEnd(17)} ${v.summary}`);
      lines.push(
        signed.recorded.linked.length > 0
          ? `Linked to ${signed.recorded.linked.join(', ')}.`
          : 'Linked to no item: nothing it evidences applies to this organisation.',
      );
      io.out(lines.join('\n'));
    });
};
