// One account of an access review, with its task: the page where a reviewer records a decision on it.
import { failure, success, type Result } from '../domain/result.ts';
import type {
  AccessReviewItemRecord,
  AccessReviewRecord,
  AccessReviewTaskRecord,
} from './access-review-ports.ts';
import type { Actor } from './actor.ts';
import { findAccessReview } from './find-access-review.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps, OrganisationRecord } from './ports.ts';

export interface ReviewItemDetail {
  organisation: OrganisationRecord;
  review: AccessReviewRecord;
  task: AccessReviewTaskRecord;
  item: AccessReviewItemRecord;
}

export async function getReviewItem(
  deps: Deps,
  actor: Actor,
  input: { odsCode: string; review: string; item: string },
): Promise<Result<ReviewItemDetail>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'read');
  if (!found.ok) return found;
  const review = await findAccessReview(deps.store, found.value, input.review);
  if (!review.ok) return review;
  const item = await deps.store.accessReviews.item(review.value.id, input.item);
  const task =
    item && (await deps.store.accessReviews.tasks(review.value.id)).find((t) => t.id === item.taskId);
  if (!item || !task)
    return failure('not-found', `the review has no account ${input.item}`, `account ${input.item}`);
  return success({ organisation: found.value, review: review.value, task, item });
}
