// Row shape of the disaster-recovery test table.

export interface DrTestsTable {
  id: string;
  organisation_id: string;
  type: string;
  scenario: string;
  /** JSON list of system names. */
  systems: string;
  tested_on: string;
  rto_target_seconds: number;
  rto_measured_seconds: number | null;
  rpo_target_seconds: number;
  rpo_measured_seconds: number | null;
  /** 1 or 0: the engines disagree on booleans. */
  integrity_confirmed: number;
  result: string;
  passed: number;
  /** JSON list of `{ action, owner, due }`. */
  actions: string;
  approved_by: string | null;
  notes: string | null;
  collector_run_id: string;
  created_by: string;
  created_at: string;
}

export interface DrTestTables {
  dr_tests: DrTestsTable;
}
