// The API tokens of an organisation (names and dates, never the tokens), for its administrators.
import { failure, success, type Result } from '../domain/result.ts';
import type { AccountDeps } from './account-deps.ts';
import type { ApiTokenRecord } from './account-ports.ts';
import type { Actor } from './actor.ts';
import { findOrganisation } from './find-organisation.ts';

export async function listApiTokens(
  deps: AccountDeps,
  actor: Actor,
  input: { odsCode: string },
): Promise<Result<ApiTokenRecord[]>> {
  if (actor.kind === 'token') return failure('forbidden', 'an API token cannot list tokens');
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'administer');
  if (!found.ok) return found;
  return success(await deps.store.accounts.apiTokens.listByOrganisation(found.value.id));
}
