// The lookups every page makes (the session and its user, the organisation, its members) may be kept on
// SQLite, but never past a change: these tests make changes through the same store, through a second
// connection as another process would, and inside a transaction, and read straight after, on both engines.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { UserRecord } from '../../../src/app/account-ports.ts';
import type { MemberRecord, OrganisationRecord, Store } from '../../../src/app/ports.ts';
import { openDatabase, type OpenDatabase } from '../../../src/infra/db/connect.ts';
import { createKyselyStore } from '../../../src/infra/db/kysely-store.ts';
import { ENGINES, freshDatabase, type TestDatabase } from '../../support/databases.ts';

const NOW = '2026-05-01T10:00:00.000Z';

const anOrganisation: OrganisationRecord = {
  id: 'org-1',
  odsCode: 'A81001',
  name: 'Riverside Surgery',
  type: 'gp-practice',
  icoNumber: null,
  certifications: [],
  createdAt: NOW,
};

const aUser: UserRecord = {
  id: 'user-1',
  email: 'ig.lead@riverside.nhs.uk',
  name: 'Ada Lead',
  passwordHash: 'not-a-real-hash',
  platformRole: null,
  totpSecret: null,
  mfaEnrolledAt: NOW,
  recoveryCodes: [],
  failedSignIns: 0,
  lockedUntil: null,
  createdAt: NOW,
  lastSignInAt: NOW,
};

const aMember = (overrides: Partial<MemberRecord> = {}): MemberRecord => ({
  id: 'member-1',
  organisationId: 'org-1',
  email: aUser.email,
  name: aUser.name,
  role: 'contributor',
  createdAt: NOW,
  ...overrides,
});

describe.each(ENGINES)('hot lookups on %s', (engine) => {
  let t: TestDatabase;
  let store: Store;
  let second: OpenDatabase;
  let other: Store;

  beforeEach(async () => {
    t = await freshDatabase(engine);
    store = t.store;
    // Another process on the same database: its own connection, and no shared memory with `store`.
    second = openDatabase(t.config);
    other = createKyselyStore(second.db, second.engine);
    await store.organisations.insert(anOrganisation);
    await store.members.insert(aMember());
    await store.accounts.users.insert(aUser);
    await store.accounts.sessions.insert({
      id: 'session-1',
      userId: aUser.id,
      mfaPassed: true,
      createdAt: NOW,
      lastSeenAt: NOW,
    });
  });
  afterEach(async () => {
    await second.close();
    await t.drop();
  });

  const session = () => store.accounts.sessions.findWithUser('session-1');

  test('a sign-out in another process ends the session at the next request', async () => {
    expect((await session())?.user.email).toBe(aUser.email);
    expect((await session())?.user.email).toBe(aUser.email);

    await other.accounts.sessions.remove('session-1');

    expect(await session()).toBeUndefined();
  });

  test('a lock made in another process applies at the next request', async () => {
    expect((await session())?.user.lockedUntil).toBeNull();

    await other.accounts.users.update(aUser.id, { lockedUntil: '2026-05-01T11:00:00.000Z' });

    expect((await session())?.user.lockedUntil).toBe('2026-05-01T11:00:00.000Z');
  });

  test('a change through the same store is seen at once', async () => {
    expect((await session())?.session.lastSeenAt).toBe(NOW);

    // The same statement twice: the second run comes from the statement cache, and must be noticed too.
    await store.accounts.sessions.touch('session-1', '2026-05-01T10:05:00.000Z');
    expect((await session())?.session.lastSeenAt).toBe('2026-05-01T10:05:00.000Z');
    await store.accounts.sessions.touch('session-1', '2026-05-01T10:07:00.000Z');
    expect((await session())?.session.lastSeenAt).toBe('2026-05-01T10:07:00.000Z');

    await store.accounts.sessions.removeForUser(aUser.id);
    expect(await session()).toBeUndefined();
  });

  test('a member removed or added in another process is seen at once', async () => {
    expect((await store.members.listByOrganisation('org-1')).map((m) => m.role)).toEqual(['contributor']);

    await second.db.deleteFrom('members').where('id', '=', 'member-1').execute();
    expect(await store.members.listByOrganisation('org-1')).toEqual([]);

    await other.members.insert(aMember({ id: 'member-2', role: 'viewer' }));
    expect((await store.members.listByOrganisation('org-1')).map((m) => m.role)).toEqual(['viewer']);
  });

  test("an organisation's change in another process is seen at once", async () => {
    expect((await store.organisations.findByOds('A81001'))?.name).toBe('Riverside Surgery');

    await second.db
      .updateTable('organisations')
      .set({ name: 'Riverside Health Centre' })
      .where('id', '=', 'org-1')
      .execute();

    expect((await store.organisations.findByOds('A81001'))?.name).toBe('Riverside Health Centre');
  });

  test('a write inside a transaction is seen as soon as it commits, and not at all when it rolls back', async () => {
    expect((await session())?.user.name).toBe('Ada Lead');

    await store.transaction(async (tx) => {
      await tx.accounts.users.update(aUser.id, { name: 'Ada Lovelace' });
    });
    expect((await session())?.user.name).toBe('Ada Lovelace');

    await expect(
      store.transaction(async (tx) => {
        await tx.accounts.users.update(aUser.id, { name: 'Someone Else' });
        throw new Error('the rest of the work failed');
      }),
    ).rejects.toThrow('the rest of the work failed');
    expect((await session())?.user.name).toBe('Ada Lovelace');
  });

  test('a caller may sort the member list it is given without changing what others read', async () => {
    await store.members.insert(aMember({ id: 'member-2', email: 'another@riverside.nhs.uk' }));
    const first = await store.members.listByOrganisation('org-1');
    first.reverse();

    expect((await store.members.listByOrganisation('org-1')).map((m) => m.email)).toEqual([
      'another@riverside.nhs.uk',
      aUser.email,
    ]);
  });

  if (engine === 'sqlite')
    test('on SQLite, an unchanged lookup is answered from memory, frozen so no reader can change it', async () => {
      const first = await session();
      const again = await session();
      expect(again).toBe(first);
      expect(() => {
        (again!.user as { name: string }).name = 'Mallory';
      }).toThrow(TypeError);

      await store.accounts.sessions.touch('session-1', '2026-05-01T10:05:00.000Z');
      expect(await session()).not.toBe(first);
    });
});
