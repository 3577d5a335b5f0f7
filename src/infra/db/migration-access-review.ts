// Access reviews: a review per collector run, a task per reviewer, an item per account with its decision.
import { sql, type Kysely, type Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export const accessReviewMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('access_reviews')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('effective_date', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('inputs', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('signed_off_by', 'text')
      .addColumn('signed_off_at', 'text')
      .addColumn('collector_run_id', 'text', (c) => c.references('collector_runs.id'))
      .addCheckConstraint('access_reviews_status', sql`status in ('open', 'signed-off')`)
      .execute();
    await db.schema
      .createIndex('access_reviews_organisation')
      .on('access_reviews')
      .columns(['organisation_id', 'effective_date'])
      .execute();
    await db.schema
      .createTable('access_review_tasks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('review_id', 'text', (c) => c.notNull().references('access_reviews.id'))
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('reviewer', 'text', (c) => c.notNull())
      .addColumn('reviewer_kind', 'text', (c) => c.notNull())
      .addUniqueConstraint('access_review_tasks_number', ['review_id', 'number'])
      .execute();
    await db.schema
      .createTable('access_review_items')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('review_id', 'text', (c) => c.notNull().references('access_reviews.id'))
      .addColumn('task_id', 'text', (c) => c.notNull().references('access_review_tasks.id'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('login', 'text', (c) => c.notNull())
      .addColumn('login_key', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('account', 'text', (c) => c.notNull())
      .addColumn('findings', 'text', (c) => c.notNull())
      .addColumn('has_findings', 'integer', (c) => c.notNull())
      .addColumn('recommendation', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('decision', 'text')
      .addColumn('justification', 'text')
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', 'text')
      .addCheckConstraint(
        'access_review_items_recommendation',
        sql`recommendation in ('keep', 'remove', 'change')`,
      )
      .addCheckConstraint(
        'access_review_items_decision',
        sql`decision is null or decision in ('keep', 'remove', 'change')`,
      )
      .execute();
    await db.schema
      .createIndex('access_review_items_task')
      .on('access_review_items')
      .columns(['review_id', 'task_id', 'position'])
      .execute();
    await db.schema
      .createIndex('access_review_items_login')
      .on('access_review_items')
      .columns(['review_id', 'login_key'])
      .execute();
  },
  async down(db: Kysely<any>) {
    for (const table of ['access_review_items', 'access_review_tasks', 'access_reviews'])
      await db.schema.dropTable(table).ifExists().execute();
  },
};
