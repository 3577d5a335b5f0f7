// The OSV index: records by ID (the newest `modified` kept), and the packages each names, keyed by ecosystem
// and name so that a scan fetches only the packages its inventories hold.
import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export const osvMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('osv_records')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('modified', 'text', (c) => c.notNull())
      .addColumn('published', 'text', (c) => c.notNull())
      .addColumn('advisory', 'text', (c) => c.notNull())
      .addColumn('imported_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('osv_packages')
      .addColumn('ecosystem', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('record_id', 'text', (c) => c.notNull().references('osv_records.id'))
      .addColumn('package', 'text', (c) => c.notNull())
      .addColumn('has_fix', 'integer', (c) => c.notNull())
      .addColumn('fix_known_since', 'text')
      .addPrimaryKeyConstraint('osv_packages_pk', ['ecosystem', 'name', 'record_id'])
      .execute();
    await db.schema.createIndex('osv_packages_record').on('osv_packages').column('record_id').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('osv_packages').ifExists().execute();
    await db.schema.dropTable('osv_records').ifExists().execute();
  },
};
