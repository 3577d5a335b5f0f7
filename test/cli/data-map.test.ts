// The data-map, DR-test and backup commands in-process over real storage on both engines: output, exit codes,
// and bad input that names the place and writes nothing.
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { main, type Io } from '../../src/cli/main.ts';
import { createScratchDatabase } from '../../src/infra/backup/backup-store.ts';
import { ENGINES, freshDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/databases.ts';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/data-map');
const shop = readdirSync(path.join(FIXTURES, 'kubernetes')).map((f) => path.join(FIXTURES, 'kubernetes', f));

interface Run {
  code: number;
  out: string;
  err: string;
}

describe.each(ENGINES)('dspt data map, DR tests and backups on %s', (engine) => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let work: string;

  beforeEach(async () => {
    db = await freshDatabase(engine);
    work = await mkdtemp(path.join(tmpdir(), 'dspt-cli-'));
    env = {
      DSPT_DATA_DIR: db.config.dataDir,
      ...(db.config.databaseUrl ? { DATABASE_URL: db.config.databaseUrl } : {}),
      EVIDENCE_KEY: 'ab'.repeat(32),
      DSPT_NOW: '2026-06-01T09:00:00Z',
    };
    expect(
      (await dspt('org', 'add', '--ods', 'A81001', '--name', 'Riverside Surgery', '--type', 'gp-practice'))
        .code,
    ).toBe(0);
  });
  afterEach(async () => {
    await db.drop();
    await rm(work, { recursive: true, force: true });
  });

  async function dspt(...args: string[]): Promise<Run> {
    return dsptWith(env, ...args);
  }
  async function dsptWith(environment: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
    let out = '';
    let err = '';
    const io: Io = {
      out: (t) => (out += t.endsWith('\n') ? t : `${t}\n`),
      err: (t) => (err += t.endsWith('\n') ? t : `${t}\n`),
      env: environment,
    };
    const code = await main(['node', 'dspt', ...args], io);
    return { code, out, err };
  }
  const runs = async () =>
    Number((await sql<{ n: number }>`select count(*) as n from collector_runs`.execute(db.db)).rows[0]?.n);

  test('collect data-map: the register in plain English, then JSON with the changes', async () => {
    const first = await dspt(
      'collect',
      'data-map',
      '--org',
      'A81001',
      '--k8s',
      ...shop,
      '--at',
      '2026-05-01',
    );
    expect(first.code).toBe(0);
    expect(first.out).toContain("redis-cart (store): unclassified: needs an owner's decision");
    expect(first.out).toContain('Next: classify k8s:default/redis-cart');

    const second = await dspt(
      'collect',
      'data-map',
      '--org',
      'A81001',
      '--k8s',
      ...shop,
      '--terraform',
      path.join(FIXTURES, 'terraform/version_3_state.json'),
      '--declare',
      path.join(FIXTURES, 'declaration.yaml'),
      '--json',
    );
    expect(second.code).toBe(0);
    const json = JSON.parse(second.out) as {
      linked: string[];
      changes: { storesAdded: string[] };
      flows: { from: string; to: string; personal: boolean }[];
    };
    expect(json.linked).toEqual([]); // the Terraform stores are not classified yet
    expect(json.changes.storesAdded).toContain('tf:module.cycloid.aws_db_instance.website');
    expect(json.flows).toContainEqual(
      expect.objectContaining({
        from: 'k8s:default/cartservice',
        to: 'k8s:default/redis-cart',
        personal: true,
      }),
    );
  });

  test.each([
    [
      'an unknown state version',
      ['--terraform', path.join(FIXTURES, 'terraform/invalid_version_state.json')],
      /invalid_version_state\.json: version: unknown Terraform state version 2/,
    ],
    ['a missing file', ['--k8s', path.join(FIXTURES, 'nope.yaml')], /nope\.yaml: cannot read this file/],
  ])('collect data-map refuses %s with exit 2 and writes nothing', async (_label, args, message) => {
    const result = await dspt('collect', 'data-map', '--org', 'A81001', ...args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(await runs()).toBe(0);
  });

  test('dr record and dr list: a failure, its retest, and bad durations', async () => {
    const failed = await dspt(
      'dr',
      'record',
      '--org',
      'A81001',
      '--type',
      'full',
      '--scenario',
      'Server room flood',
      '--systems',
      'EMIS, File server',
      '--date',
      '2026-05-01',
      '--rto-target',
      '4h',
      '--rto',
      '9h',
      '--rpo-target',
      '24h',
      '--rpo',
      '2h',
      '--integrity',
      '--result',
      'pass',
      '--action',
      'Move the server upstairs|Practice manager|2026-06-30',
    );
    expect(failed.code).toBe(0);
    expect(failed.out).toContain('FAILED');
    expect(failed.out).toContain('over the 4 h objective (RTO)');
    let listed = await dspt('dr', 'list', 'A81001');
    expect(listed.out).toContain('retest due by 2026-05-31');
    const passed = await dspt(
      'dr',
      'record',
      '--org',
      'A81001',
      '--type',
      'functional',
      '--scenario',
      'Server room flood, retest',
      '--systems',
      'EMIS',
      '--date',
      '2026-05-20',
      '--rto-target',
      '4h',
      '--rto',
      '3h',
      '--rpo-target',
      '24h',
      '--rpo',
      '2h',
      '--integrity',
      '--result',
      'pass',
    );
    expect(passed.out).toContain('Evidence for 7.1.2, 7.3.2, 7.3.4.');
    listed = await dspt('dr', 'list', 'A81001', '--json');
    expect(JSON.parse(listed.out)).toMatchObject({ standing: { lastPass: '2026-05-20', openFailure: null } });
    const bad = await dspt(
      'dr',
      'record',
      '--org',
      'A81001',
      '--type',
      'full',
      '--scenario',
      's',
      '--systems',
      'x',
      '--rto-target',
      'soon',
      '--rpo-target',
      '1h',
      '--result',
      'pass',
    );
    expect(bad).toMatchObject({ code: 2, err: expect.stringContaining('--rto-target: expected a duration') });
  });

  test('backup, restore elsewhere, refuse a non-empty folder, and the DR drill recorded as a test', async () => {
    await dspt(
      'collect',
      'data-map',
      '--org',
      'A81001',
      '--k8s',
      ...shop,
      '--declare',
      path.join(FIXTURES, 'declaration.yaml'),
    );
    const archive = path.join(work, 'dspt.dsptbak');
    const backup = await dspt('backup', archive);
    expect(backup.code).toBe(0);
    expect(backup.out).toMatch(/Backed up to .*: the (sqlite|postgres) database \(\d+ audit events/);

    const elsewhere: NodeJS.ProcessEnv = { ...env, DSPT_DATA_DIR: path.join(work, 'restored') };
    const scratch = engine === 'postgres' ? await createScratchDatabase(TEST_DATABASE_URL) : undefined;
    if (scratch) elsewhere.DATABASE_URL = scratch.url;
    try {
      const restored = await dsptWith(elsewhere, 'restore', archive);
      expect(restored.code).toBe(0);
      expect(restored.out).toMatch(/\d+ audit events \(chain verified\), \d+ evidence files/);
      expect(await dsptWith(elsewhere, 'audit', 'verify')).toMatchObject({
        code: 0,
        out: expect.stringContaining('Audit chain intact'),
      });
      const again = await dsptWith(elsewhere, 'restore', archive);
      expect(again.code).toBe(1);
      expect(again.err).toContain('not empty');
    } finally {
      await scratch?.drop();
    }

    const bytes = await readFile(archive);
    const middle = bytes.length >> 1;
    bytes[middle] = bytes[middle]! ^ 0xff;
    await writeFile(archive, bytes);
    const altered = await dsptWith({ ...env, DSPT_DATA_DIR: path.join(work, 'other') }, 'restore', archive);
    expect(altered.code).toBe(2);
    expect(altered.err).toMatch(/dspt\.dsptbak: .*(SHA-256|altered|damaged)/);

    const drill = await dspt('dr-drill', '--org', 'A81001', '--rto-target', '15m');
    expect(drill.err).toBe('');
    expect(drill.code).toBe(0);
    expect(drill.out).toContain('DR drill passed.');
    expect(drill.out).toContain('Recorded as a DR test of A81001: passed.');
    const listed = JSON.parse((await dspt('dr', 'list', 'A81001', '--json')).out) as {
      tests: { systems: string[]; passed: boolean; rtoMeasuredSeconds: number }[];
    };
    expect(listed.tests[0]).toMatchObject({
      systems: ['openDSPT (database and evidence store)'],
      passed: true,
    });
    expect(listed.tests[0]!.rtoMeasuredSeconds).toBeLessThan(900);
  });
});
