// On first run, with no accounts yet, makes the one-time link that creates the first operator. There are no
// default passwords: whoever can read the server's output sets up the first account.
import { success, type Result } from '../domain/result.ts';
import { newToken, type AccountDeps } from './account-deps.ts';

export const SETUP_LINK_HOURS = 24;

export async function createSetupLink(deps: AccountDeps): Promise<Result<{ token: string } | null>> {
  if ((await deps.store.accounts.users.count()) > 0) return success(null);
  const { token, id } = newToken();
  const now = deps.clock.now();
  await deps.store.accounts.tokens.insert({
    id,
    purpose: 'setup',
    email: null,
    organisationId: null,
    role: null,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SETUP_LINK_HOURS * 3_600_000).toISOString(),
    usedAt: null,
  });
  return success({ token });
}
