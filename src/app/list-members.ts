// Lists the members of an organisation, for anyone who may read it.
import type { Result } from '../domain/result.ts';
import { success } from '../domain/result.ts';
import type { Actor } from './actor.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps, MemberRecord } from './ports.ts';

export async function listMembers(
  deps: Deps,
  actor: Actor,
  input: { odsCode: string },
): Promise<Result<MemberRecord[]>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'read');
  if (!found.ok) return found;
  return success(await deps.store.members.listByOrganisation(found.value.id));
}
