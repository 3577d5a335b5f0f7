// The access-review tables as Kysely sees them: reviews, reviewer tasks and one item per account.
export interface AccessReviewsTable {
  id: string;
  organisation_id: string;
  status: string;
  effective_date: string;
  /** JSON `ReviewSummary`: counts, coverage and what could not be determined. */
  summary: string;
  /** JSON: the files read, each with its role, name, size and SHA-256. */
  inputs: string;
  created_by: string;
  created_at: string;
  signed_off_by: string | null;
  signed_off_at: string | null;
  collector_run_id: string | null;
}

export interface AccessReviewTasksTable {
  id: string;
  review_id: string;
  number: number;
  reviewer: string;
  reviewer_kind: string;
}

export interface AccessReviewItemsTable {
  id: string;
  review_id: string;
  task_id: string;
  position: number;
  account_id: string;
  login: string;
  /** Lower-cased login, so an account can be found however it is typed. */
  login_key: string;
  display_name: string;
  /** JSON: kind, privileged, employee number, HR name and role, how it matched, last sign-in. */
  account: string;
  /** JSON array of findings. */
  findings: string;
  has_findings: number;
  recommendation: string;
  reason: string;
  decision: string | null;
  justification: string | null;
  decided_by: string | null;
  decided_at: string | null;
}

export interface AccessReviewTables {
  access_reviews: AccessReviewsTable;
  access_review_tasks: AccessReviewTasksTable;
  access_review_items: AccessReviewItemsTable;
}
