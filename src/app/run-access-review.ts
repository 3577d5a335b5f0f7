// Starts an access review from a collector run's analysis: one task per reviewer, one item per enabled
// account with its findings and recommendation. Nothing is evidence yet: that happens at sign-off.
import { randomUUID } from 'node:crypto';
import type { Collected } from '../collectors/access-review/collect.ts';
import { planReview, summarise, DEFAULT_ASSET_OWNER } from '../collectors/access-review/review.ts';
import { isIsoDate, toIsoDate } from '../domain/dates.ts';
import { failure, success, type Result } from '../domain/result.ts';
import type {
  AccessReviewItemRecord,
  AccessReviewRecord,
  AccessReviewTaskRecord,
} from './access-review-ports.ts';
import { actorName, type Actor } from './actor.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps } from './ports.ts';

export interface RunAccessReviewInput {
  odsCode: string;
  collected: Collected;
  /** Reviews the accounts no line manager answers for; a generic title when absent. */
  assetOwner?: string;
}

export interface StartedAccessReview {
  review: AccessReviewRecord;
  tasks: (AccessReviewTaskRecord & { items: number; withFindings: number })[];
}

export async function runAccessReview(
  deps: Deps,
  actor: Actor,
  input: RunAccessReviewInput,
): Promise<Result<StartedAccessReview>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'answer');
  if (!found.ok) return found;
  const org = found.value;
  const { analysis, hr, inputs } = input.collected;
  if (!isIsoDate(analysis.at))
    return failure('bad-input', `"${analysis.at}" is not a date: expected YYYY-MM-DD`, '--at');
  if (analysis.at > toIsoDate(deps.clock.now()))
    return failure('bad-input', `the review date ${analysis.at} is in the future`, '--at');
  const assetOwner = input.assetOwner?.trim() || DEFAULT_ASSET_OWNER;

  const now = deps.clock.now().toISOString();
  const review: AccessReviewRecord = {
    id: randomUUID(),
    organisationId: org.id,
    status: 'open',
    effectiveDate: analysis.at,
    summary: summarise(analysis),
    inputs,
    createdBy: actorName(actor),
    createdAt: now,
    signedOffBy: null,
    signedOffAt: null,
    collectorRunId: null,
  };
  const tasks: StartedAccessReview['tasks'] = [];
  const items: AccessReviewItemRecord[] = [];
  planReview(analysis, hr, assetOwner).forEach((draft, t) => {
    const task = {
      id: randomUUID(),
      reviewId: review.id,
      number: t + 1,
      reviewer: draft.reviewer,
      reviewerKind: draft.reviewerKind,
    };
    tasks.push({
      ...task,
      items: draft.items.length,
      withFindings: draft.items.filter((i) => i.findings.length > 0).length,
    });
    draft.items.forEach((d, position) =>
      items.push({
        id: randomUUID(),
        reviewId: review.id,
        taskId: task.id,
        position,
        accountId: d.accountId,
        login: d.login,
        displayName: d.displayName,
        accountKind: d.kind,
        privileged: d.privileged,
        employeeNumber: d.employeeNumber,
        hrName: d.hrName,
        jobRole: d.jobRole,
        matchedBy: d.matchedBy,
        lastSignIn: d.lastSignIn,
        findings: d.findings,
        recommendation: d.recommendation,
        reason: d.reason,
        decision: null,
        justification: null,
        decidedBy: null,
        decidedAt: null,
      }),
    );
  });

  return deps.store.transaction(async (tx) => {
    await tx.accessReviews.insert(
      review,
      tasks.map(({ items: _n, withFindings: _f, ...t }) => t),
      items,
    );
    await tx.audit.append({
      actor: actorName(actor),
      action: 'access-review.started',
      organisationId: org.id,
      subject: `${org.odsCode} access review ${analysis.at}`,
      details: {
        reviewId: review.id,
        inputs,
        tasks: tasks.length,
        items: items.length,
        found: review.summary.found,
      },
    });
    return success({ review, tasks });
  });
}
