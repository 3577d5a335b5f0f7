// The schema's history as code, applied in name order by Kysely's migrator on both engines. The schema
// builder writes the portable parts; `sql` writes what only one engine understands (the immutability triggers).
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { accountsMigration } from './migration-accounts.ts';
import { assessmentRevisionMigration } from './migration-assessment-revision.ts';
import { accessReviewMigration } from './migration-access-review.ts';
import { drTestsMigration } from './migration-dr-tests.ts';
import { osvMigration } from './migration-osv.ts';
import { osvPackageAdvisoryMigration } from './migration-osv-package-advisory.ts';
import { osvPackagesByNameMigration } from './migration-osv-packages-by-name.ts';
import type { Engine } from './tables.ts';

export const PUBLICATION_IMMUTABLE_MESSAGE =
  'publications are immutable: a published submission cannot be changed or removed';

// Migrations see `Kysely<any>` on purpose: they must keep describing the schema as it was when they were written,
// not as `Database` says it is today.
/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyDb = Kysely<any>;

function core(engine: Engine): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('organisations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('ods_code', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('ico_number', 'text')
        .addColumn('certifications', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('members')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('members_organisation_email', ['organisation_id', 'email'])
        .addCheckConstraint(
          'members_role',
          sql`role in ('administrator', 'contributor', 'approver', 'auditor', 'viewer')`,
        )
        .execute();

      await db.schema
        .createTable('assessments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('year', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('plan_approved_by', 'text')
        .addColumn('plan_approved_at', 'text')
        .addUniqueConstraint('assessments_organisation_year', ['organisation_id', 'year'])
        .execute();

      await db.schema
        .createTable('evidence')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text')
        .addColumn('media_type', 'text')
        .addColumn('size', 'bigint')
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('effective_date', 'text', (c) => c.notNull())
        .addColumn('storage_key', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addCheckConstraint('evidence_kind', sql`kind in ('file', 'text', 'link', 'collector-run')`)
        .execute();
      await db.schema
        .createIndex('evidence_organisation_sha256')
        .on('evidence')
        .columns(['organisation_id', 'sha256'])
        .execute();

      await db.schema
        .createTable('responses')
        .addColumn('assessment_id', 'text', (c) => c.notNull().references('assessments.id'))
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('answer_type', 'text', (c) => c.notNull())
        .addColumn('answer_value', 'text', (c) => c.notNull())
        .addColumn('evidence_id', 'text', (c) => c.references('evidence.id'))
        .addColumn('comment', 'text')
        .addColumn('effective_date', 'text', (c) => c.notNull())
        .addColumn('metric', 'double precision')
        .addColumn('answered_by', 'text', (c) => c.notNull())
        .addColumn('answered_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('responses_pk', ['assessment_id', 'item_id'])
        .addCheckConstraint(
          'responses_answer_type',
          sql`answer_type in ('yes-no', 'text', 'date', 'document')`,
        )
        .execute();

      await db.schema
        .createTable('outcome_responses')
        .addColumn('assessment_id', 'text', (c) => c.notNull().references('assessments.id'))
        .addColumn('outcome_id', 'text', (c) => c.notNull())
        .addColumn('indicators', 'text', (c) => c.notNull())
        .addColumn('not_applicable', 'text')
        .addColumn('comment', 'text')
        .addColumn('answered_by', 'text', (c) => c.notNull())
        .addColumn('answered_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('outcome_responses_pk', ['assessment_id', 'outcome_id'])
        .execute();

      await db.schema
        .createTable('evidence_links')
        .addColumn('evidence_id', 'text', (c) => c.notNull().references('evidence.id'))
        .addColumn('assessment_id', 'text', (c) => c.notNull().references('assessments.id'))
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('evidence_links_pk', ['evidence_id', 'assessment_id', 'item_id'])
        .execute();
      await db.schema
        .createIndex('evidence_links_assessment')
        .on('evidence_links')
        .column('assessment_id')
        .execute();

      await db.schema
        .createTable('publications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('assessment_id', 'text', (c) => c.notNull().references('assessments.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('snapshot', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('signer_name', 'text', (c) => c.notNull())
        .addColumn('signer_role', 'text', (c) => c.notNull())
        .addColumn('declaration', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text', (c) => c.notNull())
        .addCheckConstraint('publications_kind', sql`kind in ('baseline', 'final', 'republish')`)
        .execute();
      await db.schema
        .createIndex('publications_assessment')
        .on('publications')
        .column('assessment_id')
        .execute();

      await db.schema
        .createTable('plan_actions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('assessment_id', 'text', (c) => c.notNull().references('assessments.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('gap', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('owner', 'text')
        .addColumn('due_date', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('plan_actions_assessment_position')
        .on('plan_actions')
        .columns(['assessment_id', 'position'])
        .execute();

      // No foreign key to organisations: the trail must outlive anything it talks about. No immutability
      // trigger either: tampering has to stay possible so that `audit verify` is what catches it.
      await db.schema
        .createTable('audit_events')
        .addColumn('seq', 'integer', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('organisation_id', 'text')
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();

      await refusePublicationChanges(db, engine);
    },

    async down(db: AnyDb) {
      if (engine === 'postgres')
        await sql`drop function if exists refuse_publication_change() cascade`.execute(db);
      for (const table of [
        'audit_events',
        'plan_actions',
        'publications',
        'evidence_links',
        'outcome_responses',
        'responses',
        'evidence',
        'assessments',
        'members',
        'organisations',
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}

/** A published submission is the legal record: the database itself refuses to alter or remove one. */
async function refusePublicationChanges(db: AnyDb, engine: Engine): Promise<void> {
  const message = sql.lit(PUBLICATION_IMMUTABLE_MESSAGE);
  if (engine === 'sqlite') {
    await sql`create trigger publications_no_update before update on publications
      begin select raise(abort, ${message}); end`.execute(db);
    await sql`create trigger publications_no_delete before delete on publications
      begin select raise(abort, ${message}); end`.execute(db);
    return;
  }
  await sql`create function refuse_publication_change() returns trigger language plpgsql as $$
    begin
      raise exception using message = ${message}, errcode = 'integrity_constraint_violation';
    end
  $$`.execute(db);
  await sql`create trigger publications_immutable before update or delete on publications
    for each row execute function refuse_publication_change()`.execute(db);
  // Row triggers do not fire on TRUNCATE, which would otherwise empty the table in one statement.
  await sql`create trigger publications_no_truncate before truncate on publications
    for each statement execute function refuse_publication_change()`.execute(db);
}

/** Collector runs: what a collector read, what it found, and the reports it left as evidence. */
const collectorRuns: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('collector_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('effective_date', 'text', (c) => c.notNull())
      .addColumn('inputs', 'text', (c) => c.notNull())
      .addColumn('metrics', 'text', (c) => c.notNull())
      .addColumn('verdicts', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('report_evidence_id', 'text', (c) => c.notNull().references('evidence.id'))
      .addColumn('html_evidence_id', 'text', (c) => c.notNull().references('evidence.id'))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('collector_runs_organisation_kind')
      .on('collector_runs')
      .columns(['organisation_id', 'kind', 'effective_date'])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('collector_runs').ifExists().execute();
  },
};

/** Migrations by name; the migrator applies them in name order, so names start with a sortable number. */
export function createMigrationProvider(engine: Engine): MigrationProvider {
  return {
    async getMigrations() {
      return {
        '0001-core': core(engine),
        '0002-collector-runs': collectorRuns,
        '0003-access-review': accessReviewMigration,
        '0004-osv': osvMigration,
        '0006-accounts': accountsMigration,
        '0005-dr-tests': drTestsMigration,
        '0007-assessment-revision': assessmentRevisionMigration(engine),
        '0008-osv-package-advisory': osvPackageAdvisoryMigration,
        '0009-osv-packages-by-name': osvPackagesByNameMigration(engine),
      };
    },
  };
}
