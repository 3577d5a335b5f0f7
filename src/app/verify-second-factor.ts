// The second step of every sign-in: a code from the authenticator app, or one of the recovery codes (each
// works once). Wrong codes count toward the same lockout as wrong passwords.
import { verifySync } from 'otplib';
import { LOCKOUT_AFTER_FAILURES, LOCKOUT_MINUTES } from '../domain/accounts.ts';
import { sha256Hex } from '../domain/canonical-json.ts';
import { failure, success, type Result } from '../domain/result.ts';
import { tokenId, type AccountDeps } from './account-deps.ts';
import type { SignedIn } from './resolve-session.ts';
import { startSession } from './start-session.ts';

/** A TOTP code checked against the clock, allowing one 30-second step either way for clock drift. */
export function checkTotp(deps: Pick<AccountDeps, 'clock'>, secret: string, code: string): boolean {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return false;
  try {
    return verifySync({
      secret,
      token,
      epoch: Math.floor(deps.clock.now().getTime() / 1000),
      epochTolerance: 30,
    }).valid;
  } catch {
    return false;
  }
}

export async function verifySecondFactor(
  deps: AccountDeps,
  signedIn: SignedIn,
  sessionToken: string,
  input: { code: string },
): Promise<Result<{ sessionToken: string; usedRecoveryCode: boolean }>> {
  // Read afresh: the session was resolved before this request changed anything.
  const user = await deps.store.accounts.users.findById(signedIn.user.id);
  if (!user) return failure('not-found', 'This account no longer exists.');
  if (!user.mfaEnrolledAt || !user.totpSecret)
    return failure('conflict', 'Set up your authenticator app first.');
  const code = input.code.trim().toLowerCase();
  const byApp = checkTotp(deps, deps.secrets.open(user.totpSecret), code);
  const recoveryHash = sha256Hex(code);
  const byRecovery = !byApp && user.recoveryCodes.includes(recoveryHash);
  const now = deps.clock.now();
  if (!byApp && !byRecovery) {
    const failures = user.failedSignIns + 1;
    const lock = failures >= LOCKOUT_AFTER_FAILURES;
    await deps.store.transaction(async (tx) => {
      await tx.accounts.users.update(user.id, {
        failedSignIns: lock ? 0 : failures,
        lockedUntil: lock
          ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000).toISOString()
          : user.lockedUntil,
      });
      // A locked account loses its half-finished session too.
      if (lock) await tx.accounts.sessions.remove(tokenId(sessionToken));
      await tx.audit.append({
        actor: user.email,
        action: lock ? 'account.locked' : 'mfa.failed',
        organisationId: null,
        subject: user.email,
        details: { failures },
      });
    });
    return failure(
      'bad-input',
      'Enter the 6-digit code from your authenticator app, or a recovery code',
      'code',
    );
  }
  return deps.store.transaction(async (tx) => {
    await tx.accounts.users.update(user.id, {
      failedSignIns: 0,
      lastSignInAt: now.toISOString(),
      ...(byRecovery ? { recoveryCodes: user.recoveryCodes.filter((h) => h !== recoveryHash) } : {}),
    });
    await tx.accounts.sessions.remove(tokenId(sessionToken));
    const fresh = await startSession(tx, deps, user.id, true);
    await tx.audit.append({
      actor: user.email,
      action: 'sign-in',
      organisationId: null,
      subject: user.email,
      details: { secondFactor: byApp ? 'totp' : 'recovery-code' },
    });
    return success({ sessionToken: fresh, usedRecoveryCode: byRecovery });
  });
}
