// Adds a member with a role to an organisation.
import { randomUUID } from 'node:crypto';
import { failure, success, type Result } from '../domain/result.ts';
import { actorName, type Actor } from './actor.ts';
import { findOrganisation } from './find-organisation.ts';
import { ROLES, type Deps, type MemberRecord, type Role } from './ports.ts';

export async function addMember(
  deps: Deps,
  actor: Actor,
  input: { odsCode: string; email: string; name: string; role: string },
): Promise<Result<MemberRecord>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'administer');
  if (!found.ok) return found;
  const email = input.email.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
    return failure('bad-input', `"${input.email}" is not an e-mail address`, '--email');
  if (!ROLES.includes(input.role as Role))
    return failure(
      'bad-input',
      `unknown role "${input.role}"; expected one of: ${ROLES.join(', ')}`,
      '--role',
    );
  const name = input.name.trim();
  if (name === '') return failure('bad-input', "expected the member's name", '--name');
  const member: MemberRecord = {
    id: randomUUID(),
    organisationId: found.value.id,
    email,
    name,
    role: input.role as Role,
    createdAt: deps.clock.now().toISOString(),
  };
  return deps.store.transaction(async (tx) => {
    const existing = await tx.members.listByOrganisation(member.organisationId);
    if (existing.some((m) => m.email === email && m.role === member.role))
      return failure('conflict', `${email} is already a ${member.role} of ${found.value.odsCode}`, '--email');
    await tx.members.insert(member);
    await tx.audit.append({
      actor: actorName(actor),
      action: 'member.added',
      organisationId: member.organisationId,
      subject: email,
      details: { role: member.role, name },
    });
    return success(member);
  });
}
