// `dspt osv import` and `dspt collect vulnerabilities` in-process over real storage: output, exit codes
// (1 for a breach with --fail-on-breach, 2 for bad input) and nothing written on bad input.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { main, type Io } from '../../src/cli/main.ts';
import { ENGINES, freshDatabase, type TestDatabase } from '../support/databases.ts';
import { scratchDir } from '../support/scratch.ts';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/vulnerabilities');
const at = (relative: string) => path.join(FIXTURES, relative);

describe.each(ENGINES)('dspt vulnerability commands on %s', (engine) => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    db = await freshDatabase(engine);
    env = {
      DSPT_DATA_DIR: db.config.dataDir,
      ...(db.config.databaseUrl ? { DATABASE_URL: db.config.databaseUrl } : {}),
      EVIDENCE_KEY: 'ab'.repeat(32),
      DSPT_NOW: '2026-06-01T09:00:00Z',
    };
  });
  afterEach(async () => {
    await db.drop();
  });

  async function dspt(...args: string[]) {
    let out = '';
    let err = '';
    const io: Io = {
      out: (t) => (out += t.endsWith('\n') ? t : `${t}\n`),
      err: (t) => (err += t.endsWith('\n') ? t : `${t}\n`),
      env,
    };
    const code = await main(['node', 'dspt', ...args], io);
    return { code, out, err };
  }
  const runs = async () =>
    Number((await sql<{ n: number }>`select count(*) as n from collector_runs`.execute(db.db)).rows[0]?.n);

  test('on a terminal, a refused scan or import stops its progress bar, so the command can exit', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const wasTty = process.stderr.isTTY;
    process.stderr.isTTY = true;
    try {
      const before = timers();
      const scan = await dspt(
        'collect',
        'vulnerabilities',
        '--org',
        'Z99999',
        '--sbom',
        at('own/inventories/lodash-app.package-lock.json'),
      );
      expect(scan).toMatchObject({ code: 2, err: expect.stringContaining('no organisation') });
      const imported = await dspt('osv', 'import', at('own/inventories/lodash-app.package-lock.json'));
      expect(imported.code).toBe(2);
      // cli-progress redraws on a timer: one left running would keep the process alive.
      expect(timers()).toBeLessThanOrEqual(before);
    } finally {
      process.stderr.isTTY = wasTty;
    }
  });

  test('import, scan, and fail the build on a breach', async () => {
    expect(
      (await dspt('org', 'add', '--ods', 'A81001', '--name', 'Riverside Surgery', '--type', 'gp-practice'))
        .code,
    ).toBe(0);
    const imported = await dspt('osv', 'import', at('osv'));
    expect(imported).toMatchObject({
      code: 0,
      out: expect.stringContaining('Read 4 OSV records from 4 files: 4 added'),
    });

    const scan = await dspt(
      'collect',
      'vulnerabilities',
      '--org',
      'A81001',
      '--sbom',
      at('own/inventories/lodash-app.package-lock.json'),
      '--system',
      'web-1',
      '--at',
      '2026-05-20',
      '--fail-on-breach',
    );
    expect(scan.code).toBe(1);
    expect(scan.out).toContain('4 components on 1 system from 1 file; 4 checked');
    expect(scan.out).toContain('3 findings: 3 past the 14-day deadline');
    expect(scan.out).toContain('1 problem (components skipped):');
    expect(scan.out).toMatch(
      /web-1: lodash 4\.17\.20 CVE-2021-23337 \(HIGH 7\.2\), fixed in 4\.17\.21, deadline 2021-05-20/,
    );
    expect(scan.out).toContain('Recorded as evidence for 8.4.3.');

    const json = await dspt(
      'collect',
      'vulnerabilities',
      '--org',
      'A81001',
      '--sbom',
      at('own/inventories/requests.spdx.json'),
      '--json',
    );
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.out) as {
      totals: { findings: number; breached: number };
      findings: { id: string }[];
      linked: string[];
    };
    expect(parsed.totals).toMatchObject({ findings: 1, breached: 0 });
    expect(parsed.findings[0]!.id).toBe('CVE-2023-32681');
    expect(parsed.linked).toEqual(['8.3.1', '8.4.3']);
    expect(await runs()).toBe(2);
  });

  test.each<[string, (dir: string) => Promise<string[]>, RegExp]>([
    [
      'a missing file',
      async () => ['collect', 'vulnerabilities', '--org', 'A81001', '--sbom', '/nowhere/bom.json'],
      /error: \/nowhere\/bom\.json: cannot read this file/,
    ],
    [
      'an unknown format',
      async (d) => {
        await writeFile(path.join(d, 'bom.json'), '{"hello":1}');
        return ['collect', 'vulnerabilities', '--org', 'A81001', '--sbom', path.join(d, 'bom.json')];
      },
      /bom\.json: unknown format/,
    ],
    [
      'bad SLA days',
      async () => [
        'collect',
        'vulnerabilities',
        '--org',
        'A81001',
        '--sbom',
        at('own/inventories/requests.spdx.json'),
        '--sla-days',
        'two',
      ],
      /--sla-days: expected a whole number of days/,
    ],
    [
      'an unknown organisation',
      async () => [
        'collect',
        'vulnerabilities',
        '--org',
        'Z99999',
        '--sbom',
        at('own/inventories/requests.spdx.json'),
      ],
      /no organisation with ODS code Z99999/,
    ],
    [
      'a corrupt zip',
      async (d) => {
        await writeFile(path.join(d, 'all.zip'), 'PK\u0003\u0004 this is not really a zip');
        return ['osv', 'import', path.join(d, 'all.zip')];
      },
      /all\.zip: not a readable zip file/,
    ],
  ])('%s exits 2 and writes nothing', async (_, args, message) => {
    await dspt('org', 'add', '--ods', 'A81001', '--name', 'Riverside Surgery', '--type', 'gp-practice');
    const dir = await scratchDir('dspt-cli-vuln-');
    const result = await dspt(...(await args(dir)));
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(await runs()).toBe(0);
  });
});
