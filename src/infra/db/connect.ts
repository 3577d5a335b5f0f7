// Opens the database the configuration names (a SQLite file by default, PostgreSQL for a postgres:// URL)
// and brings its schema up to date.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase as SqliteDatabaseLike,
  type SqliteDialectConfig,
} from 'kysely';
import type { Result } from '../../domain/result.ts';
import { createMigrationProvider } from './migrations.ts';
import { attachReadCache, SqliteReadCache } from './sqlite-read-cache.ts';
import type { Database, Engine } from './tables.ts';

export interface DatabaseConfig {
  /** Folder for the SQLite file (and other local state). */
  dataDir: string;
  /** `postgres://` or `postgresql://` selects PostgreSQL; anything else (or nothing) selects SQLite. */
  databaseUrl?: string | undefined;
  /**
   * Told when PostgreSQL drops an idle pooled connection (a server restart, a failover). The pool replaces the
   * connection by itself; without a listener the error would crash the process.
   */
  onConnectionError?: (error: Error) => void;
}

export interface OpenDatabase {
  db: Kysely<Database>;
  engine: Engine;
  close(): Promise<void>;
}

export const SQLITE_FILE_NAME = 'dspt.sqlite';

// Remembered so that callers holding only the Kysely instance (migrateToLatest) need not say the engine again.
const engines = new WeakMap<Kysely<unknown>, Engine>();

export function openDatabase(config: DatabaseConfig): OpenDatabase {
  const url = config.databaseUrl?.trim();
  if (url !== undefined && /^postgres(ql)?:\/\//i.test(url))
    return remember(openPostgres(url, config.onConnectionError ?? (() => undefined)), 'postgres');
  return remember(openSqlite(config.dataDir), 'sqlite');
}

function remember(db: Kysely<Database>, engine: Engine): OpenDatabase {
  engines.set(db as Kysely<unknown>, engine);
  return { db, engine, close: () => db.destroy() };
}

/** The engine of a database opened by `openDatabase`. */
export function engineOf(db: Kysely<unknown>): Engine {
  const engine = engines.get(db);
  if (engine === undefined)
    throw new Error('engineOf: this database was not opened with openDatabase; pass its engine explicitly');
  return engine;
}

function openPostgres(connectionString: string, onConnectionError: (error: Error) => void): Kysely<Database> {
  // The driver is loaded on first use: SQLite users (and every CLI start) need not pay for it.
  const pool = async () => {
    const { default: pg } = await import('pg');
    const created = new pg.Pool({ connectionString });
    created.on('error', onConnectionError);
    return created;
  };
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

// Open one per process: better-sqlite3 is synchronous, so a second connection in the same process that waits
// for the write lock blocks the very event loop the lock holder needs in order to commit.
function openSqlite(dataDir: string): Kysely<Database> {
  mkdirSync(dataDir, { recursive: true });
  const file = new SqliteDatabase(path.join(dataDir, SQLITE_FILE_NAME));
  // WAL lets readers (say, the CLI) work while the server writes; foreign keys are off by default in SQLite;
  // the busy timeout makes a second process wait for the write lock instead of failing at once.
  file.pragma('journal_mode = WAL');
  file.pragma('foreign_keys = ON');
  file.pragma('busy_timeout = 5000');
  const reads = new SqliteReadCache(file);
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(file, () => reads.noteWrite()) }),
  });
  attachReadCache(db, reads);
  return db;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query afresh, and preparing costs more than running most of ours. The same few
 * dozen statements serve almost every request, so each is prepared once and kept (the oldest dropped past
 * the limit). A statement still being iterated is busy; a fresh one is prepared for that rare case. Every
 * statement that may write is reported to `onWrite` (the read cache's cue to forget what it holds).
 */
function withStatementCache(file: SqliteDatabase.Database, onWrite: () => void): SqliteDatabaseLike {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => file.close(),
    prepare(sql: string) {
      const found = cache.get(sql);
      // Kysely prepares each statement just before running it, so this is where a write is first known.
      const statement = found && !found.busy ? found : file.prepare(sql);
      if (!statement.readonly) onWrite();
      if (!found) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * SQLite's plain `begin` takes the write lock only at the first write, so two processes that both read then
 * write (an audit append reads the last hash first) can deadlock and one fails at once with SQLITE_BUSY.
 * `begin immediate` takes the lock up front, where the busy timeout makes the other wait its turn.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

export interface MigrationFailure {
  /** The migration that failed, when one did (rather than, say, the connection). */
  migration?: string;
  message: string;
}

/** Applies every migration not yet applied; returns the names applied, or what went wrong and where. */
export async function migrateToLatest(
  db: Kysely<Database>,
  engine: Engine = engineOf(db as Kysely<unknown>),
): Promise<Result<string[], MigrationFailure>> {
  const migrator = new Migrator({ db, provider: createMigrationProvider(engine) });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error === undefined) {
    return { ok: true, value: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
  }
  const failed = results.find((r) => r.status === 'Error')?.migrationName;
  const cause = error instanceof Error ? error.message : String(error);
  return failed === undefined
    ? { ok: false, error: { message: `could not migrate the ${engine} database: ${cause}` } }
    : {
        ok: false,
        error: { migration: failed, message: `migration ${failed} failed on ${engine}: ${cause}` },
      };
}
