// A fresh, migrated database per test on each engine: SQLite in a temporary folder, PostgreSQL as a uniquely
// named database on the test server, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Clock, Store } from '../../src/app/ports.ts';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/infra/db/connect.ts';
import { createKyselyStore } from '../../src/infra/db/kysely-store.ts';
import type { Engine } from '../../src/infra/db/tables.ts';

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Every storage test runs on both engines. */
export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];

export interface TestDatabase extends OpenDatabase {
  store: Store;
  /** The settings that open this same database again, as a second process would. */
  config: { dataDir: string; databaseUrl?: string };
  /** Closes every connection and removes the database. */
  drop(): Promise<void>;
}

export async function freshDatabase(engine: Engine, options: { clock?: Clock } = {}): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'dspt-test-'));
  let databaseUrl: string | undefined;
  let name: string | undefined;
  if (engine === 'postgres') {
    name = `dspt_test_${randomBytes(6).toString('hex')}`;
    await withAdmin((admin) => admin.query(`create database ${name}`));
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  }
  const config = databaseUrl === undefined ? { dataDir } : { dataDir, databaseUrl };
  const opened = openDatabase(config);
  const migrated = await migrateToLatest(opened.db, opened.engine);
  if (!migrated.ok) throw new Error(migrated.error.message);
  return {
    ...opened,
    store: createKyselyStore(opened.db, opened.engine, options),
    config,
    async drop() {
      await opened.close();
      if (name !== undefined)
        await withAdmin((admin) => admin.query(`drop database if exists ${name} with (force)`));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
