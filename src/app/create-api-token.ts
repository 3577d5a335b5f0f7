// An administrator makes an API token for one organisation, so that a CI job can push answers and
// evidence. The token is shown once; only its hash is kept.
import { randomBytes, randomUUID } from 'node:crypto';
import { sha256Hex } from '../domain/canonical-json.ts';
import { failure, success, type Result } from '../domain/result.ts';
import type { AccountDeps } from './account-deps.ts';
import type { ApiTokenRecord } from './account-ports.ts';
import { actorName, type Actor } from './actor.ts';
import { findOrganisation } from './find-organisation.ts';

/** Tokens start with a recognisable prefix, so secret scanners can spot one committed by mistake. */
export const API_TOKEN_PREFIX = 'dspt_';

export async function createApiToken(
  deps: AccountDeps,
  actor: Actor,
  input: { odsCode: string; name: string },
): Promise<Result<{ token: string; record: ApiTokenRecord }>> {
  if (actor.kind === 'token') return failure('forbidden', 'an API token cannot make other tokens');
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'administer');
  if (!found.ok) return found;
  const name = input.name.trim();
  if (name === '' || name.length > 80)
    return failure(
      'bad-input',
      'Enter a name for the token of up to 80 characters, such as "CI pipeline"',
      'name',
    );
  const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const record: ApiTokenRecord = {
    id: randomUUID(),
    organisationId: found.value.id,
    name,
    tokenHash: sha256Hex(token),
    createdBy: actorName(actor),
    createdAt: deps.clock.now().toISOString(),
    revokedAt: null,
    lastUsedAt: null,
  };
  await deps.store.transaction(async (tx) => {
    await tx.accounts.apiTokens.insert(record);
    await tx.audit.append({
      actor: actorName(actor),
      action: 'api-token.created',
      organisationId: found.value.id,
      subject: `${found.value.odsCode} ${name}`,
      details: { tokenId: record.id },
    });
  });
  return success({ token, record });
}
