// Finds an organisation's access review by its ID or a unique start of it (what people copy from
// "dspt review list"), or the newest open one when none is named. Shared by the review use cases.
import { failure, success, type Result } from '../domain/result.ts';
import type { AccessReviewRecord } from './access-review-ports.ts';
import type { OrganisationRecord, Store } from './ports.ts';

export async function findAccessReview(
  store: Store,
  org: OrganisationRecord,
  ref: string | undefined,
): Promise<Result<AccessReviewRecord>> {
  const reviews = await store.accessReviews.list(org.id);
  if (ref === undefined || ref.trim() === '') {
    const open = reviews.find((r) => r.status === 'open');
    return open
      ? success(open)
      : failure(
          'not-found',
          `${org.odsCode} has no open access review; start one with "dspt collect access-review"`,
          'review',
        );
  }
  const wanted = ref.trim().toLowerCase();
  const found = reviews.filter((r) => r.id === wanted || (wanted.length >= 4 && r.id.startsWith(wanted)));
  if (found.length === 1) return success(found[0]!);
  if (found.length > 1)
    return failure(
      'bad-input',
      `"${ref}" is the start of ${found.length} reviews; give more of the ID`,
      'review',
    );
  return failure(
    'not-found',
    `${org.odsCode} has no access review ${ref}; "dspt review list ${org.odsCode}" shows them`,
    `review ${ref}`,
  );
}
