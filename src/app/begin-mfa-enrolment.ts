// Starts enrolling an authenticator app: a new TOTP secret, kept sealed until the first code confirms it.
import { generateSecret, generateURI } from 'otplib';
import { failure, success, type Result } from '../domain/result.ts';
import type { AccountDeps } from './account-deps.ts';
import type { SignedIn } from './resolve-session.ts';

export async function beginMfaEnrolment(
  deps: AccountDeps,
  signedIn: SignedIn,
): Promise<Result<{ secret: string; uri: string }>> {
  const { user } = signedIn;
  if (user.mfaEnrolledAt)
    return failure('conflict', 'An authenticator app is already set up for this account.');
  // Reuse a pending secret so that reloading the page does not invalidate an app already scanned.
  const secret = user.totpSecret ? deps.secrets.open(user.totpSecret) : generateSecret();
  if (!user.totpSecret)
    await deps.store.accounts.users.update(user.id, { totpSecret: deps.secrets.seal(secret) });
  return success({ secret, uri: generateURI({ secret, issuer: 'openDSPT', label: user.email }) });
}
