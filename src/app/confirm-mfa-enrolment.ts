// Confirms an authenticator app with its first code, issues recovery codes (shown once) and upgrades the
// session to a fresh, fully signed-in one.
import { randomBytes } from 'node:crypto';
import { RECOVERY_CODE_COUNT } from '../domain/accounts.ts';
import { sha256Hex } from '../domain/canonical-json.ts';
import { failure, success, type Result } from '../domain/result.ts';
import { tokenId, type AccountDeps } from './account-deps.ts';
import { checkTotp } from './verify-second-factor.ts';
import type { SignedIn } from './resolve-session.ts';
import { startSession } from './start-session.ts';

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const hex = randomBytes(5).toString('hex');
    return `${hex.slice(0, 5)}-${hex.slice(5)}`;
  });
}

export async function confirmMfaEnrolment(
  deps: AccountDeps,
  signedIn: SignedIn,
  sessionToken: string,
  input: { code: string },
): Promise<Result<{ sessionToken: string; recoveryCodes: string[] }>> {
  // Read afresh: the session was resolved before this request changed anything.
  const user = await deps.store.accounts.users.findById(signedIn.user.id);
  if (!user) return failure('not-found', 'This account no longer exists.');
  if (user.mfaEnrolledAt)
    return failure('conflict', 'An authenticator app is already set up for this account.');
  if (!user.totpSecret)
    return failure('bad-input', 'Start again: the set-up of your authenticator app was not begun', 'code');
  if (!checkTotp(deps, deps.secrets.open(user.totpSecret), input.code))
    return failure('bad-input', 'Enter the 6-digit code shown in your authenticator app now', 'code');
  const recoveryCodes = newRecoveryCodes();
  const now = deps.clock.now().toISOString();
  return deps.store.transaction(async (tx) => {
    await tx.accounts.users.update(user.id, {
      mfaEnrolledAt: now,
      recoveryCodes: recoveryCodes.map((c) => sha256Hex(c)),
      lastSignInAt: now,
    });
    await tx.accounts.sessions.remove(tokenId(sessionToken));
    const fresh = await startSession(tx, deps, user.id, true);
    await tx.audit.append({
      actor: user.email,
      action: 'mfa.enrolled',
      organisationId: null,
      subject: user.email,
      details: { method: 'totp', recoveryCodes: RECOVERY_CODE_COUNT },
    });
    return success({ sessionToken: fresh, recoveryCodes });
  });
}
