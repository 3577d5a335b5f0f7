// The reviewer's sign-off: once every account has a decision, the review becomes dated evidence through
// recordCollectorRun (the JSON record and the HTML report, linked to the items and outcomes it supports),
// and the review is closed, all in one transaction.
import { outstanding, verdictsFor, metricsOf, type Decision } from '../collectors/access-review/review.ts';
import { reviewReportHtml, reviewReportJson, type ReportInput } from '../collectors/access-review/report.ts';
import { failure, success, type Result } from '../domain/result.ts';
import type { AccessReviewRecord } from './access-review-ports.ts';
import { actorName, type Actor } from './actor.ts';
import { findAccessReview } from './find-access-review.ts';
import { findOrganisation } from './find-organisation.ts';
import type { CollectorVerdict, Deps } from './ports.ts';
import { recordCollectorRun, type RecordedCollectorRun } from './record-collector-run.ts';

export interface SignOffInput {
  odsCode: string;
  /** The review ID or its start; the newest open review when absent. */
  review?: string;
  /** The person signing: the information asset owner or the reviewer who answers for the review. */
  reviewer: string;
}

export interface SignedOffReview {
  review: AccessReviewRecord;
  recorded: RecordedCollectorRun;
  verdicts: CollectorVerdict[];
}

export async function signOffAccessReview(
  deps: Deps,
  actor: Actor,
  input: SignOffInput,
): Promise<Result<SignedOffReview>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'answer');
  if (!found.ok) return found;
  const org = found.value;
  const reviewer = input.reviewer.trim();
  if (reviewer === '') return failure('bad-input', 'name the person signing off (--reviewer)', 'reviewer');
  const located = await findAccessReview(deps.store, org, input.review);
  if (!located.ok) return located;
  const review = located.value;
  if (review.status !== 'open')
    return failure(
      'refused',
      `review ${review.id.slice(0, 8)} was already signed off by ${review.signedOffBy}`,
      'review',
    );

  const tasks = await deps.store.accessReviews.tasks(review.id);
  const items = await deps.store.accessReviews.items(review.id);
  const numberOf = new Map(tasks.map((t) => [t.id, t.number]));
  const undecided = new Map<number, number>();
  for (const i of items)
    if (i.decision === null)
      undecided.set(numberOf.get(i.taskId)!, (undecided.get(numberOf.get(i.taskId)!) ?? 0) + 1);
  if (undecided.size > 0) {
    const total = [...undecided.values()].reduce((a, b) => a + b, 0);
    return failure(
      'refused',
      `${total} accounts have no decision yet (${[...undecided]
        .sort((a, b) => a[0] - b[0])
        .map(([t, n]) => `task ${t}: ${n}`)
        .join(', ')}); decide them with "dspt review decide" first`,
      `review ${review.id.slice(0, 8)}`,
    );
  }

  const left = outstanding(
    items.map((i) => ({
      findings: i.findings,
      kind: i.accountKind,
      privileged: i.privileged,
      decision: i.decision,
    })),
  );
  const verdicts = verdictsFor(review.summary, left, true);
  const decisions: Record<Decision, number> = { keep: 0, remove: 0, change: 0 };
  const perTask = new Map<string, number>();
  for (const i of items) {
    decisions[i.decision!]++;
    perTask.set(i.taskId, (perTask.get(i.taskId) ?? 0) + 1);
  }
  const signedOffAt = deps.clock.now().toISOString();
  const report: ReportInput = {
    reviewId: review.id,
    organisation: { odsCode: org.odsCode, name: org.name },
    summary: review.summary,
    inputs: review.inputs,
    // Every item is decided by now, so a task's decided count is its item count.
    tasks: tasks.map((t) => ({
      number: t.number,
      reviewer: t.reviewer,
      items: perTask.get(t.id) ?? 0,
      decided: perTask.get(t.id) ?? 0,
    })),
    items: items
      .filter((i) => i.findings.length > 0 || i.decision !== i.recommendation)
      .map((i) => ({
        task: numberOf.get(i.taskId)!,
        login: i.login,
        displayName: i.displayName,
        kind: i.accountKind,
        privileged: i.privileged,
        hrName: i.hrName,
        findings: i.findings,
        recommendation: i.recommendation,
        decision: i.decision,
        justification: i.justification,
        decidedBy: i.decidedBy,
        decidedAt: i.decidedAt,
      })),
    decisions,
    outstanding: left,
    verdicts,
    signedOffBy: reviewer,
    signedOffAt,
  };
  const c = review.summary.counts;
  const f = review.summary.found;

  return deps.store.transaction(async (tx) => {
    const recorded = await recordCollectorRun({ ...deps, store: tx }, actor, {
      odsCode: org.odsCode,
      kind: 'access-review',
      effectiveDate: review.effectiveDate,
      inputs: review.inputs.map(({ name, size, sha256 }) => ({ name, size, sha256 })),
      metrics: metricsOf(review.summary, left),
      verdicts,
      summary: `${c.enabled} enabled accounts reviewed and signed off by ${reviewer}: ${f.leaver} leavers, ${f.dormant} dormant, ${f['no-mfa']} without MFA; ${decisions.remove} to remove, ${decisions.change} to change`,
      report: reviewReportJson(report),
      reportHtml: reviewReportHtml(report),
    });
    if (!recorded.ok) return recorded;
    await tx.accessReviews.signOff(review.id, reviewer, signedOffAt, recorded.value.run.id);
    await tx.audit.append({
      actor: actorName(actor),
      action: 'access-review.signed-off',
      organisationId: org.id,
      subject: `${org.odsCode} access review ${review.effectiveDate}`,
      details: {
        reviewId: review.id,
        reviewer,
        runId: recorded.value.run.id,
        decisions,
        linked: recorded.value.linked,
      },
    });
    return success({
      review: {
        ...review,
        status: 'signed-off' as const,
        signedOffBy: reviewer,
        signedOffAt,
        collectorRunId: recorded.value.run.id,
      },
      recorded: recorded.value,
      verdicts,
    });
  });
}
