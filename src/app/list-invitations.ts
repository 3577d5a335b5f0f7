// The invitations to an organisation still waiting to be accepted, for anyone who may read its members: who
// was invited, with which role, and until when the link works.
import type { Result } from '../domain/result.ts';
import { success } from '../domain/result.ts';
import type { AccountDeps } from './account-deps.ts';
import type { Actor } from './actor.ts';
import { findOrganisation } from './find-organisation.ts';

export interface WaitingInvitation {
  email: string;
  role: string;
  invitedAt: string;
  expiresAt: string;
}

export async function listInvitations(
  deps: AccountDeps,
  actor: Actor,
  input: { odsCode: string },
): Promise<Result<WaitingInvitation[]>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'read');
  if (!found.ok) return found;
  const open = await deps.store.accounts.tokens.openInvitations(
    found.value.id,
    deps.clock.now().toISOString(),
  );
  return success(
    open.map((t) => ({
      email: t.email ?? '',
      role: t.role ?? '',
      invitedAt: t.createdAt,
      expiresAt: t.expiresAt,
    })),
  );
}
