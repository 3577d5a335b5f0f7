// Each OSV package row carries its record's advisory as well, so that a scan's lookup reads one table rather
// than joining every matching row to its record: a large fleet names most of the index, and the join was most
// of the lookup's cost. Rows stored before this are given theirs from the record they belong to.
import { sql, type Kysely, type Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export const osvPackageAdvisoryMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('osv_packages')
      .addColumn('advisory', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await sql`update osv_packages set advisory = (select r.advisory from osv_records r where r.id = osv_packages.record_id)`.execute(
      db,
    );
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('osv_packages').dropColumn('advisory').execute();
  },
};
