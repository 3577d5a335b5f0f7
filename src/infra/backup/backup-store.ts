// openDSPT's own backup and restore: the database (a consistent snapshot) and the evidence store (still
// encrypted) in one archive with a checksum per part; restore only into an empty place, check everything,
// and leave nothing behind when anything fails.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import type { BackupLocation, BackupSummary, Backups, RestoreSummary } from '../../app/backup-ports.ts';
import { AuditChainVerifier, type AuditEvent } from '../../domain/audit-chain.ts';
import { failure, success, type Result } from '../../domain/result.ts';
import { migrateToLatest, openDatabase, SQLITE_FILE_NAME } from '../db/connect.ts';
import { createMigrationProvider } from '../db/migrations.ts';
import { ArchiveError, ArchiveWriter, readManifest, readParts, type Manifest } from './archive.ts';
import {
  figuresOf,
  insertionOrder,
  MIGRATION_TABLES,
  readSqliteTables,
  snapshotPostgres,
  snapshotSqlite,
  type DatabaseFigures,
} from './database-snapshot.ts';

const EVIDENCE_DIR = 'evidence';
const PREFETCH = 16;

export function createBackups(options: { now: () => Date }): Backups {
  return {
    backup: (source, file) => guard(file, () => writeBackup(source, file, options.now)),
    restore: (file, target) => guard(file, () => restoreBackup(file, target)),
    inspect: (file) => guard(file, async () => success(summaryOf((await readManifest(file)).manifest))),
  };
}

/** Archive problems and missing files are the user's to fix: they become values naming file and element. */
async function guard<T>(file: string, work: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ArchiveError)
      return failure('bad-input', error.message.slice(error.file.length + 2), error.file);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EEXIST' || code === 'EACCES' || code === 'ENOTDIR')
      return failure('bad-input', (error as Error).message, file);
    throw error;
  }
}

async function writeBackup(
  source: BackupLocation,
  file: string,
  now: () => Date,
): Promise<Result<BackupSummary>> {
  const engine = isPostgres(source) ? 'postgres' : 'sqlite';
  if (engine === 'sqlite' && !(await exists(path.join(source.dataDir, SQLITE_FILE_NAME))))
    return failure(
      'bad-input',
      `there is no openDSPT database in ${source.dataDir} to back up`,
      source.dataDir,
    );
  if (await exists(file))
    return failure('bad-input', 'the file already exists; a backup never overwrites a file', file);
  // Written under a temporary name and renamed when complete, so a failed backup leaves no archive behind.
  const partial = `${file}.partial-${randomBytes(6).toString('hex')}`;
  const writer = await ArchiveWriter.create(partial);
  try {
    const startedAt = now().toISOString();
    let figures: DatabaseFigures;
    // The database first: an evidence file is always written before the row that refers to it, so every file
    // the snapshot refers to is already on disk when the evidence folder is read next.
    if (engine === 'sqlite') {
      const snapshot = await snapshotSqlite(source.dataDir);
      figures = snapshot.figures;
      await writer.addPart(`database/${SQLITE_FILE_NAME}`, snapshot.bytes);
    } else {
      const opened = openDatabase({ dataDir: source.dataDir, databaseUrl: source.databaseUrl });
      try {
        const snapshot = await snapshotPostgres(opened.db);
        figures = snapshot.figures;
        for (const [name, rows] of snapshot.tables) {
          if (MIGRATION_TABLES.has(name)) continue;
          await writer.addPart(
            `database/${name}.jsonl`,
            Buffer.from(rows.map((r) => `${JSON.stringify(r)}\n`).join('')),
          );
        }
      } finally {
        await opened.close();
      }
    }
    const files = await evidenceFiles(path.join(source.dataDir, EVIDENCE_DIR));
    const present = new Set(files.map((f) => path.basename(f, '.enc')));
    const missing = figures.evidenceKeys.filter((k) => !present.has(k));
    if (missing.length > 0)
      return failure(
        'refused',
        `the database refers to ${missing.length} evidence file(s) missing from the evidence store, first ${missing[0]}; nothing was backed up`,
        path.join(source.dataDir, EVIDENCE_DIR),
      );
    let evidenceBytes = 0;
    // Reads run ahead of the writes, so the disk is busy while the previous file is hashed and buffered.
    const reads = new Map<number, Promise<Buffer>>();
    const readAt = (i: number) => {
      if (i < files.length && !reads.has(i)) reads.set(i, readFile(files[i]!));
    };
    for (let i = 0; i < Math.min(PREFETCH, files.length); i++) readAt(i);
    for (let i = 0; i < files.length; i++) {
      const data = await reads.get(i)!;
      reads.delete(i);
      readAt(i + PREFETCH);
      evidenceBytes += data.length;
      await writer.addPart(path.relative(source.dataDir, files[i]!).split(path.sep).join('/'), data);
    }
    const manifest = await writer.finish({
      createdAt: now().toISOString(),
      snapshotStartedAt: startedAt,
      engine,
      ...figures,
      evidenceFiles: files.length,
      evidenceBytes,
      evidenceKey:
        "not included: evidence files stay encrypted; keep EVIDENCE_KEY (or the data folder's evidence.key) separately to read them after a restore",
    });
    await rename(partial, file);
    return success({ ...summaryOf(manifest), file });
  } catch (error) {
    await writer.abort();
    throw error;
  } finally {
    await unlink(partial).catch(() => undefined);
  }
}

async function restoreBackup(file: string, target: BackupLocation): Promise<Result<RestoreSummary>> {
  const { manifest } = await readManifest(file);
  const engine = isPostgres(target) ? 'postgres' : 'sqlite';
  if (manifest.engine !== engine)
    return failure(
      'bad-input',
      `this backup is of a ${String(manifest.engine)} database, but the restore target is ${engine}; set DATABASE_URL to match`,
      file,
    );
  if (!(await isEmptyOrAbsent(target.dataDir)))
    return failure(
      'refused',
      'the data folder is not empty: restore only into an empty or new folder',
      target.dataDir,
    );

  const parent = path.dirname(path.resolve(target.dataDir));
  // The first folder mkdir creates, if any: removed again when the restore fails.
  const createdParent = await mkdir(parent, { recursive: true });
  let restored = false;
  const staging = path.join(
    parent,
    `.${path.basename(target.dataDir)}.restoring-${randomBytes(6).toString('hex')}`,
  );
  await mkdir(staging);
  let createdTables = false;
  try {
    const rows = new Map<string, Record<string, unknown>[]>();
    const made = new Map<string, Promise<void>>();
    await readParts(file, async (part, data) => {
      // The database part lands where openDSPT looks for it: the top of the data folder.
      const relative = part.name === `database/${SQLITE_FILE_NAME}` ? SQLITE_FILE_NAME : part.name;
      const dest = path.join(staging, ...relative.split('/'));
      if (!dest.startsWith(staging + path.sep) || part.name.includes('..'))
        throw new ArchiveError(file, part.name, 'the part name points outside the restore folder');
      if (engine === 'postgres' && part.name.startsWith('database/')) {
        const table = part.name.slice('database/'.length, -'.jsonl'.length);
        const text = data.toString('utf8');
        rows.set(
          table,
          text === ''
            ? []
            : text
                .trimEnd()
                .split('\n')
                .map((l) => JSON.parse(l) as Record<string, unknown>),
        );
        return;
      }
      // Parts are written concurrently: every writer to a folder waits for the one mkdir of that folder.
      const dir = path.dirname(dest);
      let making = made.get(dir);
      if (!making) made.set(dir, (making = mkdir(dir, { recursive: true }).then(() => undefined)));
      await making;
      await writeFile(dest, data, { mode: 0o600, flag: 'wx' });
    });

    let figures: DatabaseFigures;
    let auditRows: Record<string, unknown>[] = [];
    if (engine === 'sqlite') {
      const restored = path.join(staging, SQLITE_FILE_NAME);
      const check = new SqliteDatabase(restored, { readonly: true, fileMustExist: true });
      try {
        const result = check.pragma('integrity_check', { simple: true });
        if (result !== 'ok')
          return failure(
            'bad-input',
            `the restored database fails SQLite's integrity check: ${String(result)}`,
            file,
          );
      } finally {
        check.close();
      }
      const tables = readSqliteTables(restored);
      figures = figuresOf(tables);
      auditRows = tables.get('audit_events') ?? [];
    } else {
      const known = Object.keys(await createMigrationProvider('postgres').getMigrations());
      const unknown = ((manifest.migrations as string[] | undefined) ?? []).filter((m) => !known.includes(m));
      if (unknown.length > 0)
        return failure(
          'bad-input',
          `the backup was made by a newer openDSPT (migrations ${unknown.join(', ')} are unknown here)`,
          file,
        );
      const opened = openDatabase({ dataDir: target.dataDir, databaseUrl: target.databaseUrl });
      try {
        const existing = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(opened.db);
        if (Number(existing.rows[0]?.n) > 0)
          return failure(
            'refused',
            'the target database is not empty: restore only into an empty database',
            'DATABASE_URL',
          );
        createdTables = true;
        const migrated = await migrateToLatest(opened.db, 'postgres');
        if (!migrated.ok) throw new Error(migrated.error.message);
        const order = await insertionOrder(opened.db, [...rows.keys()]);
        figures = await opened.db.transaction().execute(async (trx) => {
          for (const table of order) {
            const list = rows.get(table) ?? [];
            const columns = Math.max(1, Object.keys(list[0] ?? {}).length);
            const batch = Math.max(1, Math.floor(30_000 / columns));
            for (let i = 0; i < list.length; i += batch)
              await trx
                .insertInto(table as never)
                .values(list.slice(i, i + batch) as never)
                .execute();
          }
          // The revision triggers raised each organisation's revision as its rows went in; the backup holds
          // the values to keep.
          for (const org of rows.get('organisations') ?? [])
            if (org.revision !== undefined)
              await trx
                .updateTable('organisations')
                .set({ revision: Number(org.revision) })
                .where('id', '=', String(org.id))
                .execute();
          const snapshot = new Map<string, Record<string, unknown>[]>();
          for (const table of [...rows.keys(), 'kysely_migration'])
            snapshot.set(
              table,
              (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(trx)).rows,
            );
          auditRows = snapshot.get('audit_events') ?? [];
          return figuresOf(snapshot);
        });
      } finally {
        await opened.close();
      }
    }

    const problem = compareFigures(manifest, figures);
    if (problem) return failure('bad-input', problem, file);
    const chain = verifyChain(file, auditRows);
    if (chain) return failure('bad-input', chain, file);
    const held = new Set(manifest.parts.map((p) => p.name));
    const missing = figures.evidenceKeys.filter(
      (k) => !held.has(`${EVIDENCE_DIR}/${k.slice(0, 2)}/${k}.enc`),
    );
    if (missing.length > 0)
      return failure(
        'bad-input',
        `the database refers to ${missing.length} evidence file(s) the backup does not hold, first ${missing[0]}`,
        file,
      );

    // Everything checks: move the staged files into place.
    if (!(await exists(target.dataDir))) await rename(staging, target.dataDir);
    else {
      for (const entry of await readdir(staging))
        await rename(path.join(staging, entry), path.join(target.dataDir, entry));
      await rmdir(staging);
    }
    createdTables = false;
    restored = true;
    return success({ ...summaryOf(manifest), target: target.dataDir, engine });
  } finally {
    await rm(staging, { recursive: true, force: true });
    if (createdTables) await dropCreatedTables(target);
    if (!restored && createdParent !== undefined) await rm(createdParent, { recursive: true, force: true });
  }
}

/** The restore created the schema in an empty database and then failed: put the database back as it was. */
async function dropCreatedTables(target: BackupLocation): Promise<void> {
  const opened = openDatabase({ dataDir: target.dataDir, databaseUrl: target.databaseUrl });
  try {
    const names = (
      await sql<{ table_name: string }>`select table_name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(opened.db)
    ).rows.map((r) => r.table_name);
    for (const name of names) await sql`drop table if exists ${sql.table(name)} cascade`.execute(opened.db);
    await sql`drop function if exists refuse_publication_change() cascade`.execute(opened.db);
  } finally {
    await opened.close();
  }
}

function compareFigures(manifest: Manifest, restored: DatabaseFigures): string | undefined {
  const expected = manifest.tables as DatabaseFigures['tables'] | undefined;
  if (!expected) return 'the manifest has no table figures';
  for (const [name, figures] of Object.entries(expected)) {
    if (MIGRATION_TABLES.has(name) && manifest.engine === 'postgres') continue;
    const got = restored.tables[name];
    if (!got) return `table ${name} is missing after the restore`;
    if (got.rows !== figures.rows)
      return `table ${name} has ${got.rows} rows after the restore; the backup holds ${figures.rows}`;
    if (got.digest !== figures.digest) return `table ${name} does not hold the same rows as the backup`;
  }
  if (restored.auditHead !== (manifest.auditHead ?? null))
    return 'the audit chain head after the restore is not the one backed up';
  return undefined;
}

function verifyChain(file: string, rows: Record<string, unknown>[]): string | undefined {
  const verifier = new AuditChainVerifier();
  const events: AuditEvent[] = rows
    .map((r) => ({
      seq: Number(r.seq),
      at: String(r.at),
      actor: String(r.actor),
      action: String(r.action),
      organisationId: r.organisation_id === null ? null : String(r.organisation_id),
      subject: String(r.subject),
      details: String(r.details),
      prevHash: String(r.prev_hash),
      hash: String(r.hash),
    }))
    .sort((a, b) => a.seq - b.seq);
  for (const event of events) {
    const broken = verifier.check(event);
    if (broken)
      return `${path.basename(file)}: the audit chain in the backup is broken at event ${broken.seq}: ${broken.reason}`;
  }
  return undefined;
}

function summaryOf(manifest: Manifest): BackupSummary {
  const tables = (manifest.tables ?? {}) as DatabaseFigures['tables'];
  return {
    createdAt: String(manifest.createdAt),
    engine: manifest.engine === 'postgres' ? 'postgres' : 'sqlite',
    newestDataAt: (manifest.newestDataAt as string | null) ?? null,
    auditEvents: Number(manifest.auditEvents ?? 0),
    evidenceFiles: Number(manifest.evidenceFiles ?? 0),
    evidenceBytes: Number(manifest.evidenceBytes ?? 0),
    parts: manifest.parts.length,
    bytes: manifest.parts.reduce((n, p) => n + p.size, 0),
    rows: Object.fromEntries(Object.entries(tables).map(([name, t]) => [name, t.rows])),
  };
}

async function evidenceFiles(dir: string): Promise<string[]> {
  if (!(await exists(dir))) return [];
  const files: string[] = [];
  for (const shard of (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort())
    for (const name of (await readdir(path.join(dir, shard))).sort())
      // Only finished files: the store writes `<name>.<random>.tmp` and renames it when complete.
      if (/^[0-9a-f]{64}\.enc$/.test(name)) files.push(path.join(dir, shard, name));
  return files;
}

function isPostgres(location: BackupLocation): boolean {
  return location.databaseUrl !== undefined && /^postgres(ql)?:\/\//i.test(location.databaseUrl.trim());
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function isEmptyOrAbsent(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/** A new, empty database on the same PostgreSQL server as `url`, for a drill to restore into. */
export async function createScratchDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `dspt_drill_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return { url: scratch.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}
