// Readers reuse an assessment while its organisation's revision stands. These tests prove that a change made
// by any writer, including a second process on the same database, is seen at once, and that what readers
// share cannot be changed by one of them.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Actor } from '../../src/app/actor.ts';
import { getStatus } from '../../src/app/get-status.ts';
import { recordAnswer } from '../../src/app/record-answer.ts';
import { registerOrganisation } from '../../src/app/register-organisation.ts';
import type { Deps } from '../../src/app/ports.ts';
import { openDatabase, type OpenDatabase } from '../../src/infra/db/connect.ts';
import { createKyselyStore } from '../../src/infra/db/kysely-store.ts';
import type { Result } from '../../src/domain/result.ts';
import { ENGINES } from '../support/databases.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';

const operator: Actor = { kind: 'operator', name: 'test' };

function ok<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}

describe.each(ENGINES)('reading an assessment on %s', (engine) => {
  let deps: TestDeps;
  let second: OpenDatabase;
  let other: Deps;
  beforeEach(async () => {
    deps = await testDeps(engine);
    // Another process on the same database: its own connection, and no shared memory with `deps`.
    second = openDatabase(deps.db.config);
    other = {
      store: createKyselyStore(second.db, second.engine),
      blobs: deps.blobs,
      catalogue: deps.catalogue,
      clock: deps.clock,
    };
    ok(
      await registerOrganisation(deps, operator, {
        odsCode: 'A81001',
        name: 'Riverside',
        type: 'gp-practice',
      }),
    );
  });
  afterEach(async () => {
    await second.close();
    await deps.db.drop();
  });

  const progress = async () =>
    ok(await getStatus(deps, operator, { odsCode: 'A81001' })).status.progress.done;
  const answer = (d: Deps, itemId: string, value: boolean) =>
    recordAnswer(d, operator, { odsCode: 'A81001', itemId, answer: { type: 'yes-no', value } });
  const yesNoItems = () =>
    deps.catalogue
      .itemsFor('4')
      .filter(
        (a) => a.mandatory && a.item.responseType === 'yes-no' && !a.item.freshness && !a.item.threshold,
      )
      .map((a) => a.item.id);

  test('an answer recorded by another process is in the next status read', async () => {
    const [first, next] = yesNoItems();
    ok(await answer(deps, first!, true));
    expect(await progress()).toBe(1);
    expect(await progress()).toBe(1);

    ok(await answer(other, next!, true));
    expect(await progress()).toBe(2);

    ok(await answer(other, first!, false));
    expect(await progress()).toBe(1);
  });

  test('the status on another date is worked out for that date, not reused from today', async () => {
    ok(await answer(deps, yesNoItems()[0]!, true));
    const today = ok(await getStatus(deps, operator, { odsCode: 'A81001' })).status;
    const before = ok(await getStatus(deps, operator, { odsCode: 'A81001', at: '2026-01-01' })).status;
    expect(today.at).toBe('2026-06-01');
    expect(before.at).toBe('2026-01-01');
  });

  test('what readers share is frozen: one reader cannot change it under another', async () => {
    ok(await answer(deps, yesNoItems()[0]!, true));
    const read = ok(await getStatus(deps, operator, { odsCode: 'A81001' }));
    expect(() => (read.context.responses as unknown[]).push({})).toThrow(TypeError);
    expect(() => (read.status.reasons as unknown[]).pop()).toThrow(TypeError);
  });
});
