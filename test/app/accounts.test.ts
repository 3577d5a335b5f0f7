// Accounts over real storage on both engines: the one-time set-up link, MFA enrolment and sign-in, lockout,
// idle timeout and sign-out, with audit events.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { generateSync } from 'otplib';
import { beginMfaEnrolment } from '../../src/app/begin-mfa-enrolment.ts';
import { confirmMfaEnrolment } from '../../src/app/confirm-mfa-enrolment.ts';
import { createFirstOperator } from '../../src/app/create-first-operator.ts';
import { createSetupLink } from '../../src/app/create-setup-link.ts';
import { resolveSession } from '../../src/app/resolve-session.ts';
import { signIn } from '../../src/app/sign-in.ts';
import { signOut } from '../../src/app/sign-out.ts';
import { verifySecondFactor } from '../../src/app/verify-second-factor.ts';
import type { Result } from '../../src/domain/result.ts';
import { ENGINES } from '../support/databases.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';

function ok<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}

const PASSWORD = 'correct horse battery staple';

describe.each(ENGINES)('accounts on %s', (engine) => {
  let deps: TestDeps;
  beforeEach(async () => {
    deps = await testDeps(engine, '2026-06-01T09:00:00.000Z');
  });
  afterEach(async () => {
    await deps.db.drop();
  });

  const auditActions = async () => {
    const actions: string[] = [];
    for await (const e of deps.store.audit.all()) actions.push(e.action);
    return actions;
  };
  const codeFor = (secret: string) =>
    generateSync({ secret, epoch: Math.floor(deps.clock.now().getTime() / 1000) });

  /** Sets up the first operator with MFA; returns the TOTP secret and recovery codes. */
  async function operatorWithMfa() {
    const link = ok(await createSetupLink(deps));
    const created = ok(
      await createFirstOperator(deps, {
        setupToken: link!.token,
        name: 'Olive Operator',
        email: 'Olive@Example.nhs.uk',
        password: PASSWORD,
      }),
    );
    const signedIn = (await resolveSession(deps, created.sessionToken))!;
    const { secret } = ok(await beginMfaEnrolment(deps, signedIn));
    const enrolled = ok(
      await confirmMfaEnrolment(deps, signedIn, created.sessionToken, { code: codeFor(secret) }),
    );
    return { secret, ...enrolled };
  }

  test('the set-up link creates the first operator once; MFA enrolment gives a full session and recovery codes', async () => {
    const { sessionToken, recoveryCodes, secret } = await operatorWithMfa();
    expect(recoveryCodes).toHaveLength(10);
    const signedIn = await resolveSession(deps, sessionToken);
    expect(signedIn).toMatchObject({
      session: { mfaPassed: true },
      user: { email: 'olive@example.nhs.uk', platformRole: 'operator' },
    });
    expect(signedIn!.user.passwordHash).toMatch(/^\$argon2id\$/);
    // The TOTP secret is stored sealed, never in plain text.
    expect(signedIn!.user.totpSecret).toMatch(/^v1\./);
    expect(signedIn!.user.totpSecret).not.toContain(secret);
    expect(deps.secrets.open(signedIn!.user.totpSecret!)).toBe(secret);
    expect(ok(await createSetupLink(deps))).toBeNull();
    expect(await auditActions()).toEqual(['account.created', 'mfa.enrolled']);
  });

  test('a used or unknown set-up link creates nothing', async () => {
    const link = ok(await createSetupLink(deps))!;
    ok(
      await createFirstOperator(deps, {
        setupToken: link.token,
        name: 'A',
        email: 'a@example.nhs.uk',
        password: PASSWORD,
      }),
    );
    expect(
      await createFirstOperator(deps, {
        setupToken: link.token,
        name: 'B',
        email: 'b@example.nhs.uk',
        password: PASSWORD,
      }),
    ).toMatchObject({ ok: false });
    expect(
      await createFirstOperator(deps, {
        setupToken: 'made-up',
        name: 'C',
        email: 'c@example.nhs.uk',
        password: PASSWORD,
      }),
    ).toMatchObject({ ok: false, error: { kind: 'not-found' } });
    expect(await deps.store.accounts.users.count()).toBe(1);
  });

  test.each([
    ['a short password', 'short', /at least 12 characters/],
    ['a common password', 'passwordpassword', /common passwords/],
    ['a password holding the e-mail name', 'olive-operator-2026!', /must not contain your e-mail/],
  ])('%s is refused', async (_name, password, message) => {
    const link = ok(await createSetupLink(deps))!;
    const result = await createFirstOperator(deps, {
      setupToken: link.token,
      name: 'Olive',
      email: 'olive-operator@example.nhs.uk',
      password,
    });
    expect(result).toMatchObject({
      ok: false,
      error: { where: 'password', message: expect.stringMatching(message) },
    });
    expect(await deps.store.accounts.users.count()).toBe(0);
  });

  test('signing in needs the password and then a current code; a recovery code works once', async () => {
    const { secret, recoveryCodes } = await operatorWithMfa();
    const first = ok(await signIn(deps, { email: 'OLIVE@example.nhs.uk', password: PASSWORD }));
    expect(first.next).toBe('verify-mfa');
    const half = (await resolveSession(deps, first.sessionToken))!;
    expect(half.session.mfaPassed).toBe(false);
    expect(await verifySecondFactor(deps, half, first.sessionToken, { code: '000000' })).toMatchObject({
      ok: false,
    });
    const full = ok(await verifySecondFactor(deps, half, first.sessionToken, { code: codeFor(secret) }));
    expect(await resolveSession(deps, first.sessionToken)).toBeUndefined(); // the half session is gone
    expect((await resolveSession(deps, full.sessionToken))?.session.mfaPassed).toBe(true);

    const again = ok(await signIn(deps, { email: 'olive@example.nhs.uk', password: PASSWORD }));
    const viaRecovery = ok(
      await verifySecondFactor(deps, (await resolveSession(deps, again.sessionToken))!, again.sessionToken, {
        code: recoveryCodes[0]!,
      }),
    );
    expect(viaRecovery.usedRecoveryCode).toBe(true);
    const third = ok(await signIn(deps, { email: 'olive@example.nhs.uk', password: PASSWORD }));
    expect(
      await verifySecondFactor(deps, (await resolveSession(deps, third.sessionToken))!, third.sessionToken, {
        code: recoveryCodes[0]!,
      }),
    ).toMatchObject({ ok: false });
  });

  test('five wrong passwords lock the account for 15 minutes, even against the right password', async () => {
    await operatorWithMfa();
    for (let i = 0; i < 5; i++)
      expect(
        await signIn(deps, { email: 'olive@example.nhs.uk', password: 'wrong password here' }),
      ).toMatchObject({ ok: false });
    expect(await signIn(deps, { email: 'olive@example.nhs.uk', password: PASSWORD })).toMatchObject({
      ok: false,
      error: { kind: 'refused', message: expect.stringContaining('locked') },
    });
    deps.setNow('2026-06-01T09:16:00.000Z');
    expect((await signIn(deps, { email: 'olive@example.nhs.uk', password: PASSWORD })).ok).toBe(true);
    expect(await auditActions()).toContain('account.locked');
  });

  test('an unknown e-mail gets the same answer as a wrong password', async () => {
    await operatorWithMfa();
    const unknown = await signIn(deps, { email: 'nobody@example.nhs.uk', password: PASSWORD });
    const wrong = await signIn(deps, { email: 'olive@example.nhs.uk', password: 'not the password!' });
    expect(unknown).toEqual(wrong);
  });

  test('a session ends after 30 idle minutes, and at sign-out', async () => {
    const { sessionToken } = await operatorWithMfa();
    deps.setNow('2026-06-01T09:29:00.000Z');
    expect(await resolveSession(deps, sessionToken)).toBeDefined();
    deps.setNow('2026-06-01T10:00:00.000Z');
    expect(await resolveSession(deps, sessionToken)).toBeUndefined();
    const next = ok(await signIn(deps, { email: 'olive@example.nhs.uk', password: PASSWORD }));
    await signOut(deps, next.sessionToken);
    expect(await resolveSession(deps, next.sessionToken)).toBeUndefined();
    expect((await auditActions()).at(-1)).toBe('sign-out');
  });
});
