// Who is acting, and what they may do to an organisation. Checks live in the use cases, so every caller
// (browser, API, CLI) gets the same answer; another organisation's data is reported as not found.
import type { MemberRecord, OrganisationRecord, Role, Store } from './ports.ts';

export type Actor =
  /** A platform operator (or the local CLI user): every organisation. */
  | { kind: 'operator'; name: string }
  /** A person acting through their membership of organisations. */
  | { kind: 'user'; email: string; name: string };

export type Permission = 'read' | 'answer' | 'plan' | 'publish' | 'administer';

const ALLOWED: Record<Role, readonly Permission[]> = {
  administrator: ['read', 'answer', 'plan', 'administer'],
  contributor: ['read', 'answer', 'plan'],
  approver: ['read', 'answer', 'plan', 'publish'],
  auditor: ['read'],
  viewer: ['read'],
};

export function actorName(actor: Actor): string {
  return actor.kind === 'operator' ? `operator:${actor.name}` : actor.email;
}

/** The membership that lets `actor` act on `organisation`, or why not. */
export async function permits(
  store: Store,
  actor: Actor,
  organisation: OrganisationRecord,
  permission: Permission,
): Promise<'yes' | 'not-member' | 'role'> {
  if (actor.kind === 'operator') return 'yes';
  const members: MemberRecord[] = await store.members.listByOrganisation(organisation.id);
  const mine = members.filter((m) => m.email.toLowerCase() === actor.email.toLowerCase());
  if (mine.length === 0) return 'not-member';
  return mine.some((m) => ALLOWED[m.role].includes(permission)) ? 'yes' : 'role';
}
