// Opening the configured engine, the SQLite settings that matter, and clear reports when migration cannot run.
import { createMigrationProvider } from '../../../src/infra/db/migrations.ts';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, test } from 'vitest';
import {
  migrateToLatest,
  openDatabase,
  SQLITE_FILE_NAME,
  type OpenDatabase,
} from '../../../src/infra/db/connect.ts';
import { ENGINES, TEST_DATABASE_URL } from '../../support/databases.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dspt-connect-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function track(opened: OpenDatabase): OpenDatabase {
  cleanups.push(() => opened.close());
  return opened;
}

describe('SQLite', () => {
  test('is the default, in a file under a data folder it creates', async () => {
    const dataDir = path.join(await tempDir(), 'nested', 'data');

    const opened = track(openDatabase({ dataDir }));
    const migrated = await migrateToLatest(opened.db);

    expect(opened.engine).toBe('sqlite');
    const names = Object.keys(await createMigrationProvider('sqlite').getMigrations()).sort();
    expect(names.slice(0, 2)).toEqual(['0001-core', '0002-collector-runs']);
    expect(migrated).toEqual({ ok: true, value: names });
    expect(existsSync(path.join(dataDir, SQLITE_FILE_NAME))).toBe(true);
  });

  test('runs with WAL, foreign keys and a busy timeout', async () => {
    const opened = track(openDatabase({ dataDir: await tempDir(), databaseUrl: '' }));

    const pragma = async (name: string) =>
      Object.values(
        (await sql<Record<string, unknown>>`${sql.raw(`pragma ${name}`)}`.execute(opened.db)).rows[0] ?? {},
      )[0];

    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('busy_timeout')).toBe(5000);
  });
});

describe.runIf(ENGINES.includes('postgres'))('PostgreSQL', () => {
  test.each(['postgres://', 'postgresql://'])('is chosen by a %s URL', async (scheme) => {
    const url = TEST_DATABASE_URL.replace(/^postgres(ql)?:\/\//, scheme);

    const opened = track(openDatabase({ dataDir: await tempDir(), databaseUrl: url }));
    const { rows } = await sql<{ answer: number }>`select 41 + 1 as answer`.execute(opened.db);

    expect(opened.engine).toBe('postgres');
    expect(rows).toEqual([{ answer: 42 }]);
  });

  test('a database that cannot be reached is a failure value that says so', async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = '/dspt_no_such_database';
    const opened = track(openDatabase({ dataDir: await tempDir(), databaseUrl: url.toString() }));

    const migrated = await migrateToLatest(opened.db);

    expect(migrated.ok).toBe(false);
    if (!migrated.ok)
      expect(migrated.error.message).toMatch(
        /^could not migrate the postgres database: .*dspt_no_such_database/,
      );
  });
});
