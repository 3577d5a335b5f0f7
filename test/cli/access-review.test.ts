// `dspt collect access-review` and `dspt review ...` in-process over real storage on both engines: the
// output, --fail-on exit codes for CI, bad input that writes nothing, and a review through to sign-off.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { main, type Io } from '../../src/cli/main.ts';
import { ENGINES, freshDatabase, type TestDatabase } from '../support/databases.ts';
import { scratchDir } from '../support/scratch.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/access-review');
const fx = (name: string) => path.join(FIXTURES, name);

describe.each(ENGINES)('dspt access review on %s', (engine) => {
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
    await dspt('org', 'add', '--ods', 'A81001', '--name', 'Riverside Surgery', '--type', 'gp-practice');
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
  const count = async (table: string) =>
    Number(
      (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db.db)).rows[0]?.n,
    );
  const collect = (...extra: string[]) =>
    dspt(
      'collect',
      'access-review',
      '--org',
      'A81001',
      '--idp',
      fx('entra-users.json'),
      '--mfa',
      fx('entra-mfa.json'),
      '--hr',
      fx('hr.csv'),
      '--training',
      fx('training.csv'),
      '--at',
      '2026-05-31',
      ...extra,
    );

  test('collects, starts a review, and exits 1 with --fail-on when leavers are found', async () => {
    const run = await collect('--fail-on', 'leaver,dormant');
    expect(run.code).toBe(1);
    expect(run.err).toContain('Found: 2 leavers still enabled; 2 dormant accounts.');
    expect(run.out).toContain(
      'Leavers still enabled (more than 1 days after leaving): 2; already disabled: 1.',
    );
    expect(run.out).toContain('No HR match: 1 staff-type, 1 guests, 1 service accounts.');
    expect(run.out).toMatch(/3\.2\.1 +gap +57\.1% of 7 active staff/);
    expect(run.out).toMatch(/Review [0-9a-f]{8} started with 3 reviewer tasks/);
    expect(await count('access_review_items')).toBe(13);
  });

  test('--dry-run --json reports without starting a review; a clean --fail-on exits 0', async () => {
    const run = await collect('--dry-run', '--json', '--fail-on', 'drift');
    expect(run.code).toBe(0);
    const body = JSON.parse(run.out) as {
      reviewId: null;
      summary: { found: { leaver: number } };
      inputs: { role: string }[];
    };
    expect(body.reviewId).toBeNull();
    expect(body.summary.found.leaver).toBe(2);
    expect(body.inputs.map((i) => i.role)).toEqual(['hr', 'idp:entra-users', 'mfa:entra-mfa', 'training']);
    expect(await count('access_reviews')).toBe(0);
  });

  test.each<[string, string[], RegExp]>([
    ['a missing file', ['--idp', fx('nope.json')], /nope\.json: cannot read this file/],
    ['a bad date', ['--at', '2026-02-30'], /--at: "2026-02-30" is not a date/],
    ['an unknown --fail-on', ['--fail-on', 'leavers'], /--fail-on: unknown leavers/],
    ['an unknown format', ['--format', 'ldap'], /--format: unknown format "ldap"/],
    [
      'the wrong file for --hr',
      ['--hr', fx('training.csv')],
      /training\.csv:1: no employee number column|leave date or status/,
    ],
  ])('%s exits 2 and records nothing', async (_name, args, message) => {
    const base = ['--idp', fx('entra-users.json'), '--hr', fx('hr.csv'), '--at', '2026-05-31'];
    const merged = [...base];
    for (let i = 0; i < args.length; i += 2) {
      const at = merged.indexOf(args[i]!);
      if (at === -1) merged.push(args[i]!, args[i + 1]!);
      else merged[at + 1] = args[i + 1]!;
    }
    const run = await dspt('collect', 'access-review', '--org', 'A81001', ...merged);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
    expect(await count('access_reviews')).toBe(0);
  });

  test('list, show, decide and sign off: the review becomes evidence in the assessment', async () => {
    await collect();
    const listed = await dspt('review', 'list', 'A81001');
    expect(listed.out).toMatch(/^[0-9a-f]{8} {2}2026-05-31 {2}open {2}0 of 13 accounts decided/);
    const shown = await dspt('review', 'show', 'A81001', '--findings');
    expect(shown.out).toContain(
      'dan.smith@riverside.nhs.uk  recommend remove  [leaver: left on 2026-03-31, 61 days ago',
    );

    expect((await dspt('review', 'decide', 'A81001', 'dan.smith@riverside.nhs.uk', '--remove')).code).toBe(2);
    expect(
      (
        await dspt(
          'review',
          'decide',
          'A81001',
          'dan.smith@riverside.nhs.uk',
          '--keep',
          '--remove',
          '--why',
          'x',
        )
      ).code,
    ).toBe(2);
    const decided = await dspt(
      'review',
      'decide',
      'A81001',
      'dan.smith@riverside.nhs.uk',
      '--remove',
      '--why',
      'Left in March',
    );
    expect(decided.out).toBe('Decided remove for dan.smith@riverside.nhs.uk.\n');

    const early = await dspt('review', 'sign-off', 'A81001', '--reviewer', 'Dr Asha Patel');
    expect(early.code).toBe(1);
    expect(early.err).toMatch(/12 accounts have no decision yet/);

    const detail = JSON.parse((await dspt('review', 'show', 'A81001', '--json')).out) as {
      items: { accountId: string; recommendation: string; decision: string | null }[];
    };
    for (const item of detail.items.filter((i) => i.decision === null))
      expect(
        (
          await dspt(
            'review',
            'decide',
            'A81001',
            item.accountId,
            `--${item.recommendation}`,
            '--why',
            'Reviewed with the team',
          )
        ).code,
      ).toBe(0);
    const reviewId = (
      JSON.parse((await dspt('review', 'list', 'A81001', '--json')).out) as { review: { id: string } }[]
    )[0]!.review.id;
    const signed = await dspt(
      'review',
      'sign-off',
      'A81001',
      reviewId.slice(0, 8),
      '--reviewer',
      'Dr Asha Patel',
    );
    expect(signed.code).toBe(0);
    expect(signed.out).toContain('signed off by Dr Asha Patel; recorded as evidence dated 2026-05-31');
    expect(signed.out).toContain('Linked to 4.1.1, 4.2.4.');
    expect((await dspt('audit', 'verify')).code).toBe(0);
    expect(await count('collector_runs')).toBe(1);
  });

  test('an unknown organisation is not found', async () => {
    const run = await dspt('review', 'list', 'Y99999');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/no organisation with ODS code Y99999/);
  });
});

test('a dry run needs no database: it opens none and makes no data folder', async () => {
  const dataDir = path.join(await scratchDir('dspt-dry-'), 'not-made');
  let out = '';
  const code = await main(
    [
      'node',
      'dspt',
      'collect',
      'access-review',
      '--org',
      'A81001',
      '--idp',
      fx('entra-users.json'),
      '--hr',
      fx('hr.csv'),
      '--dry-run',
      '--json',
    ],
    {
      out: (t) => (out += t),
      err: () => undefined,
      env: { DSPT_DATA_DIR: dataDir, EVIDENCE_KEY: 'ab'.repeat(32), DSPT_NOW: '2026-06-01T09:00:00Z' },
    },
  );
  expect(code).toBe(0);
  expect((JSON.parse(out) as { summary: { at: string } }).summary.at).toBe('2026-06-01');
  expect(existsSync(dataDir)).toBe(false);
});
