// Creates the first operator account through the one-time set-up link, and signs them in (password only:
// the next step is enrolling a second factor).
import { randomUUID } from 'node:crypto';
import { checkNewPassword, isEmail, normaliseEmail } from '../domain/accounts.ts';
import { failure, success, type Result } from '../domain/result.ts';
import { tokenId, type AccountDeps } from './account-deps.ts';
import type { UserRecord } from './account-ports.ts';
import { startSession } from './start-session.ts';

export interface CreateFirstOperatorInput {
  setupToken: string;
  name: string;
  email: string;
  password: string;
}

/** Whether a set-up link can still be used: unknown, used and expired links all read as "not valid". */
export async function setupLinkIsValid(deps: AccountDeps, setupToken: string): Promise<boolean> {
  const token = await deps.store.accounts.tokens.find(tokenId(setupToken));
  return (
    !!token && token.purpose === 'setup' && !token.usedAt && token.expiresAt > deps.clock.now().toISOString()
  );
}

export async function createFirstOperator(
  deps: AccountDeps,
  input: CreateFirstOperatorInput,
): Promise<Result<{ user: UserRecord; sessionToken: string }>> {
  if (!(await setupLinkIsValid(deps, input.setupToken)))
    return failure(
      'not-found',
      'This set-up link is not valid: it was used already or has expired. Restart openDSPT to get a new one.',
    );
  const name = input.name.trim();
  const email = normaliseEmail(input.email);
  if (name === '') return failure('bad-input', 'Enter your full name', 'name');
  if (!isEmail(email))
    return failure(
      'bad-input',
      'Enter an e-mail address in the correct format, like name@example.nhs.uk',
      'email',
    );
  const password = checkNewPassword(input.password, { email, name }, deps.isCommonPassword);
  if (!password.ok) return password;
  const passwordHash = await deps.passwords.hash(input.password);
  const now = deps.clock.now().toISOString();
  const user: UserRecord = {
    id: randomUUID(),
    email,
    name,
    passwordHash,
    platformRole: 'operator',
    totpSecret: null,
    mfaEnrolledAt: null,
    recoveryCodes: [],
    failedSignIns: 0,
    lockedUntil: null,
    createdAt: now,
    lastSignInAt: now,
  };
  return deps.store.transaction(async (tx) => {
    if (
      (await tx.accounts.users.count()) > 0 ||
      !(await tx.accounts.tokens.use(tokenId(input.setupToken), now))
    )
      return failure('conflict', 'The first account has already been created. Sign in instead.');
    await tx.accounts.users.insert(user);
    const sessionToken = await startSession(tx, deps, user.id, false);
    await tx.audit.append({
      actor: email,
      action: 'account.created',
      organisationId: null,
      subject: email,
      details: { platformRole: 'operator', via: 'setup-link' },
    });
    return success({ user, sessionToken });
  });
}
