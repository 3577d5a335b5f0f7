// Turns a bearer token into the actor it stands for; revoked and unknown tokens stand for nobody.
import { sha256Hex } from '../domain/canonical-json.ts';
import type { AccountDeps } from './account-deps.ts';
import type { Actor } from './actor.ts';
import { API_TOKEN_PREFIX } from './create-api-token.ts';

export async function resolveApiToken(
  deps: AccountDeps,
  token: string | undefined,
): Promise<Actor | undefined> {
  if (!token?.startsWith(API_TOKEN_PREFIX)) return undefined;
  const record = await deps.store.accounts.apiTokens.findByHash(sha256Hex(token));
  if (!record || record.revokedAt) return undefined;
  const now = deps.clock.now();
  if (!record.lastUsedAt || now.getTime() - Date.parse(record.lastUsedAt) > 60_000)
    await deps.store.accounts.apiTokens.touch(record.id, now.toISOString());
  return { kind: 'token', organisationId: record.organisationId, tokenId: record.id, name: record.name };
}
