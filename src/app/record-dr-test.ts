// Records a disaster-recovery test: the test itself, and a `dr-test` collector run whose report is evidence for
// the continuity items (7.1.2, 7.2.1, 7.3.x and their equivalents; CAF B5.c and D1.c).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { toIsoDate, isIsoDate } from '../domain/dates.ts';
import {
  checkDrTest,
  DR_TEST_OUTCOMES,
  DR_TEST_RESULTS,
  DR_TEST_TYPES,
  formatDuration,
  type DrTest,
  type DrTestCheck,
} from '../domain/dr-test.ts';
import { failure, success, type Result } from '../domain/result.ts';
import { actorName, type Actor } from './actor.ts';
import type { DrTestRecord } from './dr-test-ports.ts';
import { findOrganisation } from './find-organisation.ts';
import type { CollectorVerdict, Deps } from './ports.ts';
import { recordCollectorRun } from './record-collector-run.ts';

const isoDate = z.string().refine(isIsoDate, 'expected a date, YYYY-MM-DD');
const seconds = z.number().finite().nonnegative();

const drTestSchema = z.object({
  type: z.enum(DR_TEST_TYPES),
  scenario: z.string().trim().min(1, 'describe the scenario tested'),
  systems: z.array(z.string().trim().min(1)).min(1, 'name at least one system'),
  testedOn: isoDate,
  rtoTargetSeconds: seconds,
  rtoMeasuredSeconds: seconds.nullable(),
  rpoTargetSeconds: seconds,
  rpoMeasuredSeconds: seconds.nullable(),
  integrityConfirmed: z.boolean(),
  result: z.enum(DR_TEST_RESULTS),
  actions: z.array(
    z.object({ action: z.string().trim().min(1), owner: z.string().trim().min(1), due: isoDate }),
  ),
  approvedBy: z.string().trim().min(1).nullable(),
  notes: z.string().nullable(),
});

export interface RecordDrTestInput {
  odsCode: string;
  test: DrTest;
}

export async function recordDrTest(
  deps: Deps,
  actor: Actor,
  input: RecordDrTestInput,
): Promise<Result<{ test: DrTestRecord; check: DrTestCheck; linked: string[] }>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'answer');
  if (!found.ok) return found;
  const org = found.value;
  const parsed = drTestSchema.safeParse(input.test);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return failure('bad-input', issue.message, `DR test ${issue.path.join('.') || '(record)'}`);
  }
  const test: DrTest = parsed.data;
  if (test.testedOn > toIsoDate(deps.clock.now()))
    return failure('bad-input', `the test date ${test.testedOn} is in the future`, 'DR test testedOn');
  if (test.result === 'pass-with-conditions' && test.actions.length === 0)
    return failure('bad-input', 'a pass with conditions needs the actions that meet them', 'DR test actions');

  const check = checkDrTest(test);
  const targets = [
    ...[...deps.catalogue.items.values()].filter((i) => i.collectors.includes('dr-test')).map((i) => i.id),
    ...DR_TEST_OUTCOMES.filter((id) => deps.catalogue.outcomes.has(id)),
  ];
  const summary = `${test.type} test on ${test.testedOn} of ${test.systems.join(', ')}: ${check.passed ? 'passed' : `failed (${check.problems.join('; ')})`}`;
  // Only a passing test supports the continuity items, and record-collector-run links only what a run
  // supports. A failed test therefore leaves no evidence date behind: until a passing retest is recorded, the
  // status sees only the last passing test, and when that is older than 12 months (or there is none) the items
  // fail their freshness rule. A failure after a pass that is still within 12 months does not undo that pass,
  // because links are never removed; `dspt dr list` shows the open failure and when its retest is due.
  const verdicts: CollectorVerdict[] = targets.map((targetId) => ({
    targetId,
    verdict: check.passed ? 'supports' : 'gap',
    summary,
  }));
  const id = randomUUID();
  const report = {
    format: 'opendspt-dr-test',
    version: 1,
    organisation: org.odsCode,
    id,
    ...test,
    check,
  };

  return deps.store.transaction(async (tx) => {
    const recorded = await recordCollectorRun({ ...deps, store: tx }, actor, {
      odsCode: org.odsCode,
      kind: 'dr-test',
      effectiveDate: test.testedOn,
      inputs: [],
      metrics: {
        rtoTargetSeconds: test.rtoTargetSeconds,
        rpoTargetSeconds: test.rpoTargetSeconds,
        ...(test.rtoMeasuredSeconds !== null ? { rtoMeasuredSeconds: test.rtoMeasuredSeconds } : {}),
        ...(test.rpoMeasuredSeconds !== null ? { rpoMeasuredSeconds: test.rpoMeasuredSeconds } : {}),
        passed: check.passed ? 1 : 0,
      },
      verdicts,
      summary,
      report,
      reportHtml: drTestHtml(org.odsCode, test, check),
    });
    if (!recorded.ok) return recorded;
    const record: DrTestRecord = {
      ...test,
      id,
      organisationId: org.id,
      passed: check.passed,
      collectorRunId: recorded.value.run.id,
      createdBy: actorName(actor),
      createdAt: deps.clock.now().toISOString(),
    };
    await tx.drTests.insert(record);
    await tx.audit.append({
      actor: actorName(actor),
      action: 'dr-test.recorded',
      organisationId: org.id,
      subject: `${org.odsCode} DR test ${test.testedOn}`,
      details: { testId: id, type: test.type, result: check.effectiveResult, problems: check.problems },
    });
    return success({ test: record, check, linked: recorded.value.linked });
  });
}

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function drTestHtml(ods: string, test: DrTest, check: DrTestCheck): string {
  const objective = (name: string, target: number, measured: number | null, met: boolean | null) =>
    `<tr><th>${name}</th><td>${formatDuration(target)}</td><td>${measured === null ? 'not measured' : formatDuration(measured)}</td><td>${met === null ? 'n/a' : met ? 'met' : '<strong>missed</strong>'}</td></tr>`;
  return `<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Disaster-recovery test: ${escape(ods)}, ${escape(test.testedOn)}</title>
<style>body { font-family: Arial, sans-serif; margin: 2em; } table { border-collapse: collapse; } th, td { border: 1px solid #d8dde0; padding: 4px 8px; text-align: left; }</style></head>
<body>
<h1>Disaster-recovery test, ${escape(test.testedOn)}</h1>
<p>Organisation ${escape(ods)}. A ${escape(test.type)} test of ${escape(test.systems.join(', '))}.</p>
<p>Scenario: ${escape(test.scenario)}</p>
<h2>Result: ${check.passed ? 'passed' : 'failed'}${check.effectiveResult === 'pass-with-conditions' ? ' with conditions' : ''}</h2>
${check.problems.length > 0 ? `<ul>${check.problems.map((p) => `<li>${escape(p)}</li>`).join('')}</ul>` : ''}
<table><thead><tr><th>Objective</th><th>Target</th><th>Measured</th><th></th></tr></thead><tbody>
${objective('Recovery time (RTO)', test.rtoTargetSeconds, test.rtoMeasuredSeconds, check.rtoMet)}
${objective('Recovery point (RPO)', test.rpoTargetSeconds, test.rpoMeasuredSeconds, check.rpoMet)}
</tbody></table>
<p>Data integrity ${test.integrityConfirmed ? 'confirmed' : '<strong>not confirmed</strong>'}. Approved by ${escape(test.approvedBy ?? 'nobody yet')}.</p>
<h2>Actions</h2>
<ul>${test.actions.map((a) => `<li>${escape(a.action)} (${escape(a.owner)}, by ${escape(a.due)})</li>`).join('') || '<li>none</li>'}</ul>
${test.notes ? `<h2>Notes</h2><p>${escape(test.notes)}</p>` : ''}
</body>
</html>
`;
}
