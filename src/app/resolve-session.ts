// Finds the user behind a session cookie, ending the session when it has been idle or open too long.
import { SESSION_IDLE_MINUTES, SESSION_MAX_HOURS } from '../domain/accounts.ts';
import { tokenId, type AccountDeps } from './account-deps.ts';
import type { SessionRecord, UserRecord } from './account-ports.ts';

export interface SignedIn {
  session: SessionRecord;
  user: UserRecord;
}

export async function resolveSession(
  deps: AccountDeps,
  sessionToken: string | undefined,
): Promise<SignedIn | undefined> {
  if (!sessionToken) return undefined;
  const id = tokenId(sessionToken);
  const found = await deps.store.accounts.sessions.findWithUser(id);
  if (!found) return undefined;
  const { session, user } = found;
  const now = deps.clock.now().getTime();
  const idle = now - Date.parse(session.lastSeenAt) > SESSION_IDLE_MINUTES * 60_000;
  const old = now - Date.parse(session.createdAt) > SESSION_MAX_HOURS * 3_600_000;
  if (idle || old) {
    await deps.store.accounts.sessions.remove(id);
    return undefined;
  }
  // Writing on every request would be wasteful; a minute's precision is enough for an idle timeout.
  if (now - Date.parse(session.lastSeenAt) > 60_000)
    await deps.store.accounts.sessions.touch(id, new Date(now).toISOString());
  return { session, user };
}
