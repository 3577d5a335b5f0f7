// One access review as its pages show it: the summary, each reviewer's task with progress, whether this actor
// may decide, and, once signed off, the collector run that made it evidence. Items are listed page by page
// through listReviewItems, never all at once.
import { success, type Result } from '../domain/result.ts';
import { permits, type Actor } from './actor.ts';
import { findAccessReview } from './find-access-review.ts';
import { findOrganisation } from './find-organisation.ts';
import { overview, type ReviewOverview } from './list-access-reviews.ts';
import type { CollectorRunRecord, Deps, OrganisationRecord } from './ports.ts';

export interface AccessReviewOverview extends ReviewOverview {
  organisation: OrganisationRecord;
  /** The run recorded at sign-off: its verdicts and the report and data evidence. */
  run: CollectorRunRecord | null;
  /** Whether this actor may record decisions and sign off (viewers and auditors only read). */
  canDecide: boolean;
}

export async function getAccessReviewOverview(
  deps: Deps,
  actor: Actor,
  input: { odsCode: string; review: string },
): Promise<Result<AccessReviewOverview>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'read');
  if (!found.ok) return found;
  const org = found.value;
  const review = await findAccessReview(deps.store, org, input.review);
  if (!review.ok) return review;
  const [summary, canDecide, run] = await Promise.all([
    overview(deps, review.value),
    permits(deps.store, actor, org, 'answer'),
    review.value.collectorRunId === null
      ? undefined
      : deps.store.collectorRuns.findById(org.id, review.value.collectorRunId),
  ]);
  return success({ ...summary, organisation: org, run: run ?? null, canDecide: canDecide === 'yes' });
}
