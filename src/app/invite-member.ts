// An administrator invites someone to their organisation with a role. The invitation is a one-time link,
// valid for seven days, sent by e-mail (or kept in the outbox); accepting it creates the account if needed.
import { randomUUID } from 'node:crypto';
import { isEmail, normaliseEmail } from '../domain/accounts.ts';
import { failure, success, type Result } from '../domain/result.ts';
import { newToken, type AccountDeps } from './account-deps.ts';
import { actorName, type Actor } from './actor.ts';
import { findOrganisation } from './find-organisation.ts';
import { ROLES, type Role } from './ports.ts';

export const INVITATION_DAYS = 7;

const ROLE_WORDS: Record<Role, string> = {
  administrator: 'an administrator (you can invite others and answer the assessment)',
  contributor: 'a contributor (you can answer the assessment and attach evidence)',
  approver: 'an approver (you sign off and publish the assessment)',
  auditor: 'an auditor (you can read the assessment and its evidence)',
  viewer: 'a viewer (you can read the assessment)',
};

export async function inviteMember(
  deps: AccountDeps,
  actor: Actor,
  input: { odsCode: string; email: string; role: string; baseUrl: string },
): Promise<Result<{ link: string; sent: boolean }>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'administer');
  if (!found.ok) return found;
  const org = found.value;
  const email = normaliseEmail(input.email);
  if (!isEmail(email))
    return failure(
      'bad-input',
      'Enter an e-mail address in the correct format, like name@example.nhs.uk',
      'email',
    );
  if (!ROLES.includes(input.role as Role)) return failure('bad-input', 'Select a role', 'role');
  const role = input.role as Role;
  const { token, id } = newToken();
  const now = deps.clock.now();
  const link = `${input.baseUrl.replace(/\/$/, '')}/invitations/${token}`;
  const message = {
    id: randomUUID(),
    to: email,
    subject: `You are invited to ${org.name} on openDSPT`,
    body: [
      `You have been invited to join ${org.name} (${org.odsCode}) on openDSPT, the tool it uses for its Data Security and Protection Toolkit assessment.`,
      '',
      `You will be ${ROLE_WORDS[role]}.`,
      '',
      `Accept the invitation within ${INVITATION_DAYS} days: ${link}`,
      '',
      'If you did not expect this, you can ignore this e-mail.',
    ].join('\n'),
    createdAt: now.toISOString(),
    sentAt: null,
  };
  await deps.store.transaction(async (tx) => {
    await tx.accounts.tokens.insert({
      id,
      purpose: 'invitation',
      email,
      organisationId: org.id,
      role,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + INVITATION_DAYS * 86_400_000).toISOString(),
      usedAt: null,
    });
    await tx.accounts.outbox.insert(message);
    await tx.audit.append({
      actor: actorName(actor),
      action: 'member.invited',
      organisationId: org.id,
      subject: email,
      details: { role },
    });
  });
  const sent = await deps.mailer.send(message).catch(() => false);
  return success({ link, sent });
}
