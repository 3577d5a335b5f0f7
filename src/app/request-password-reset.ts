// Someone who forgot their password asks for a reset link. The answer is the same whether or not the
// address has an account, so the form cannot be used to find out who has one.
import { randomUUID } from 'node:crypto';
import { normaliseEmail } from '../domain/accounts.ts';
import { newToken, type AccountDeps } from './account-deps.ts';

export const RESET_LINK_MINUTES = 60;

export async function requestPasswordReset(
  deps: AccountDeps,
  input: { email: string; baseUrl: string },
): Promise<void> {
  const email = normaliseEmail(input.email);
  const user = await deps.store.accounts.users.findByEmail(email);
  await deps.store.audit.append({
    actor: email || 'anonymous',
    action: 'password-reset.requested',
    organisationId: null,
    subject: email,
    details: { account: !!user },
  });
  if (!user) return;
  const { token, id } = newToken();
  const now = deps.clock.now();
  const link = `${input.baseUrl.replace(/\/$/, '')}/password-reset/${token}`;
  const message = {
    id: randomUUID(),
    to: email,
    subject: 'Reset your openDSPT password',
    body: [
      'Someone asked to reset the password of your openDSPT account.',
      '',
      `Choose a new password within ${RESET_LINK_MINUTES} minutes: ${link}`,
      '',
      'You will still need the code from your authenticator app to sign in. If you did not ask for this, ignore this e-mail: your password has not changed.',
    ].join('\n'),
    createdAt: now.toISOString(),
    sentAt: null,
  };
  await deps.store.transaction(async (tx) => {
    await tx.accounts.tokens.insert({
      id,
      purpose: 'password-reset',
      email,
      organisationId: null,
      role: null,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + RESET_LINK_MINUTES * 60_000).toISOString(),
      usedAt: null,
    });
    await tx.accounts.outbox.insert(message);
  });
  await deps.mailer.send(message).catch(() => false);
}
