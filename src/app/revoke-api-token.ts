// Revokes an API token at once: the next request that uses it is refused.
import { failure, success, type Result } from '../domain/result.ts';
import type { AccountDeps } from './account-deps.ts';
import { actorName, type Actor } from './actor.ts';
import { findOrganisation } from './find-organisation.ts';

export async function revokeApiToken(
  deps: AccountDeps,
  actor: Actor,
  input: { odsCode: string; tokenId: string },
): Promise<Result<true>> {
  if (actor.kind === 'token') return failure('forbidden', 'an API token cannot revoke tokens');
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'administer');
  if (!found.ok) return found;
  return deps.store.transaction(async (tx) => {
    if (!(await tx.accounts.apiTokens.revoke(found.value.id, input.tokenId, deps.clock.now().toISOString())))
      return failure('not-found', 'no such token, or it was revoked already', `token ${input.tokenId}`);
    await tx.audit.append({
      actor: actorName(actor),
      action: 'api-token.revoked',
      organisationId: found.value.id,
      subject: found.value.odsCode,
      details: { tokenId: input.tokenId },
    });
    return success(true as const);
  });
}
