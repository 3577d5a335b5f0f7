// A consistent copy of the database for a backup, and the figures that let a restore prove it got the same data
// back: rows and a content digest per table, the audit chain's length and head, and the newest change's time.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { canonicalJson } from '../../domain/canonical-json.ts';
import { SQLITE_FILE_NAME } from '../db/connect.ts';
import type { Database } from '../db/tables.ts';

export const MIGRATION_TABLES = new Set(['kysely_migration', 'kysely_migration_lock']);

export interface TableFigures {
  rows: number;
  /** SHA-256 over the table's rows as canonical JSON, in sorted order: equal only for equal content. */
  digest: string;
}

export interface DatabaseFigures {
  tables: Record<string, TableFigures>;
  auditEvents: number;
  auditHead: string | null;
  /** The time of the newest audit event: every change writes one, so no data in the copy is newer. */
  newestDataAt: string | null;
  /** The storage keys of every evidence file the database refers to. */
  evidenceKeys: string[];
  migrations: string[];
}

export function figuresOf(tables: Map<string, Record<string, unknown>[]>): DatabaseFigures {
  const figures: DatabaseFigures = {
    tables: {},
    auditEvents: 0,
    auditHead: null,
    newestDataAt: null,
    evidenceKeys: [],
    migrations: [],
  };
  for (const [name, rows] of [...tables].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const lines = rows.map((r) => canonicalJson(r)).sort();
    const hash = createHash('sha256');
    for (const line of lines) hash.update(line).update('\n');
    figures.tables[name] = { rows: rows.length, digest: hash.digest('hex') };
  }
  const audit = [...(tables.get('audit_events') ?? [])].sort((a, b) => Number(a.seq) - Number(b.seq));
  figures.auditEvents = audit.length;
  figures.auditHead = audit.length > 0 ? String(audit.at(-1)!.hash) : null;
  figures.newestDataAt = audit.reduce<string | null>(
    (m, r) => (m === null || String(r.at) > m ? String(r.at) : m),
    null,
  );
  figures.evidenceKeys = [
    ...new Set(
      (tables.get('evidence') ?? [])
        .map((r) => r.storage_key)
        .filter((k): k is string => typeof k === 'string'),
    ),
  ].sort();
  figures.migrations = (tables.get('kysely_migration') ?? []).map((r) => String(r.name)).sort();
  return figures;
}

/** Every table of a SQLite file, read through its own connection. */
export function readSqliteTables(file: string): Map<string, Record<string, unknown>[]> {
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const names = db
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
      .pluck()
      .all() as string[];
    const read = db.transaction(
      () =>
        new Map(names.map((n) => [n, db.prepare(`select * from "${n}"`).all() as Record<string, unknown>[]])),
    );
    return read();
  } finally {
    db.close();
  }
}

/**
 * SQLite: `VACUUM INTO` writes a complete, consistent copy from one read transaction, while writers carry on
 * (the database is in WAL mode). The copy is read into memory for the archive and then removed.
 */
export async function snapshotSqlite(dataDir: string): Promise<{ bytes: Buffer; figures: DatabaseFigures }> {
  const source = path.join(dataDir, SQLITE_FILE_NAME);
  const copy = path.join(dataDir, `.backup-${randomBytes(6).toString('hex')}.sqlite`);
  const db = new SqliteDatabase(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('vacuum into ?').run(copy);
  } finally {
    db.close();
  }
  try {
    return { bytes: await readFile(copy), figures: figuresOf(readSqliteTables(copy)) };
  } finally {
    await unlink(copy).catch(() => undefined);
  }
}

/** PostgreSQL: every table's rows, read in one REPEATABLE READ transaction so they are one moment's data. */
export async function snapshotPostgres(
  db: Kysely<Database>,
): Promise<{ tables: Map<string, Record<string, unknown>[]>; figures: DatabaseFigures }> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const names = (
        await sql<{ table_name: string }>`select table_name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(trx)
      ).rows.map((r) => r.table_name);
      const tables = new Map<string, Record<string, unknown>[]>();
      for (const name of names.sort())
        tables.set(
          name,
          (await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(trx)).rows,
        );
      return { tables, figures: figuresOf(tables) };
    });
}

/** Tables in an order that inserts parents before the rows that refer to them. */
export async function insertionOrder(db: Kysely<Database>, names: string[]): Promise<string[]> {
  const edges = (
    await sql<{ child: string; parent: string }>`select c.conrelid::regclass::text as child,
        c.confrelid::regclass::text as parent
      from pg_constraint c where c.contype = 'f' and c.connamespace = current_schema()::regnamespace`.execute(
      db,
    )
  ).rows;
  const parents = new Map<string, Set<string>>(names.map((n) => [n, new Set()]));
  for (const { child, parent } of edges)
    if (child !== parent) parents.get(child.replace(/"/g, ''))?.add(parent.replace(/"/g, ''));
  const ordered: string[] = [];
  const visit = (name: string, path: Set<string>) => {
    if (ordered.includes(name) || path.has(name)) return;
    path.add(name);
    for (const p of parents.get(name) ?? []) if (parents.has(p)) visit(p, path);
    ordered.push(name);
  };
  for (const name of [...names].sort()) visit(name, new Set());
  return ordered;
}
