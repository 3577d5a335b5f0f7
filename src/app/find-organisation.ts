// Finds an organisation by ODS code for an actor, checking tenancy and role: the first step of most use cases.
import { failure, success, type Result } from '../domain/result.ts';
import { permits, type Actor, type Permission } from './actor.ts';
import type { OrganisationRecord, Store } from './ports.ts';

export async function findOrganisation(
  store: Store,
  actor: Actor,
  odsCode: string,
  permission: Permission,
): Promise<Result<OrganisationRecord>> {
  const ods = odsCode.trim().toUpperCase();
  const org = await store.organisations.findByOds(ods);
  const notFound = failure(
    'not-found',
    `no organisation with ODS code ${ods}; "dspt org list" shows those registered`,
    `ODS code ${ods}`,
  );
  if (!org) return notFound;
  const verdict = await permits(store, actor, org, permission);
  // A stranger learns nothing, not even that the organisation exists.
  if (verdict === 'not-member') return notFound;
  if (verdict === 'role')
    return failure('forbidden', `your role in ${ods} does not allow this (${permission})`, `ODS code ${ods}`);
  return success(org);
}
