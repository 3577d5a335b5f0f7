// The dspt command in-process over real storage on both engines: output, exit codes, and bad input that
// names the place and writes nothing.
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { main, type Io } from '../../src/cli/main.ts';
import { DEFAULT_CATALOGUE_DIR } from '../../src/infra/catalogue-loader.ts';
import { ENGINES, freshDatabase, type TestDatabase } from '../support/databases.ts';
import { scratchDir } from '../support/scratch.ts';

interface Run {
  code: number;
  out: string;
  err: string;
}

describe.each(ENGINES)('dspt on %s', (engine) => {
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

  async function dspt(...args: string[]): Promise<Run> {
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
  const auditRows = async () =>
    Number((await sql<{ n: number }>`select count(*) as n from audit_events`.execute(db.db)).rows[0]?.n);

  test('registers, answers, reports status with reasons, plans and publishes', async () => {
    expect(
      await dspt(
        'org',
        'add',
        '--ods',
        'B82002',
        '--name',
        'Sunrise Care Home',
        '--type',
        'care-home',
        '--cert',
        'cyber-essentials-plus:CEP-0042:2027-03-31',
      ),
    ).toMatchObject({
      code: 0,
      out: expect.stringContaining('category 3'),
    });
    const listed = await dspt('org', 'list', '--json');
    expect(JSON.parse(listed.out)).toEqual([
      expect.objectContaining({
        odsCode: 'B82002',
        certifications: [{ kind: 'cyber-essentials-plus', number: 'CEP-0042', expires: '2027-03-31' }],
      }),
    ]);

    const first = await dspt('status', 'B82002', '--check');
    expect(first.code).toBe(1);
    expect(first.out).toContain('Status: Standards Not Met');
    expect(first.out).toMatch(/1\.1\.1 [^\n]*: not answered yet/);

    const show = JSON.parse((await dspt('catalogue', 'show', '--category', '3', '--json')).out) as {
      items: { id: string; mandatory: boolean; responseType: string; exemptedBy: string[] }[];
    };
    for (const item of show.items.filter(
      (i) => i.mandatory && !i.exemptedBy.includes('cyber-essentials-plus'),
    )) {
      const answer =
        item.responseType === 'yes-no'
          ? ['--yes']
          : item.responseType === 'date'
            ? ['--date', '2026-05-01']
            : ['--text', 'In the governance folder'];
      const r = await dspt('answer', 'B82002', item.id, ...answer);
      expect(r, `${item.id}: ${r.err}`).toMatchObject({ code: 0 });
    }
    const exceeded = await dspt('status', 'B82002', '--check', '--json');
    expect(exceeded.code).toBe(0);
    expect(JSON.parse(exceeded.out)).toMatchObject({
      status: 'standards-exceeded',
      label: 'Standards Exceeded',
    });

    await dspt('answer', 'B82002', '3.2.1', '--yes', '--value', '80');
    const below = await dspt('status', 'B82002');
    expect(below.out).toContain('3.2.1');
    expect(below.out).toContain('80%; at least 95% is needed');

    const refused = await dspt(
      'publish',
      'B82002',
      '--kind',
      'final',
      '--signer',
      'Pat Jones',
      '--role',
      'Registered manager',
    );
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('improvement plan');
    expect((await dspt('plan', 'B82002', '--owner', 'Pat Jones')).out).toContain('3.2.1: the share of staff');
    const published = await dspt(
      'publish',
      'B82002',
      '--kind',
      'final',
      '--signer',
      'Pat Jones',
      '--role',
      'Registered manager',
      '--json',
    );
    expect(published.code).toBe(0);
    expect(JSON.parse(published.out)).toMatchObject({
      kind: 'final',
      signerName: 'Pat Jones',
      snapshot: { organisation: { odsCode: 'B82002' } },
    });

    expect(await dspt('audit', 'verify')).toMatchObject({
      code: 0,
      out: expect.stringMatching(/Audit chain intact: \d+ events verified/),
    });
    await sql`update audit_events set details = '{}' where seq = 2`.execute(db.db);
    const broken = await dspt('audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.err).toContain('Audit chain broken at event 2');
  });

  test.each<[string, string[], RegExp]>([
    [
      'an unknown ODS code',
      ['answer', 'Y99999', '1.1.1', '--text', 'x'],
      /no organisation with ODS code Y99999/,
    ],
    [
      'an unknown item',
      ['answer', 'A81001', '1.1.9', '--yes'],
      /item 1\.1\.9: there is no evidence item 1\.1\.9/,
    ],
    [
      'a response of the wrong type',
      ['answer', 'A81001', '3.2.1', '--text', 'all of them'],
      /item 3\.2\.1 expects a yes or no answer/,
    ],
    [
      'two answers at once',
      ['answer', 'A81001', '3.2.1', '--yes', '--no'],
      /expected exactly one of --yes, --no/,
    ],
    [
      'a missing file',
      ['answer', 'A81001', '1.1.2', '--file', '/nonexistent/iar.pdf'],
      /\/nonexistent\/iar\.pdf: cannot read this file/,
    ],
    ['a bad value', ['answer', 'A81001', '3.2.1', '--yes', '--value', 'lots'], /--value: expected a number/],
    ['a bad date', ['status', 'A81001', '--at', '2026-13-01'], /--at: "2026-13-01" is not a date/],
    [
      'an unknown type',
      ['org', 'add', '--ods', 'C83003', '--name', 'X', '--type', 'spaceport'],
      /--type: unknown organisation type "spaceport"/,
    ],
    [
      'a bad certification',
      ['org', 'add', '--ods', 'C83003', '--name', 'X', '--type', 'pharmacy', '--cert', 'ce+'],
      /expected kind:number:expiry/,
    ],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    [
      'a bad export format',
      ['export', 'A81001', '--format', 'xml'],
      /--format: "xml" is not an export format/,
    ],
  ])('%s: exit 2, one clear line, nothing written', async (_name, args, message) => {
    await dspt('org', 'add', '--ods', 'A81001', '--name', 'Riverside Surgery', '--type', 'gp-practice');
    const before = await auditRows();
    const r = await dspt(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(await auditRows()).toBe(before);
  });

  test('export and import round-trip through files, and a malformed CSV row is refused whole', async () => {
    await dspt('org', 'add', '--ods', 'A81001', '--name', 'Riverside Surgery', '--type', 'gp-practice');
    await dspt('org', 'add', '--ods', 'A81002', '--name', 'Hillside Surgery', '--type', 'gp-practice');
    await dspt('answer', 'A81001', '1.1.1', '--text', 'ZA123456', '--comment', 'Renewed, "annually"');
    await dspt('answer', 'A81001', '3.2.1', '--yes', '--value', '96.5');
    const dir = await scratchDir('dspt-cli-');
    const file = path.join(dir, 'answers.csv');
    expect((await dspt('export', 'A81001', '--format', 'csv', '--output', file)).code).toBe(0);
    expect((await dspt('import', 'A81002', file)).out).toContain('Imported 2 item answers');
    expect((await dspt('export', 'A81002', '--format', 'csv')).out).toBe(await readFile(file, 'utf8'));

    const text = await readFile(file, 'utf8');
    await writeFile(file, `${text}item,1.2.4,yes-no,"yes,,,,,\n`);
    const before = await auditRows();
    const bad = await dspt('import', 'A81002', file);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/answers\.csv line 4: not valid CSV/);
    expect(await auditRows()).toBe(before);
  });
});

describe('dspt catalogue check', () => {
  async function check(dir: string): Promise<Run> {
    let out = '';
    let err = '';
    const io: Io = { out: (t) => (out += t), err: (t) => (err += t), env: {} };
    const code = await main(['node', 'dspt', 'catalogue', 'check', '--dir', dir], io);
    return { code, out, err };
  }

  test('the shipped catalogue is valid: 45 items for GP practices, 29 mandatory, 47 CAF outcomes', async () => {
    const r = await check(DEFAULT_CATALOGUE_DIR);
    expect(r.code).toBe(0);
    expect(r.out).toContain('category 4: 45 evidence items, 29 mandatory');
    expect(r.out).toContain('category 1: CAF-aligned, 47 outcomes in 5 objectives');
  });

  test.each<[string, (text: string) => string, string, RegExp]>([
    [
      'a typo in a response type',
      (t) => t.replace('responseType: yes-no', 'responseType: yes-or-no'),
      'standards.yaml',
      /standards\.yaml:\d+ standards\[\d+\]\.assertions\[\d+\]\.items\[\d+\]\.responseType: /,
    ],
    [
      'an unknown certification',
      (t) => t.replace('exemptedBy: [cyber-essentials-plus]', 'exemptedBy: [cyber-essentials-pluss]'),
      'standards.yaml',
      /standards\.yaml:\d+ .*exemptedBy\[0\]: /,
    ],
    [
      'a misplaced item ID',
      (t) => t.replace('id: "1.1.2"', 'id: "2.1.2"'),
      'standards.yaml',
      /standards\.yaml:\d+ standards\[0\]\.assertions\[0\]\.items\[1\]\.id: expected an item of assertion 1\.1/,
    ],
    [
      'an indicator in the wrong column',
      (t) => t.replace('id: A1.a.NA.1', 'id: A1.a.A.9'),
      'caf/objective-a.yaml',
      /objective-a\.yaml:\d+ objective\.principles\[0\]\.outcomes\[0\]\.indicators\.not-achieved\[0\]\.id: expected A1\.a\.NA\.N/,
    ],
    [
      'an unknown profile',
      (t) => t.replace('profile: nhs-caf-2025-26, source: facts }', 'profile: nhs-caf-2024, source: facts }'),
      'catalogue.yaml',
      /catalogue\.yaml:\d+ organisationTypes\[0\]\.profile: profile "nhs-caf-2024" is not defined/,
    ],
    [
      'broken YAML',
      (t) => t.replace('standards:', 'standards: [oops'),
      'standards.yaml',
      /standards\.yaml:\d+: not valid YAML/,
    ],
  ])('%s is reported with file, line and path, exit 2', async (_name, edit, file, message) => {
    const dir = await scratchDir('dspt-catalogue-');
    await cp(DEFAULT_CATALOGUE_DIR, dir, { recursive: true });
    const target = path.join(dir, '2025-26', file);
    const original = await readFile(target, 'utf8');
    const changed = edit(original);
    expect(changed).not.toBe(original);
    await writeFile(target, changed);
    const r = await check(dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
