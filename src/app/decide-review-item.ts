// Records a reviewer's decision (keep, remove or change, with a justification) on one account, or on every
// undecided account of a task whose recommendation is that same decision, so the clean accounts of a task
// can be confirmed at once while every finding is still decided one by one.
import { DECISIONS, type Decision } from '../collectors/access-review/review.ts';
import { failure, success, type Result } from '../domain/result.ts';
import type { AccessReviewItemRecord } from './access-review-ports.ts';
import { actorName, type Actor } from './actor.ts';
import { findAccessReview } from './find-access-review.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps } from './ports.ts';

export interface DecideReviewItemInput {
  odsCode: string;
  /** The review ID or its start; the newest open review when absent. */
  review?: string;
  /** A task number (every undecided item recommended `decision`), or an account's login or ID. */
  target: string;
  /**
   * One item by its own ID, as the web pages and the API send it; when given, `target` is not read. Safer than
   * an account ID, which may be all digits (Google's are) and so read as a task number.
   */
  itemId?: string;
  decision: Decision;
  justification: string;
}

export interface DecidedItems {
  reviewId: string;
  decided: AccessReviewItemRecord[];
}

export async function decideReviewItem(
  deps: Deps,
  actor: Actor,
  input: DecideReviewItemInput,
): Promise<Result<DecidedItems>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'answer');
  if (!found.ok) return found;
  const org = found.value;
  if (!DECISIONS.includes(input.decision))
    return failure(
      'bad-input',
      `"${String(input.decision)}" is not a decision: expected keep, remove or change`,
      'decision',
    );
  const justification = input.justification.trim();
  if (justification === '')
    return failure('bad-input', 'every decision needs a justification (--why)', 'justification');
  const review = await findAccessReview(deps.store, org, input.review);
  if (!review.ok) return review;
  if (review.value.status !== 'open')
    return failure(
      'refused',
      `review ${review.value.id.slice(0, 8)} was signed off on ${review.value.signedOffAt?.slice(0, 10)}; it can no longer change`,
      'review',
    );
  const reviewId = review.value.id;

  let items: AccessReviewItemRecord[];
  const target = input.target.trim();
  if (input.itemId !== undefined) {
    const item = await deps.store.accessReviews.item(reviewId, input.itemId);
    if (!item) return failure('not-found', `the review has no item ${input.itemId}`, `item ${input.itemId}`);
    items = [item];
  } else if (/^\d+$/.test(target)) {
    const task = (await deps.store.accessReviews.tasks(reviewId)).find((t) => t.number === Number(target));
    if (!task) return failure('not-found', `the review has no task ${target}`, `task ${target}`);
    items = (await deps.store.accessReviews.items(reviewId, { taskId: task.id, undecidedOnly: true })).filter(
      (i) => i.recommendation === input.decision,
    );
    if (items.length === 0)
      return failure(
        'bad-input',
        `task ${target} has no undecided account recommended "${input.decision}"; decide the others one by one`,
        `task ${target}`,
      );
  } else {
    items = await deps.store.accessReviews.items(reviewId, { account: target });
    if (items.length === 0)
      return failure(
        'not-found',
        `the review has no enabled account "${target}" (give its login or ID, or a task number)`,
        target,
      );
  }

  const decidedAt = deps.clock.now().toISOString();
  const decidedBy = actorName(actor);
  return deps.store.transaction(async (tx) => {
    await tx.accessReviews.decide(
      reviewId,
      items.map((i) => i.id),
      { decision: input.decision, justification, decidedBy, decidedAt },
    );
    await tx.audit.append({
      actor: decidedBy,
      action: 'access-review.decided',
      organisationId: org.id,
      subject: `${org.odsCode} access review ${review.value.effectiveDate}`,
      details: {
        reviewId,
        decision: input.decision,
        justification,
        items: items.length,
        // Enough to see whose access was decided without copying a whole task into the trail.
        accounts: items.slice(0, 50).map((i) => i.login),
      },
    });
    return success({
      reviewId,
      decided: items.map((i) => ({ ...i, decision: input.decision, justification, decidedBy, decidedAt })),
    });
  });
}
