// The DR-test part of the Store over Kysely, the same on SQLite and PostgreSQL.
import type { Kysely, Selectable } from 'kysely';
import type { DrTestRecord, DrTestStore } from '../../app/dr-test-ports.ts';
import type { DrTestResult, DrTestType } from '../../domain/dr-test.ts';
import type { DrTestsTable } from './dr-test-tables.ts';
import type { Database } from './tables.ts';

export function createDrTestStore(db: Kysely<Database>): DrTestStore {
  return {
    async insert(test) {
      await db
        .insertInto('dr_tests')
        .values({
          id: test.id,
          organisation_id: test.organisationId,
          type: test.type,
          scenario: test.scenario,
          systems: JSON.stringify(test.systems),
          tested_on: test.testedOn,
          rto_target_seconds: test.rtoTargetSeconds,
          rto_measured_seconds: test.rtoMeasuredSeconds,
          rpo_target_seconds: test.rpoTargetSeconds,
          rpo_measured_seconds: test.rpoMeasuredSeconds,
          integrity_confirmed: test.integrityConfirmed ? 1 : 0,
          result: test.result,
          passed: test.passed ? 1 : 0,
          actions: JSON.stringify(test.actions),
          approved_by: test.approvedBy,
          notes: test.notes,
          collector_run_id: test.collectorRunId,
          created_by: test.createdBy,
          created_at: test.createdAt,
        })
        .execute();
    },
    async list(organisationId) {
      const rows = await db
        .selectFrom('dr_tests')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .execute();
      // Sorted here, not in SQL, so both engines order text the same way.
      return rows
        .map(toDrTest)
        .sort((a, b) => cmp(b.testedOn, a.testedOn) || cmp(b.createdAt, a.createdAt) || cmp(a.id, b.id));
    },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const num = (v: number | string | null) => (v === null ? null : Number(v));

function toDrTest(row: Selectable<DrTestsTable>): DrTestRecord {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    type: row.type as DrTestType,
    scenario: row.scenario,
    systems: JSON.parse(row.systems) as string[],
    testedOn: row.tested_on,
    rtoTargetSeconds: Number(row.rto_target_seconds),
    rtoMeasuredSeconds: num(row.rto_measured_seconds),
    rpoTargetSeconds: Number(row.rpo_target_seconds),
    rpoMeasuredSeconds: num(row.rpo_measured_seconds),
    integrityConfirmed: Number(row.integrity_confirmed) === 1,
    result: row.result as DrTestResult,
    passed: Number(row.passed) === 1,
    actions: JSON.parse(row.actions) as DrTestRecord['actions'],
    approvedBy: row.approved_by,
    notes: row.notes,
    collectorRunId: row.collector_run_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}
