// Keeps the answers of the few lookups every page makes (the session and its user, the organisation, its
// members) for as long as the SQLite database is unchanged, and not a moment longer. Through Kysely such a
// lookup costs tens of microseconds; asking SQLite whether anything changed costs about two.
//
// "Unchanged" has two halves. A write through this connection is seen as it is prepared (the statement
// cache tells us of every statement that is not a read). A commit by any other connection, such as a `dspt`
// command run beside the server, moves SQLite's `data_version`, which is read afresh on every lookup. Either
// drops everything kept, so a sign-out, a lock or a role change made anywhere applies to the very next request.
// PostgreSQL has no such cheap check, and may be shared by several servers, so it reads every time.
import type SqliteDatabase from 'better-sqlite3';
import { deepFreeze } from '../../app/frozen.ts';

/** Past this many answers kept, all are dropped: a simple bound, since any write drops them anyway. */
const MAX_ENTRIES = 10_000;

export class SqliteReadCache {
  readonly #dataVersion: SqliteDatabase.Statement<[], number>;
  readonly #entries = new Map<string, unknown>();
  #writes = 0;
  #seenWrites = 0;
  #seenVersion = -1;

  constructor(file: SqliteDatabase.Database) {
    this.#dataVersion = file.prepare<[], number>('pragma data_version').pluck();
  }

  /** Told of every statement about to run that may change the database (including begin and commit). */
  noteWrite(): void {
    this.#writes++;
  }

  /**
   * The answer kept for `key`, or `load`'s, kept (deeply frozen, as callers share it) when nothing was
   * written while it loaded. `load` must depend only on the database and `key`.
   */
  async read<T>(key: string, load: () => Promise<T>): Promise<T> {
    this.#forgetIfChanged();
    if (this.#entries.has(key)) return this.#entries.get(key) as T;
    const writes = this.#writes;
    const version = this.#seenVersion;
    const value = await load();
    // Another request may have written, or another process committed, while this one waited for the
    // connection: then the value may already be out of date, and is returned but not kept.
    this.#forgetIfChanged();
    if (this.#writes === writes && this.#seenVersion === version) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      this.#entries.set(key, deepFreeze(value));
    }
    return value;
  }

  #forgetIfChanged(): void {
    const version = this.#dataVersion.get()!;
    if (version === this.#seenVersion && this.#writes === this.#seenWrites) return;
    this.#entries.clear();
    this.#seenVersion = version;
    this.#seenWrites = this.#writes;
  }
}

const caches = new WeakMap<object, SqliteReadCache>();

/** Gives the database handle (the top-level Kysely instance) its cache. */
export function attachReadCache(db: object, cache: SqliteReadCache): void {
  caches.set(db, cache);
}

/**
 * Reads through the cache of `db` where it has one. Only a top-level SQLite database does: PostgreSQL reads
 * every time, and so does a transaction, whose reads must see its own writes.
 */
export function cachedReads(db: object): <T>(key: string, load: () => Promise<T>) => Promise<T> {
  const cache = caches.get(db);
  return cache ? (key, load) => cache.read(key, load) : (_key, load) => load();
}
