// Starts a session for a user and returns the token for the cookie. Shared by sign-in, set-up and the
// second factor (which starts a fresh session so that a token seen before it cannot be reused).
import type { Store } from './ports.ts';
import { newToken } from './account-deps.ts';
import type { Clock } from './ports.ts';

export async function startSession(
  store: Store,
  deps: { clock: Clock },
  userId: string,
  mfaPassed: boolean,
): Promise<string> {
  const { token, id } = newToken();
  const now = deps.clock.now().toISOString();
  await store.accounts.sessions.insert({ id, userId, mfaPassed, createdAt: now, lastSeenAt: now });
  return token;
}
