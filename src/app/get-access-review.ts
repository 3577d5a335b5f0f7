// One access review with its tasks and items: what a reviewer works through, optionally one task only.
import { failure, success, type Result } from '../domain/result.ts';
import type { AccessReviewItemRecord } from './access-review-ports.ts';
import type { Actor } from './actor.ts';
import { findAccessReview } from './find-access-review.ts';
import { findOrganisation } from './find-organisation.ts';
import { overview, type ReviewOverview } from './list-access-reviews.ts';
import type { Deps } from './ports.ts';

export interface ReviewDetail extends ReviewOverview {
  items: AccessReviewItemRecord[];
}

export async function getAccessReview(
  deps: Deps,
  actor: Actor,
  input: { odsCode: string; review?: string; task?: number; findingsOnly?: boolean },
): Promise<Result<ReviewDetail>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'read');
  if (!found.ok) return found;
  const review = await findAccessReview(deps.store, found.value, input.review);
  if (!review.ok) return review;
  const summary = await overview(deps, review.value);
  let taskId: string | undefined;
  if (input.task !== undefined) {
    taskId = summary.tasks.find((t) => t.number === input.task)?.id;
    if (taskId === undefined)
      return failure(
        'not-found',
        `the review has no task ${input.task}; it has ${summary.tasks.length}`,
        `task ${input.task}`,
      );
  }
  const numbers = new Map(summary.tasks.map((t) => [t.id, t.number]));
  const items = (await deps.store.accessReviews.items(review.value.id, taskId ? { taskId } : {}))
    .filter((i) => !input.findingsOnly || i.findings.length > 0)
    .sort((a, b) => numbers.get(a.taskId)! - numbers.get(b.taskId)! || a.position - b.position);
  return success({ ...summary, items });
}
