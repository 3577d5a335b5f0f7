// Disaster-recovery tests: what was tested, the recovery objectives against what was measured, the result, the
// follow-up actions and the approval. The test's report is kept as a collector run's evidence.
import { sql, type Kysely, type Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export const drTestsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('dr_tests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('scenario', 'text', (c) => c.notNull())
      .addColumn('systems', 'text', (c) => c.notNull())
      .addColumn('tested_on', 'text', (c) => c.notNull())
      .addColumn('rto_target_seconds', 'double precision', (c) => c.notNull())
      .addColumn('rto_measured_seconds', 'double precision')
      .addColumn('rpo_target_seconds', 'double precision', (c) => c.notNull())
      .addColumn('rpo_measured_seconds', 'double precision')
      .addColumn('integrity_confirmed', 'integer', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('passed', 'integer', (c) => c.notNull())
      .addColumn('actions', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('approved_by', 'text')
      .addColumn('notes', 'text')
      .addColumn('collector_run_id', 'text', (c) => c.notNull().references('collector_runs.id'))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addCheckConstraint('dr_tests_type', sql`type in ('tabletop', 'functional', 'full')`)
      .addCheckConstraint('dr_tests_result', sql`result in ('pass', 'pass-with-conditions', 'fail')`)
      .execute();
    await db.schema
      .createIndex('dr_tests_organisation_tested_on')
      .on('dr_tests')
      .columns(['organisation_id', 'tested_on'])
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('dr_tests').ifExists().execute();
  },
};
