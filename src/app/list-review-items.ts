// A page of an access review's accounts, with findings first: what a reviewer reads on a task page and what
// the API returns, so a review of a million accounts is never loaded whole.
import { failure, success, type Result } from '../domain/result.ts';
import type {
  AccessReviewItemRecord,
  AccessReviewRecord,
  AccessReviewTaskRecord,
  ItemFilter,
} from './access-review-ports.ts';
import type { Actor } from './actor.ts';
import { findAccessReview } from './find-access-review.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps } from './ports.ts';

export const ITEM_FILTERS: readonly ItemFilter[] = ['all', 'findings', 'undecided'];
export const MAX_PER_PAGE = 1000;

export interface ListReviewItemsInput {
  odsCode: string;
  /** The review ID or its start. */
  review: string;
  /** A task number; every task when absent. */
  task?: number;
  show?: ItemFilter;
  /** From 1. */
  page?: number;
  perPage?: number;
}

export interface ReviewItemsPage {
  review: AccessReviewRecord;
  task: AccessReviewTaskRecord | null;
  /** The task number of each item listed, by task ID. */
  taskNumbers: Record<string, number>;
  items: AccessReviewItemRecord[];
  show: ItemFilter;
  page: number;
  perPage: number;
  total: number;
  pages: number;
}

export async function listReviewItems(
  deps: Deps,
  actor: Actor,
  input: ListReviewItemsInput,
): Promise<Result<ReviewItemsPage>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'read');
  if (!found.ok) return found;
  const show = input.show ?? 'all';
  if (!ITEM_FILTERS.includes(show))
    return failure(
      'bad-input',
      `"${String(show)}" is not a filter: expected ${ITEM_FILTERS.join(', ')}`,
      'show',
    );
  const page = input.page ?? 1;
  const perPage = input.perPage ?? 100;
  if (!Number.isInteger(page) || page < 1)
    return failure('bad-input', `expected a page number from 1, found "${input.page}"`, 'page');
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE)
    return failure(
      'bad-input',
      `expected from 1 to ${MAX_PER_PAGE} accounts a page, found "${input.perPage}"`,
      'perPage',
    );
  const review = await findAccessReview(deps.store, found.value, input.review);
  if (!review.ok) return review;
  const tasks = await deps.store.accessReviews.tasks(review.value.id);
  let task: AccessReviewTaskRecord | null = null;
  if (input.task !== undefined) {
    task = tasks.find((t) => t.number === input.task) ?? null;
    if (task === null)
      return failure(
        'not-found',
        `the review has no task ${input.task}; it has ${tasks.length}`,
        `task ${input.task}`,
      );
  }
  const { items, total } = await deps.store.accessReviews.page(review.value.id, {
    ...(task ? { taskId: task.id } : {}),
    show,
    offset: (page - 1) * perPage,
    limit: perPage,
  });
  return success({
    review: review.value,
    task,
    taskNumbers: Object.fromEntries(tasks.map((t) => [t.id, t.number])),
    items,
    show,
    page,
    perPage,
    total,
    pages: Math.max(1, Math.ceil(total / perPage)),
  });
}
