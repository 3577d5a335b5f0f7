// Sets a new password through a reset link. Every session of the account ends; the second factor is still
// needed at the next sign-in, so a stolen mailbox alone does not open the account.
import { checkNewPassword } from '../domain/accounts.ts';
import { failure, success, type Result } from '../domain/result.ts';
import { tokenId, type AccountDeps } from './account-deps.ts';

export async function resetLinkIsValid(deps: AccountDeps, token: string): Promise<boolean> {
  const record = await deps.store.accounts.tokens.find(tokenId(token));
  return (
    !!record &&
    record.purpose === 'password-reset' &&
    !record.usedAt &&
    record.expiresAt > deps.clock.now().toISOString()
  );
}

export async function resetPassword(
  deps: AccountDeps,
  input: { token: string; password: string },
): Promise<Result<true>> {
  const record = await deps.store.accounts.tokens.find(tokenId(input.token));
  if (
    !record ||
    record.purpose !== 'password-reset' ||
    record.usedAt ||
    record.expiresAt <= deps.clock.now().toISOString() ||
    !record.email
  )
    return failure(
      'not-found',
      'This reset link is not valid: it was used already or has expired. Ask for a new one.',
    );
  const user = await deps.store.accounts.users.findByEmail(record.email);
  if (!user) return failure('not-found', 'This reset link is not valid.');
  const checked = checkNewPassword(
    input.password,
    { email: user.email, name: user.name },
    deps.isCommonPassword,
  );
  if (!checked.ok) return checked;
  const passwordHash = await deps.passwords.hash(input.password);
  const now = deps.clock.now().toISOString();
  return deps.store.transaction(async (tx) => {
    if (!(await tx.accounts.tokens.use(record.id, now)))
      return failure('conflict', 'This reset link has already been used.');
    await tx.accounts.users.update(user.id, { passwordHash, failedSignIns: 0, lockedUntil: null });
    await tx.accounts.sessions.removeForUser(user.id);
    await tx.audit.append({
      actor: user.email,
      action: 'password.reset',
      organisationId: null,
      subject: user.email,
      details: {},
    });
    return success(true as const);
  });
}
