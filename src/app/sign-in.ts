// Signs in with e-mail and password. Repeated failures lock the account for a while; every attempt is
// audited. The session that results still needs the second factor (or its enrolment).
import { LOCKOUT_AFTER_FAILURES, LOCKOUT_MINUTES, normaliseEmail } from '../domain/accounts.ts';
import { failure, success, type Result } from '../domain/result.ts';
import type { AccountDeps } from './account-deps.ts';
import { startSession } from './start-session.ts';

const WRONG = 'Enter a correct e-mail address and password';

// Checking a made-up hash when the e-mail is unknown keeps the answer as slow as for a real account, so the
// timing does not tell which e-mail addresses have accounts.
let decoyHash: Promise<string> | undefined;

export async function signIn(
  deps: AccountDeps,
  input: { email: string; password: string },
): Promise<Result<{ sessionToken: string; next: 'enrol-mfa' | 'verify-mfa' }>> {
  const email = normaliseEmail(input.email);
  const user = await deps.store.accounts.users.findByEmail(email);
  const now = deps.clock.now();
  if (!user) {
    decoyHash ??= deps.passwords.hash('decoy password that is never used');
    await deps.passwords.verify(await decoyHash, input.password);
    await deps.store.audit.append({
      actor: email || 'anonymous',
      action: 'sign-in.failed',
      organisationId: null,
      subject: email,
      details: { reason: 'unknown e-mail' },
    });
    return failure('bad-input', WRONG, 'email');
  }
  if (user.lockedUntil && user.lockedUntil > now.toISOString()) {
    await deps.store.audit.append({
      actor: email,
      action: 'sign-in.refused',
      organisationId: null,
      subject: email,
      details: { reason: 'locked', until: user.lockedUntil },
    });
    return failure(
      'refused',
      `This account is locked after ${LOCKOUT_AFTER_FAILURES} failed attempts. Try again after ${LOCKOUT_MINUTES} minutes.`,
      'email',
    );
  }
  if (!(await deps.passwords.verify(user.passwordHash, input.password))) {
    const failures = user.failedSignIns + 1;
    const lock = failures >= LOCKOUT_AFTER_FAILURES;
    await deps.store.transaction(async (tx) => {
      await tx.accounts.users.update(user.id, {
        failedSignIns: lock ? 0 : failures,
        lockedUntil: lock
          ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000).toISOString()
          : user.lockedUntil,
      });
      await tx.audit.append({
        actor: email,
        action: lock ? 'account.locked' : 'sign-in.failed',
        organisationId: null,
        subject: email,
        details: { reason: 'wrong password', failures },
      });
    });
    return failure('bad-input', WRONG, 'email');
  }
  return deps.store.transaction(async (tx) => {
    await tx.accounts.users.update(user.id, { failedSignIns: 0, lockedUntil: null });
    const sessionToken = await startSession(tx, deps, user.id, false);
    await tx.audit.append({
      actor: email,
      action: 'sign-in.password-accepted',
      organisationId: null,
      subject: email,
      details: {},
    });
    return success({ sessionToken, next: user.mfaEnrolledAt ? 'verify-mfa' : 'enrol-mfa' });
  });
}
