// Lists the organisations an actor can see: all of them for an operator, their own for a member.
import { permits, type Actor } from './actor.ts';
import type { Deps, OrganisationRecord } from './ports.ts';

export async function listOrganisations(deps: Deps, actor: Actor): Promise<OrganisationRecord[]> {
  const all = await deps.store.organisations.list();
  if (actor.kind === 'operator') return all;
  const visible: OrganisationRecord[] = [];
  for (const org of all) if ((await permits(deps.store, actor, org, 'read')) === 'yes') visible.push(org);
  return visible;
}
