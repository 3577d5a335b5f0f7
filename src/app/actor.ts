// Who is acting, and what they may do to an organisation. Checks live in the use cases, so every caller
// (browser, API, CLI) gets the same answer; another organisation's data is reported as not found.
import type { MemberRecord, OrganisationRecord, Role, Store } from './ports.ts';

export type Actor =
  /** A platform operator (or the local CLI user): every organisation. */
  | { kind: 'operator'; name: string }
  /** A person acting through their membership of organisations. */
  | { kind: 'user'; email: string; name: string }
  /** A CI job or script with an API token: one organisation, a contributor's permissions. */
  | { kind: 'token'; organisationId: string; tokenId: string; name: string };

export type Permission = 'read' | 'answer' | 'plan' | 'publish' | 'administer';

const ALLOWED: Record<Role, readonly Permission[]> = {
  administrator: ['read', 'answer', 'plan', 'administer'],
  contributor: ['read', 'answer', 'plan'],
  approver: ['read', 'answer', 'plan', 'publish'],
  auditor: ['read'],
  viewer: ['read'],
};

export function actorName(actor: Actor): string {
  if (actor.kind === 'operator') return `operator:${actor.name}`;
  if (actor.kind === 'token') return `token:${actor.name}:${actor.tokenId.slice(0, 8)}`;
  return actor.email;
}

/** The membership that lets `actor` act on `organisation`, or why not. */
export async function permits(
  store: Store,
  actor: Actor,
  organisation: OrganisationRecord,
  permission: Permission,
): Promise<'yes' | 'not-member' | 'role'> {
  if (actor.kind === 'operator') return 'yes';
  // A token belongs to one organisation and can answer, plan and read there; publishing needs a person.
  if (actor.kind === 'token')
    return actor.organisationId !== organisation.id
      ? 'not-member'
      : ALLOWED.contributor.includes(permission)
        ? 'yes'
        : 'role';
  const members: MemberRecord[] = await store.members.listByOrganisation(organisation.id);
  const mine = members.filter((m) => m.email.toLowerCase() === actor.email.toLowerCase());
  if (mine.length === 0) return 'not-member';
  return mine.some((m) => ALLOWED[m.role].includes(permission)) ? 'yes' : 'role';
}
