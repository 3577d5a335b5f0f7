// Lists an organisation's access reviews, newest first, with how far each reviewer has got.
import { success, type Result } from '../domain/result.ts';
import type { AccessReviewRecord, AccessReviewTaskRecord } from './access-review-ports.ts';
import type { Actor } from './actor.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps } from './ports.ts';

export interface ReviewOverview {
  review: AccessReviewRecord;
  tasks: (AccessReviewTaskRecord & { items: number; decided: number; withFindings: number })[];
}

export async function listAccessReviews(
  deps: Deps,
  actor: Actor,
  input: { odsCode: string },
): Promise<Result<ReviewOverview[]>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'read');
  if (!found.ok) return found;
  const reviews = await deps.store.accessReviews.list(found.value.id);
  const overviews: ReviewOverview[] = [];
  for (const review of reviews) overviews.push(await overview(deps, review));
  return success(overviews);
}

export async function overview(deps: Deps, review: AccessReviewRecord): Promise<ReviewOverview> {
  const [tasks, progress] = await Promise.all([
    deps.store.accessReviews.tasks(review.id),
    deps.store.accessReviews.progress(review.id),
  ]);
  const byTask = new Map(progress.map((p) => [p.taskId, p]));
  return {
    review,
    tasks: tasks.map((t) => ({
      ...t,
      items: byTask.get(t.id)?.items ?? 0,
      decided: byTask.get(t.id)?.decided ?? 0,
      withFindings: byTask.get(t.id)?.withFindings ?? 0,
    })),
  };
}
