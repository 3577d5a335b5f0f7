// Ends a session.
import { tokenId, type AccountDeps } from './account-deps.ts';
import { resolveSession } from './resolve-session.ts';

export async function signOut(deps: AccountDeps, sessionToken: string | undefined): Promise<void> {
  const signedIn = await resolveSession(deps, sessionToken);
  if (!signedIn || !sessionToken) return;
  await deps.store.transaction(async (tx) => {
    await tx.accounts.sessions.remove(tokenId(sessionToken));
    await tx.audit.append({
      actor: signedIn.user.email,
      action: 'sign-out',
      organisationId: null,
      subject: signedIn.user.email,
      details: {},
    });
  });
}
