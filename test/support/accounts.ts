// Builders for signed-up users with MFA already enrolled, straight through the use cases.
import { randomUUID } from 'node:crypto';
import { generateSecret, generateSync } from 'otplib';
import type { AccountDeps } from '../../src/app/account-deps.ts';

export const TEST_PASSWORD = 'a long and unusual passphrase';

/** A user with a password and an enrolled authenticator; returns a function that gives a current code. */
export async function aUser(
  deps: AccountDeps,
  overrides: { email: string; name?: string; operator?: boolean },
): Promise<{ email: string; code: () => string }> {
  const secret = generateSecret();
  const now = deps.clock.now().toISOString();
  await deps.store.accounts.users.insert({
    id: randomUUID(),
    email: overrides.email,
    name: overrides.name ?? overrides.email.split('@')[0]!,
    passwordHash: await deps.passwords.hash(TEST_PASSWORD),
    platformRole: overrides.operator ? 'operator' : null,
    totpSecret: deps.secrets.seal(secret),
    mfaEnrolledAt: now,
    recoveryCodes: [],
    failedSignIns: 0,
    lockedUntil: null,
    createdAt: now,
    lastSignInAt: null,
  });
  // A code for the server's clock, which tests hold still: real time would drift past a code's life.
  return {
    email: overrides.email,
    code: () => generateSync({ secret, epoch: Math.floor(deps.clock.now().getTime() / 1000) }),
  };
}
