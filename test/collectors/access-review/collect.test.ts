// The collector over realistic exports from each identity provider, the tricky cases the review must get
// right, and bad input that names the file and line.
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AccountResult, Analysis } from '../../../src/collectors/access-review/analyse.ts';
import { collectAccessReview, type CollectFiles } from '../../../src/collectors/access-review/collect.ts';
import { DEFAULT_POLICY, type IdpFormat } from '../../../src/collectors/access-review/model.ts';
import { outstanding, summarise, undecided } from '../../../src/collectors/access-review/review.ts';

export const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/access-review');
const fx = (name: string) => path.join(FIXTURES, name);
const policy = { ...DEFAULT_POLICY, at: '2026-05-31' };

async function collect(files: Partial<CollectFiles> & { idp: string }, format?: IdpFormat) {
  const result = await collectAccessReview(
    { hr: fx('hr.csv'), ...files },
    { policy, ...(format ? { format } : {}) },
  );
  if (!result.ok) throw new Error(`${result.error.where}: ${result.error.message}`);
  return result.value.analysis;
}

const byLogin = (results: AccountResult[], login: string) => results.find((r) => r.account.login === login)!;
const kinds = (r: AccountResult) => r.findings.map((f) => f.kind);
/** Counted account by account, as at sign-off, with nothing decided yet. */
const beforeDecisions = (a: Analysis) =>
  outstanding(
    a.results
      .filter((r) => r.account.enabled)
      .map((r) => ({
        findings: r.findings,
        kind: r.account.kind,
        privileged: r.account.privileged,
        decision: null,
      })),
  );

describe('Entra ID: Graph users with sign-in activity, and userRegistrationDetails for MFA', () => {
  let a: Awaited<ReturnType<typeof collect>>;
  beforeAll(async () => {
    a = await collect({
      idp: fx('entra-users.json'),
      mfa: fx('entra-mfa.json'),
      training: fx('training.csv'),
    });
  });

  test('counts each list without making it; before decisions, everything found is outstanding', () => {
    expect(a.found).toEqual({
      leavers: a.leavers.length,
      unmatchedMembers: a.unmatched.members.length,
      unmatchedGuests: a.unmatched.guests.length,
      unmatchedService: a.unmatched.service.length,
      dormant: a.dormant.length,
      noMfa: a.noMfa.length,
      noMfaPrivileged: a.noMfa.filter((r) => r.account.privileged === true).length,
      roleDrift: a.roleDrift.length,
    });
    expect(a.found.noMfaPrivileged).toBeGreaterThan(0);
    expect(undecided(summarise(a))).toEqual(beforeDecisions(a));
    expect(undecided(summarise(a)).noMfa).toBeGreaterThan(0);
  });

  test('recognises the format and what it can tell', () => {
    expect(a.source).toMatchObject({ format: 'entra-users', mfaFormat: 'entra-mfa' });
    expect(a.notDeterminable.dormant).toBeUndefined();
    expect(a.notDeterminable['no-mfa']).toBeUndefined();
  });

  test('a leaver with an enabled account is found; one disabled in time is not', () => {
    expect(a.leavers.map((r) => r.account.login)).toEqual([
      'dan.smith@riverside.nhs.uk',
      'fgreen@riverside.nhs.uk',
    ]);
    expect(byLogin(a.results, 'dan.smith@riverside.nhs.uk').findings[0]!.detail).toMatch(
      /left on 2026-03-31, 61 days ago/,
    );
    expect(kinds(byLogin(a.results, 'eve.brown@riverside.nhs.uk'))).toEqual([]);
    expect(a.counts.leaversDisabled).toBe(1);
  });

  test('a leaver within the grace period is not yet a finding', () => {
    expect(kinds(byLogin(a.results, 'jack.moss@riverside.nhs.uk'))).toEqual([]);
    expect(a.counts.leaversWithinGrace).toBe(1);
  });

  test('a leaver rehired under a new account: the old account is a leaver, the new one is clean', () => {
    expect(kinds(byLogin(a.results, 'fgreen@riverside.nhs.uk'))).toEqual(['leaver', 'dormant', 'no-mfa']);
    const rehired = byLogin(a.results, 'frank.green2@riverside.nhs.uk');
    expect(rehired.hr?.employeeNumber).toBe('E106');
    expect(kinds(rehired)).toEqual([]);
  });

  test('an account without an employee number is matched by e-mail, whatever its case', () => {
    const gina = byLogin(a.results, 'Gina.Hall@Riverside.nhs.uk');
    expect(gina).toMatchObject({ matchedBy: 'email', hr: { employeeNumber: 'E007' } });
    expect(a.counts).toMatchObject({ matchedByEmployeeNumber: 10, matchedByEmail: 1 });
  });

  test('#EXT# guests and service accounts are listed apart from unmatched staff', () => {
    expect(a.unmatched.guests.map((r) => r.account.login)).toEqual([
      'partner_gp.nhs.net#EXT#@riverside.onmicrosoft.com',
    ]);
    expect(a.unmatched.service.map((r) => r.account.login)).toEqual(['svc-backup@riverside.nhs.uk']);
    expect(a.unmatched.members.map((r) => r.account.login)).toEqual(['temp.locum@riverside.nhs.uk']);
  });

  test('dormancy uses the last successful sign-in, falls back to the latest attempt, and spares new starters', () => {
    expect(a.dormant.map((r) => r.account.login)).toEqual([
      'fgreen@riverside.nhs.uk',
      'iris.lee@riverside.nhs.uk',
    ]);
    expect(kinds(byLogin(a.results, 'harry.king@riverside.nhs.uk'))).not.toContain('dormant');
  });

  test('accounts without MFA, privileged first; coverage over those with MFA data', () => {
    expect(a.noMfa[0]!.account.login).toBe('svc-backup@riverside.nhs.uk');
    expect(a.noMfa.map((r) => r.account.login).sort()).toEqual([
      'carol.white@riverside.nhs.uk',
      'fgreen@riverside.nhs.uk',
      'harry.king@riverside.nhs.uk',
      'svc-backup@riverside.nhs.uk',
    ]);
    expect(a.mfa.all).toEqual({ covered: 8, of: 12, percent: 66.7, unknown: 1 });
    expect(a.mfa.privileged).toEqual({ covered: 1, of: 2, percent: 50, unknown: 0 });
  });

  test('training: active staff with a data security course in the 12 months before the date', () => {
    // Active: E001 E002 E003 E106 E007 E008 E009. Trained in window: E001, E002 (2025-06-01), E106 and E007 by
    // e-mail. E003 on 2025-05-31 is a day too early; E008's fire safety course does not count. Of the three
    // completions by nobody in HR, only Z999's would count; Z998's fire safety and Z997's old course are not
    // worth reporting.
    expect(a.training).toMatchObject({
      covered: 4,
      of: 7,
      percent: 57.1,
      met: false,
      unmatchedCompletions: 1,
      completionsRead: 10,
    });
  });
});

describe('the other identity providers', () => {
  test('Okta: DEPROVISIONED and SUSPENDED are disabled; lastLogin null is never; only strong ACTIVE factors count', async () => {
    const a = await collect({ idp: fx('okta-users.json'), mfa: fx('okta-factors.json') });
    expect(a.source.format).toBe('okta-users');
    expect(a.leavers).toEqual([]);
    expect(a.counts.leaversDisabled).toBe(2);
    expect(kinds(byLogin(a.results, 'Iris.Lee@riverside.nhs.uk'))).toEqual(['dormant', 'no-mfa']);
    // Ben has a question, an e-mail factor and a pending TOTP: no MFA.
    expect(byLogin(a.results, 'ben.jones@riverside.nhs.uk').account).toMatchObject({
      enabled: true,
      mfa: false,
    });
    expect(byLogin(a.results, 'asha.patel@riverside.nhs.uk').account.mfa).toBe(true);
  });

  test('Okta factors as a folder of per-user files give the same answer', async () => {
    const merged = await collect({ idp: fx('okta-users.json'), mfa: fx('okta-factors.json') });
    const perUser = await collect({ idp: fx('okta-users.json'), mfa: fx('okta-factors-per-user') });
    expect(perUser.results.map((r) => r.account.mfa)).toEqual(merged.results.map((r) => r.account.mfa));
  });

  test('Google: lastLoginTime of 1970 means never; 2-step verification and admin flags', async () => {
    const a = await collect({ idp: fx('google-users.json') });
    expect(a.source.format).toBe('google-users');
    const iris = byLogin(a.results, 'iris.lee@riverside.nhs.uk');
    expect(iris.account).toMatchObject({ lastSignIn: null, privileged: true, mfa: false });
    expect(kinds(iris)).toEqual(['dormant', 'no-mfa']);
    expect(a.noMfa[0]!.account.login).toBe('iris.lee@riverside.nhs.uk');
    // Never signed in, but created eleven days before the review: not dormant.
    expect(kinds(byLogin(a.results, 'harry.king@riverside.nhs.uk'))).toEqual(['no-mfa']);
  });

  test('SCIM: dormancy and MFA are not determinable, never guessed; groups give role drift', async () => {
    const a = await collect({ idp: fx('scim-users.json'), matrix: fx('matrix.csv') });
    expect(a.source.format).toBe('scim');
    expect(a.notDeterminable.dormant).toMatch(/^not determinable from this source/);
    expect(a.notDeterminable['no-mfa']).toMatch(/^not determinable from this source/);
    expect(a.mfa.all).toBeNull();
    expect(a.dormant).toEqual([]);
    expect(a.roleDrift.map((r) => r.findings.find((f) => f.kind === 'role-drift')!.detail)).toEqual([
      'holds EMIS Administrators, outside what a Receptionist needs',
    ]);
    expect(byLogin(a.results, 'dan.smith@riverside.nhs.uk')).toMatchObject({ matchedBy: 'email' });
    expect(a.leavers).toHaveLength(1);
  });

  test.each<[string, IdpFormat, string, number]>([
    ['entra-portal.csv', 'entra-csv', 'dan.smith@riverside.nhs.uk', 1],
    ['google-admin.csv', 'google-csv', 'iris.lee@riverside.nhs.uk', 0],
    ['okta-report.csv', 'okta-csv', 'iris.lee@riverside.nhs.uk', 0],
  ])('%s is recognised as %s', async (file, format, someone, leavers) => {
    const a = await collect({ idp: fx(file) });
    expect(a.source.format).toBe(format);
    expect(a.results.some((r) => r.account.login === someone)).toBe(true);
    expect(a.leavers).toHaveLength(leavers);
  });

  test('the Entra portal CSV has no sign-in data: dormancy is not determinable', async () => {
    const a = await collect({ idp: fx('entra-portal.csv') });
    expect(a.notDeterminable.dormant).toMatch(/entra-csv has no sign-in data/);
    expect(a.unmatched.guests).toHaveLength(1);
  });

  test('a generic CSV through a column mapping, with its own account types and groups', async () => {
    const a = await collect({
      idp: fx('generic.csv'),
      mapping: fx('generic-mapping.yaml'),
      matrix: fx('matrix.csv'),
    });
    expect(a.source.format).toBe('generic-csv');
    expect(a.unmatched.service.map((r) => r.account.login)).toEqual(['scanner01@riverside.nhs.uk']);
    expect(a.roleDrift.map((r) => r.account.login)).toEqual(['carol.white@riverside.nhs.uk']);
    expect(undecided(summarise(a))).toEqual(beforeDecisions(a));
    expect(a.mfa.privileged).toEqual({ covered: 1, of: 1, percent: 100, unknown: 0 });
  });
});

describe('HR and training in a worker thread', () => {
  const files = {
    idp: fx('entra-users.json'),
    hr: fx('hr.csv'),
    mfa: fx('entra-mfa.json'),
    training: fx('training.csv'),
  };

  test('gives the same analysis, records and fingerprints as reading them here', async () => {
    const [here, worker] = await Promise.all(
      [false, true].map((parallel) => collectAccessReview(files, { policy, parallel })),
    );
    if (!here!.ok || !worker!.ok) throw new Error('expected both to succeed');
    expect(worker!.value).toEqual(here!.value);
    // Each result's account and HR record are made when read: compare them as read.
    const read = (a: Analysis) => a.results.map((r) => [r.account, r.hr]);
    expect(read(worker!.value.analysis)).toEqual(read(here!.value.analysis));
    expect(worker!.value.analysis.training).toMatchObject({ covered: 4, of: 7 });
  });

  test('tells its bytes to the progress bar', async () => {
    let last = 0;
    let total = 0;
    await collectAccessReview(files, {
      policy,
      parallel: true,
      onProgress: (d, t) => ([last, total] = [d, t]),
    });
    expect(last).toBe(total);
    expect(total).toBeGreaterThan(0);
  });

  test.each<[string, Partial<typeof files>, RegExp]>([
    [
      'a bad HR file comes before a bad users export',
      { hr: fx('training.csv'), idp: fx('hr.csv') },
      /^training\.csv:1: no leave date or status column/,
    ],
    [
      'a bad users export comes before a bad training file',
      { idp: fx('hr.csv'), training: fx('hr.csv') },
      /^hr\.csv:1: the columns are not an export/,
    ],
    ['a bad training file', { training: fx('hr.csv') }, /^hr\.csv:1: no course column/],
    ['a missing HR file', { hr: fx('nowhere.csv') }, /nowhere\.csv: cannot read this file/],
  ])('%s, as when read in turn', async (_name, changed, message) => {
    for (const parallel of [false, true]) {
      const result = await collectAccessReview({ ...files, ...changed }, { policy, parallel });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(`${result.error.where}: ${result.error.message}`).toMatch(message);
    }
  });
});

describe('exports of several megabytes, read a chunk at a time into reused memory', () => {
  let dir: string;
  const people = 12_000;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dspt-access-big-'));
    const pad = 'x'.repeat(150);
    const users = Array.from({ length: people }, (_, i) => ({
      id: `id-${i}`,
      userPrincipalName: `user${i}@trust.nhs.uk`,
      displayName: `Person ${i} ${pad}`,
      accountEnabled: true,
      employeeId: `E${i}`,
      createdDateTime: '2020-01-01T00:00:00Z',
      signInActivity: { lastSuccessfulSignInDateTime: '2026-05-01T09:00:00Z' },
      // One record of three megabytes: it spans several chunks.
      ...(i === 7000
        ? { memberOf: Array.from({ length: 60_000 }, (_, g) => ({ displayName: `Group ${g} ${pad}` })) }
        : {}),
    }));
    await writeFile(path.join(dir, 'users.json'), JSON.stringify({ value: users }, null, 1));
    const rows = Array.from(
      { length: people },
      // One HR line of two and a half megabytes: it spans several chunks too.
      (_, i) =>
        `E${i},user${i}@trust.nhs.uk,${i === 9000 ? 'N'.repeat(2_500_000) : `Person ${i} ${pad}`},Active,2020-01-01,,Role,Dept,`,
    );
    await writeFile(
      path.join(dir, 'hr.csv'),
      `Employee Number,Email,Full Name,Status,Start Date,Leave Date,Job Role,Department,Line Manager\n${rows.join('\n')}\n`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test.each([false, true])('every record and row arrives whole (HR in a worker: %s)', async (parallel) => {
    const result = await collectAccessReview(
      { idp: path.join(dir, 'users.json'), hr: path.join(dir, 'hr.csv') },
      { policy, parallel },
    );
    if (!result.ok) throw new Error(`${result.error.where}: ${result.error.message}`);
    const { analysis, hr } = result.value;
    expect(analysis.counts).toMatchObject({
      accounts: people,
      matchedByEmployeeNumber: people,
      hrRecords: people,
    });
    expect(
      analysis.results.every((r, i) => r.account.login === `user${i}@trust.nhs.uk` && r.hr?.line === i + 2),
    ).toBe(true);
    expect(analysis.results[7000]!.account.groups).toHaveLength(60_000);
    expect(hr[9000]!.name).toHaveLength(2_500_000);
    expect(hr[9001]!.name).toMatch(/^Person 9001 x+$/);
  });
});

describe('HR exports in other shapes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dspt-access-hr-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('names in two columns, UK dates, spaces and a lower-case employee number', async () => {
    const hr = path.join(dir, 'hr.csv');
    await writeFile(
      hr,
      'Staff Number,Forename,Surname,Work Email,Date Started,Date Left\n' +
        ' e001 ,Asha,Patel,Asha.Patel@Riverside.nhs.uk,25/03/2015,\n' +
        'E004,Dan,Smith, dan.smith@riverside.nhs.uk ,01/06/2018,31/03/2026\n',
    );
    const result = await collectAccessReview({ hr, idp: fx('entra-users.json') }, { policy });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.hr).toMatchObject([
      {
        employeeNumber: 'E001',
        name: 'Asha Patel',
        email: 'asha.patel@riverside.nhs.uk',
        startDate: '2015-03-25',
      },
      { employeeNumber: 'E004', name: 'Dan Smith', leaveDate: '2026-03-31', line: 3 },
    ]);
    const { analysis } = result.value;
    expect(byLogin(analysis.results, 'asha.patel@riverside.nhs.uk').hr?.name).toBe('Asha Patel');
    expect(analysis.leavers.map((r) => r.account.login)).toEqual(['dan.smith@riverside.nhs.uk']);
  });

  test('employee numbers in the users export in lower case, with spaces, or as numbers still match', async () => {
    const users = path.join(dir, 'users-numbers.json');
    const user = (upn: string, employeeId: unknown) => ({
      id: upn,
      userPrincipalName: upn,
      accountEnabled: true,
      employeeId,
    });
    await writeFile(
      users,
      JSON.stringify([
        user('first@x.nhs.uk', 'E001'),
        user('second@x.nhs.uk', ' e002 '),
        user('third@x.nhs.uk', 'e003'),
        user('fourth@x.nhs.uk', 4),
        user('fifth@x.nhs.uk', 'E005'),
      ]),
    );
    const result = await collectAccessReview({ hr: fx('hr.csv'), idp: users }, { policy });
    if (!result.ok) throw new Error(result.error.message);
    expect(
      result.value.analysis.results.map((r) => [r.account.employeeNumber, r.hr?.employeeNumber]),
    ).toEqual([
      ['E001', 'E001'],
      ['E002', 'E002'],
      ['E003', 'E003'],
      ['4', undefined],
      ['E005', 'E005'],
    ]);
  });

  test('a leaver by status alone, and the words each finding says', async () => {
    const hr = path.join(dir, 'hr-status.csv');
    await writeFile(
      hr,
      'Employee Number,Email,Full Name,Status\n' +
        'E004,dan.smith@riverside.nhs.uk,Dan Smith,Terminated\n' +
        'E006,frank.green@riverside.nhs.uk,Frank Green,Leaver\n',
    );
    const result = await collectAccessReview({ hr, idp: fx('entra-users.json') }, { policy });
    if (!result.ok) throw new Error(result.error.message);
    const { analysis } = result.value;
    const details = (login: string) => byLogin(analysis.results, login).findings.map((f) => f.detail);
    expect(details('dan.smith@riverside.nhs.uk')).toEqual([
      'HR says "Terminated" with no leave date, and the account is enabled',
    ]);
    expect(details('fgreen@riverside.nhs.uk')).toEqual([
      'HR says "Leaver" with no leave date, and the account is enabled',
      'last successful sign-in 2025-12-20',
    ]);
    expect(details('iris.lee@riverside.nhs.uk')).toEqual([
      'nobody in HR matches this account by employee number or e-mail',
      'last successful sign-in 2025-10-01',
    ]);
  });
});

describe('bad input names the file and line, and nothing comes back', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dspt-access-bad-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const HR_HEAD =
    'Employee Number,Email,Full Name,Status,Start Date,Leave Date,Job Role,Department,Line Manager\n';

  test.each<[string, { hr?: string; idp?: string; training?: string }, RegExp]>([
    [
      'a semicolon-separated HR file',
      { hr: 'Employee Number;Email;Leave Date\nE001;a@x;\n' },
      /hr\.csv:1: the header is separated by semicolons/,
    ],
    [
      'a missing employee-number column',
      { hr: 'Email,Leave Date\na@x,\n' },
      /hr\.csv:1: no employee number column .*columns found are "Email", "Leave Date"/,
    ],
    [
      'an invalid leave date',
      { hr: `${HR_HEAD}E001,a@x,A,Leaver,2020-01-01,31/02/2026,R,D,\n` },
      /hr\.csv:2: Leave Date "31\/02\/2026" is not a date/,
    ],
    [
      'duplicate employee numbers',
      { hr: `${HR_HEAD}E001,a@x,A,Active,,,R,D,\nE002,b@x,B,Active,,,R,D,\ne001,c@x,C,Active,,,R,D,\n` },
      /hr\.csv:4: employee number E001 appears twice \(first on line 2\)/,
    ],
    [
      'a row with too many cells',
      { hr: `${HR_HEAD}E001,a@x,A,Active,,,R,D,,extra\n` },
      /hr\.csv:2: this row has 10 cells where the header has 9/,
    ],
    ['an empty HR file', { hr: '' }, /hr\.csv: the file is empty/],
    ['an HR file with only a header', { hr: HR_HEAD }, /hr\.csv.*(no|empty)/i],
    [
      'a truncated users export',
      { idp: '{"value":[\n{"userPrincipalName":"a@x","accountEnabled":true},\n{"userPrincipalName":"b@' },
      /users\.json:3: the JSON ends before the record that starts on line 3/,
    ],
    [
      'an MFA report given as the users export',
      { idp: '{"value":[{"userPrincipalName":"a@x","isMfaRegistered":true}]}' },
      /give it with --mfa/,
    ],
    [
      'an unknown CSV export',
      { idp: 'Login Name,Active\nx,1\n' },
      /not an export this collector knows.*--format/,
    ],
    [
      'a bad training date',
      { training: 'Employee Number,Course,Completion Date\nE001,Data Security,yesterday\n' },
      /training\.csv:2: Completion Date "yesterday" is not a date/,
    ],
  ])('%s', async (_name, files, message) => {
    const hr = path.join(dir, 'hr.csv');
    const idp = path.join(dir, 'users.json');
    const training = path.join(dir, 'training.csv');
    await writeFile(hr, files.hr ?? `${HR_HEAD}E001,a@x,A,Active,2020-01-01,,R,D,\n`);
    await writeFile(idp, files.idp ?? '{"value":[{"userPrincipalName":"a@x","accountEnabled":true}]}');
    await writeFile(
      training,
      files.training ?? 'Employee Number,Course,Completion Date\nE001,Data Security,2026-01-01\n',
    );
    const result = await collectAccessReview({ hr, idp, training }, { policy });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(`${result.error.where}: ${result.error.message}`).toMatch(message);
  });

  test.each([true, false])(
    'a bad matrix is reported after a bad training export, as in file order (worker: %s)',
    async (parallel) => {
      const hr = path.join(dir, 'hr-order.csv');
      const idp = path.join(dir, 'users-order.json');
      const training = path.join(dir, 'training-order.csv');
      const matrix = path.join(dir, 'matrix-order.csv');
      await writeFile(hr, `${HR_HEAD}E001,a@x,A,Active,2020-01-01,,R,D,\n`);
      await writeFile(idp, '{"value":[{"userPrincipalName":"a@x","accountEnabled":true}]}');
      await writeFile(matrix, 'role,group\n,nobody\n');
      const run = () => collectAccessReview({ hr, idp, training, matrix }, { policy, parallel });
      await writeFile(training, 'Employee Number,Course,Completion Date\nE001,Data Security,yesterday\n');
      const first = await run();
      expect(first.ok || `${first.error.where}: ${first.error.message}`).toMatch(/^training-order\.csv:2: /);
      await writeFile(training, 'Employee Number,Course,Completion Date\nE001,Data Security,2026-01-01\n');
      const second = await run();
      expect(second.ok || `${second.error.where}: ${second.error.message}`).toMatch(
        /^matrix-order\.csv:2: this row has no role/,
      );
      await writeFile(matrix, 'role,group\nR,staff\n');
      const third = await run();
      if (!third.ok) throw new Error(third.error.message);
      expect(third.value.inputs.map((i) => i.role)).toEqual(['hr', 'idp:entra-users', 'training', 'matrix']);
      expect(third.value.analysis.training).toMatchObject({ covered: 1, of: 1 });
      expect(third.value.analysis.notDeterminable.training).toBeUndefined();
    },
  );

  test('a UTF-8 BOM and CRLF line ends are read as any other CSV', async () => {
    const hr = path.join(dir, 'hr-bom.csv');
    await writeFile(
      hr,
      `\ufeff${HR_HEAD.replace('\n', '\r\n')}E004,dan.smith@riverside.nhs.uk,Dan,Leaver,2018-06-01,2026-03-31,R,D,\r\n`,
    );
    const result = await collectAccessReview({ hr, idp: fx('entra-users.json') }, { policy });
    expect(result.ok && result.value.analysis.leavers.map((r) => r.account.login)).toEqual([
      'dan.smith@riverside.nhs.uk',
    ]);
  });

  test('a 2 GB file is refused before a byte is read', async () => {
    const big = path.join(dir, 'huge.json');
    const handle = await open(big, 'w');
    await handle.truncate(2 * 1024 ** 3); // sparse: takes no disk space
    await handle.close();
    const result = await collectAccessReview({ hr: fx('hr.csv'), idp: big }, { policy });
    expect(result).toMatchObject({
      ok: false,
      error: {
        kind: 'bad-input',
        message: expect.stringMatching(/2147483648 bytes; the limit is 1073741824/),
      },
    });
  });

  test('a missing file', async () => {
    const result = await collectAccessReview(
      { hr: fx('hr.csv'), idp: path.join(dir, 'nope.json') },
      { policy },
    );
    expect(result).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/cannot read this file/) },
    });
  });
});
