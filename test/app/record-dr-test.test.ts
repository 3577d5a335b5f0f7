// DR tests on both engines: a passing test is evidence for the continuity items, a failed one is not, and the
// status follows the newest passing test: stale after 12 months, and a failure leaves nothing to count until
// a passing retest is recorded.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Actor } from '../../src/app/actor.ts';
import { getStatus } from '../../src/app/get-status.ts';
import { listDrTests } from '../../src/app/list-dr-tests.ts';
import { recordAnswer } from '../../src/app/record-answer.ts';
import { recordDrTest } from '../../src/app/record-dr-test.ts';
import { registerOrganisation } from '../../src/app/register-organisation.ts';
import type { DrTest } from '../../src/domain/dr-test.ts';
import { ENGINES } from '../support/databases.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';

const operator: Actor = { kind: 'operator', name: 'test' };

const aTest = (overrides: Partial<DrTest> = {}): DrTest => ({
  type: 'functional',
  scenario: 'Ransomware encrypts the practice file server',
  systems: ['File server', 'Clinical system'],
  testedOn: '2026-05-10',
  rtoTargetSeconds: 4 * 3600,
  rtoMeasuredSeconds: 2 * 3600,
  rpoTargetSeconds: 24 * 3600,
  rpoMeasuredSeconds: 3600,
  integrityConfirmed: true,
  result: 'pass',
  actions: [],
  approvedBy: 'Dr Asha Patel',
  notes: null,
  ...overrides,
});

describe.each(ENGINES)('DR tests on %s', (engine) => {
  let deps: TestDeps;
  beforeEach(async () => {
    deps = await testDeps(engine);
    await registerOrganisation(deps, operator, {
      odsCode: 'A81001',
      name: 'Riverside Surgery',
      type: 'gp-practice',
    });
    await registerOrganisation(deps, operator, {
      odsCode: 'RXX01',
      name: 'Riverside Trust',
      type: 'nhs-trust',
    });
    // The practice said "yes" to the backup item long ago: only a recent passing test keeps it fresh.
    await recordAnswer(deps, operator, {
      odsCode: 'A81001',
      itemId: '7.3.4',
      answer: { type: 'yes-no', value: true },
      effectiveDate: '2025-01-15',
    });
  });
  afterEach(async () => {
    await deps.db.drop();
  });

  const backupItem = async () => {
    const status = await getStatus(deps, operator, { odsCode: 'A81001', at: '2026-06-01' });
    if (!status.ok) throw new Error(status.error.message);
    return status.value.status.items.find((i) => i.itemId === '7.3.4')!;
  };

  test('a passing test is recorded, linked to the continuity items, and refreshes them', async () => {
    expect(await backupItem()).toMatchObject({ state: 'not-met' });
    const recorded = await recordDrTest(deps, operator, { odsCode: 'A81001', test: aTest() });
    if (!recorded.ok) throw new Error(recorded.error.message);
    expect(recorded.value.linked).toEqual(['7.1.2', '7.3.2', '7.3.4']);
    expect(recorded.value.check).toMatchObject({ passed: true, rtoMet: true, rpoMet: true, problems: [] });
    expect(await backupItem()).toMatchObject({ state: 'met', factDate: '2026-05-10' });
    const listed = await listDrTests(deps, operator, { odsCode: 'A81001' });
    expect(listed.ok && listed.value.tests).toEqual([
      expect.objectContaining({
        testedOn: '2026-05-10',
        passed: true,
        systems: ['File server', 'Clinical system'],
        approvedBy: 'Dr Asha Patel',
        rtoMeasuredSeconds: 7200,
      }),
    ]);
  });

  test('a failed test is no evidence; a passing retest is', async () => {
    const failed = await recordDrTest(deps, operator, {
      odsCode: 'A81001',
      test: aTest({
        rtoMeasuredSeconds: 6 * 3600,
        result: 'pass',
        actions: [{ action: 'Second backup copy off site', owner: 'IT lead', due: '2026-06-10' }],
      }),
    });
    if (!failed.ok) throw new Error(failed.error.message);
    // The figures overrule the typed result: six hours against a four-hour objective is a fail.
    expect(failed.value.check).toMatchObject({ passed: false, effectiveResult: 'fail', rtoMet: false });
    expect(failed.value.linked).toEqual([]);
    expect(await backupItem()).toMatchObject({ state: 'not-met' });
    let listed = await listDrTests(deps, operator, { odsCode: 'A81001' });
    expect(listed.ok && listed.value.standing).toEqual({
      lastPass: null,
      openFailure: { testedOn: '2026-05-10', retestDue: '2026-06-09' },
    });

    await recordDrTest(deps, operator, { odsCode: 'A81001', test: aTest({ testedOn: '2026-05-25' }) });
    expect(await backupItem()).toMatchObject({ state: 'met', factDate: '2026-05-25' });
    listed = await listDrTests(deps, operator, { odsCode: 'A81001' });
    expect(listed.ok && listed.value.standing).toEqual({ lastPass: '2026-05-25', openFailure: null });
  });

  test('a passing test older than 12 months no longer counts', async () => {
    await recordDrTest(deps, operator, { odsCode: 'A81001', test: aTest({ testedOn: '2025-05-01' }) });
    expect(await backupItem()).toMatchObject({
      state: 'not-met',
      reasons: [expect.objectContaining({ rule: 'freshness' })],
    });
  });

  test('on the CAF track a DR test evidences B5.c and D1.c', async () => {
    const recorded = await recordDrTest(deps, operator, { odsCode: 'RXX01', test: aTest() });
    expect(recorded.ok && recorded.value.linked).toEqual(['B5.c', 'D1.c']);
  });

  test.each<[string, Partial<DrTest>, RegExp]>([
    ['an unknown type', { type: 'drill' as DrTest['type'] }, /type/],
    ['no systems', { systems: [] }, /systems/],
    ['a date in the future', { testedOn: '2026-07-01' }, /testedOn/],
    ['a negative time', { rtoMeasuredSeconds: -1 }, /rtoMeasuredSeconds/],
    [
      'an action without a due date',
      { actions: [{ action: 'x', owner: 'y', due: 'soon' }] },
      /actions\.0\.due/,
    ],
  ])('refuses %s and writes nothing', async (_label, overrides, where) => {
    const result = await recordDrTest(deps, operator, { odsCode: 'A81001', test: aTest(overrides) });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.where).toMatch(where);
    const org = (await deps.store.organisations.findByOds('A81001'))!;
    expect(await deps.store.drTests.list(org.id)).toEqual([]);
    expect(await deps.store.collectorRuns.list(org.id, 'dr-test')).toEqual([]);
  });

  test('a member of another organisation cannot see or record its tests', async () => {
    const stranger: Actor = { kind: 'user', email: 'someone@example.org', name: 'Someone' };
    expect(await recordDrTest(deps, stranger, { odsCode: 'A81001', test: aTest() })).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
    expect(await listDrTests(deps, stranger, { odsCode: 'A81001' })).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
  });
});
