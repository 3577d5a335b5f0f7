// The database schema as Kysely sees it. Everything is text where the two engines could disagree: IDs are
// caller-made UUIDs, times ISO-8601 text, dates `YYYY-MM-DD`, structured values canonical JSON.
import type { ColumnType, Generated } from 'kysely';
import type { DrTestTables } from './dr-test-tables.ts';
import type { AccountTables } from './account-tables.ts';
import type { AccessReviewTables } from './access-review-tables.ts';
import type { OsvTables } from './osv-tables.ts';

/** pg returns BIGINT as a string so that no precision is lost; SQLite returns a number. */
type BigIntColumn = ColumnType<number | string, number, number>;

export interface OrganisationsTable {
  id: string;
  ods_code: string;
  name: string;
  type: string;
  ico_number: string | null;
  /** JSON array of `Certification`. */
  certifications: string;
  created_at: string;
  /** Raised by triggers whenever the organisation's assessment data changes. */
  revision: Generated<number>;
}

export interface MembersTable {
  id: string;
  organisation_id: string;
  email: string;
  name: string;
  role: string;
  created_at: string;
}

export interface AssessmentsTable {
  id: string;
  organisation_id: string;
  year: string;
  created_at: string;
  plan_approved_by: string | null;
  plan_approved_at: string | null;
}

export interface ResponsesTable {
  assessment_id: string;
  item_id: string;
  answer_type: string;
  /** `true`/`false` for yes-no answers, the text or date otherwise. */
  answer_value: string;
  evidence_id: string | null;
  comment: string | null;
  effective_date: string;
  metric: number | null;
  answered_by: string;
  answered_at: string;
}

export interface OutcomeResponsesTable {
  assessment_id: string;
  outcome_id: string;
  /** JSON array of indicator IDs. */
  indicators: string;
  not_applicable: string | null;
  comment: string | null;
  answered_by: string;
  answered_at: string;
}

export interface EvidenceTable {
  id: string;
  organisation_id: string;
  kind: string;
  title: string;
  file_name: string | null;
  media_type: string | null;
  size: BigIntColumn | null;
  sha256: string;
  effective_date: string;
  storage_key: string | null;
  created_by: string;
  created_at: string;
}

export interface EvidenceLinksTable {
  evidence_id: string;
  assessment_id: string;
  item_id: string;
}

export interface PublicationsTable {
  id: string;
  assessment_id: string;
  kind: string;
  status: string;
  snapshot: string;
  sha256: string;
  signer_name: string;
  signer_role: string;
  declaration: string;
  published_at: string;
}

export interface PlanActionsTable {
  id: string;
  assessment_id: string;
  /** Keeps the plan in the order it was written. */
  position: number;
  target_id: string;
  gap: string;
  action: string;
  owner: string | null;
  due_date: string | null;
  created_at: string;
  updated_at: string;
}

export interface AuditEventsTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  organisation_id: string | null;
  subject: string;
  /** Canonical JSON, exactly the text that was hashed. */
  details: string;
  prev_hash: string;
  hash: string;
}

export interface CollectorRunsTable {
  id: string;
  organisation_id: string;
  kind: string;
  effective_date: string;
  /** JSON: the files the run read, each with its name, size and SHA-256. */
  inputs: string;
  /** JSON: the run's figures, such as accounts read or high-risk findings. */
  metrics: string;
  /** JSON: a verdict per evidence item or CAF outcome the run supports. */
  verdicts: string;
  summary: string;
  /** The JSON and HTML reports, kept as evidence. */
  report_evidence_id: string;
  html_evidence_id: string;
  created_by: string;
  created_at: string;
}

export interface Database extends AccountTables, DrTestTables, AccessReviewTables, OsvTables {
  organisations: OrganisationsTable;
  members: MembersTable;
  assessments: AssessmentsTable;
  responses: ResponsesTable;
  outcome_responses: OutcomeResponsesTable;
  evidence: EvidenceTable;
  evidence_links: EvidenceLinksTable;
  publications: PublicationsTable;
  plan_actions: PlanActionsTable;
  audit_events: AuditEventsTable;
  collector_runs: CollectorRunsTable;
}

/** The two engines openDSPT runs on; the schema and every query are written to behave the same on both. */
export type Engine = 'sqlite' | 'postgres';
