// What the access-review use cases need from storage: reviews (one per collector run), the task of each
// reviewer, and one item per account with its recommendation and, once made, the decision.
import type { IsoDate } from '../domain/assessment.ts';
import type { Finding } from '../collectors/access-review/analyse.ts';
import type { Decision, ReviewSummary } from '../collectors/access-review/review.ts';
import type { AccountKind } from '../collectors/access-review/model.ts';
import type { CollectorInput } from './ports.ts';

export type AccessReviewStatus = 'open' | 'signed-off';

export interface AccessReviewRecord {
  id: string;
  organisationId: string;
  status: AccessReviewStatus;
  /** The date the exports describe: the review's effective date. */
  effectiveDate: IsoDate;
  summary: ReviewSummary;
  inputs: (CollectorInput & { role: string })[];
  createdBy: string;
  createdAt: string;
  signedOffBy: string | null;
  signedOffAt: string | null;
  /** The collector run recorded at sign-off. */
  collectorRunId: string | null;
}

export interface AccessReviewTaskRecord {
  id: string;
  reviewId: string;
  /** 1, 2, 3... in the review: what people type on the command line. */
  number: number;
  reviewer: string;
  reviewerKind: 'manager' | 'asset-owner';
}

export interface AccessReviewItemRecord {
  id: string;
  reviewId: string;
  taskId: string;
  position: number;
  accountId: string;
  login: string;
  displayName: string;
  accountKind: AccountKind;
  privileged: boolean | null;
  employeeNumber: string | null;
  hrName: string | null;
  jobRole: string | null;
  matchedBy: 'employee-number' | 'email' | null;
  lastSignIn: string | null;
  findings: Finding[];
  recommendation: Decision;
  reason: string;
  decision: Decision | null;
  justification: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
}

export interface ReviewDecisionRecord {
  decision: Decision;
  justification: string;
  decidedBy: string;
  decidedAt: string;
}

/** Which items a page lists: every one (with findings first), only those with findings, or only undecided ones. */
export type ItemFilter = 'all' | 'findings' | 'undecided';

export interface TaskProgress {
  taskId: string;
  items: number;
  decided: number;
  withFindings: number;
}

export interface AccessReviewStore {
  /** The review, its tasks and items in one go (items are written in batches). */
  insert(
    review: AccessReviewRecord,
    tasks: AccessReviewTaskRecord[],
    items: AccessReviewItemRecord[],
  ): Promise<void>;
  findById(organisationId: string, id: string): Promise<AccessReviewRecord | undefined>;
  /** Newest effective date first. */
  list(organisationId: string): Promise<AccessReviewRecord[]>;
  tasks(reviewId: string): Promise<AccessReviewTaskRecord[]>;
  progress(reviewId: string): Promise<TaskProgress[]>;
  /** Items of a review, in task then position order; narrowed to one task, or to one account by ID or login. */
  items(
    reviewId: string,
    filter?: { taskId?: string; account?: string; undecidedOnly?: boolean },
  ): Promise<AccessReviewItemRecord[]>;
  /**
   * One page of items for the pages and the API: accounts with findings first, then in task and position
   * order; `show` narrows to those with findings or those not yet decided. `total` counts every match.
   */
  page(
    reviewId: string,
    query: { taskId?: string; show: ItemFilter; offset: number; limit: number },
  ): Promise<{ items: AccessReviewItemRecord[]; total: number }>;
  /** One item by its own ID. */
  item(reviewId: string, itemId: string): Promise<AccessReviewItemRecord | undefined>;
  decide(reviewId: string, itemIds: readonly string[], decision: ReviewDecisionRecord): Promise<void>;
  signOff(reviewId: string, by: string, at: string, collectorRunId: string): Promise<void>;
}
