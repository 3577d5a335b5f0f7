// The accounts' columns give back exactly what was put in.
import { describe, expect, test } from 'vitest';
import { AccountTable, TextColumn } from '../../../src/collectors/access-review/account-table.ts';
import type { Account } from '../../../src/collectors/access-review/model.ts';

const anAccount = (over: Partial<Account> = {}): Account => ({
  id: '00000000-0000-4000-8000-000000000001',
  login: 'jo.bloggs@trust.nhs.uk',
  email: 'Jo.Bloggs@Trust.nhs.uk',
  displayName: 'Jo Bloggs',
  employeeNumber: 'E0000001',
  enabled: true,
  kind: 'member',
  privileged: null,
  lastSignIn: '2026-05-01T09:15:00Z',
  created: '2020-01-01',
  mfa: null,
  groups: null,
  line: 2,
  ...over,
});

describe('AccountTable', () => {
  test('gives back each account as it was kept, and what an MFA export adds', () => {
    const accounts = [
      anAccount(),
      anAccount({ id: 'x', email: null, employeeNumber: null, kind: 'guest', enabled: false, groups: ['A'] }),
      anAccount({ kind: 'service', privileged: true, mfa: false, lastSignIn: null, created: null, line: 9 }),
    ];
    const table = new AccountTable();
    for (const a of accounts) table.push(a);
    expect(table.length).toBe(3);
    expect([0, 1, 2].map((i) => table.at(i))).toEqual(accounts);
    expect(table.anyGroups).toBe(true);
    table.setMfa(0, true, null);
    table.setMfa(2, true, false);
    expect(table.at(0)).toMatchObject({ mfa: true, privileged: null });
    expect(table.at(2)).toMatchObject({ mfa: true, privileged: false });
  });
});

describe('TextColumn', () => {
  test.each([
    ['plain ASCII', 'jo.bloggs@trust.nhs.uk'],
    ['empty', ''],
    ['missing', null],
    ['past ASCII', 'Zoë Ó Súilleabháin 山田'],
    ['a surrogate pair', 'Jo 😀 Bloggs'],
    ['half a surrogate pair', 'Jo \uD83D Bloggs'],
    ['longer than a block', 'x'.repeat(1_100_000)],
  ])('gives back %s text exactly', (_, value) => {
    const column = new TextColumn();
    column.push('before');
    column.push(value);
    column.push('after');
    expect([column.at(0), column.at(1), column.at(2)]).toEqual(['before', value, 'after']);
  });

  test('gives back text added as bytes, across blocks', () => {
    const column = new TextColumn();
    const bytes = Buffer.from('[Jo Bloggs]');
    for (let i = 0; i < 200_000; i++) column.pushBytes(bytes, 1, 10);
    column.push('last');
    expect(column.length).toBe(200_001);
    expect(column.at(0)).toBe('Jo Bloggs');
    expect(column.at(199_999)).toBe('Jo Bloggs');
    expect(column.at(200_000)).toBe('last');
  });
});
