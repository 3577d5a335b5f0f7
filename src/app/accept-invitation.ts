// Accepting an invitation: a new person chooses their name and password (and enrols a second factor next);
// someone who already has an account simply gains the membership.
import { randomUUID } from 'node:crypto';
import { checkNewPassword } from '../domain/accounts.ts';
import { failure, success, type Result } from '../domain/result.ts';
import { tokenId, type AccountDeps } from './account-deps.ts';
import type { OneTimeTokenRecord, UserRecord } from './account-ports.ts';
import type { Role } from './ports.ts';
import { startSession } from './start-session.ts';

export async function findInvitation(
  deps: AccountDeps,
  token: string,
): Promise<(OneTimeTokenRecord & { existingAccount: boolean; organisationName: string }) | undefined> {
  const invitation = await deps.store.accounts.tokens.find(tokenId(token));
  if (
    !invitation ||
    invitation.purpose !== 'invitation' ||
    invitation.usedAt ||
    invitation.expiresAt <= deps.clock.now().toISOString()
  )
    return undefined;
  if (!invitation.email || !invitation.organisationId) return undefined;
  const org = await deps.store.organisations.findById(invitation.organisationId);
  if (!org) return undefined;
  const existing = await deps.store.accounts.users.findByEmail(invitation.email);
  return { ...invitation, existingAccount: existing !== undefined, organisationName: org.name };
}

export async function acceptInvitation(
  deps: AccountDeps,
  input: { token: string; name?: string; password?: string },
): Promise<Result<{ sessionToken?: string; organisationName: string }>> {
  const invitation = await findInvitation(deps, input.token);
  if (!invitation)
    return failure(
      'not-found',
      'This invitation is not valid: it was used already or has expired. Ask for a new one.',
    );
  const email = invitation.email!;
  const now = deps.clock.now().toISOString();
  let user: UserRecord | undefined;
  if (!invitation.existingAccount) {
    const name = input.name?.trim() ?? '';
    if (name === '') return failure('bad-input', 'Enter your full name', 'name');
    const password = checkNewPassword(input.password ?? '', { email, name }, deps.isCommonPassword);
    if (!password.ok) return password;
    user = {
      id: randomUUID(),
      email,
      name,
      passwordHash: await deps.passwords.hash(input.password ?? ''),
      platformRole: null,
      totpSecret: null,
      mfaEnrolledAt: null,
      recoveryCodes: [],
      failedSignIns: 0,
      lockedUntil: null,
      createdAt: now,
      lastSignInAt: now,
    };
  }
  return deps.store.transaction(async (tx) => {
    if (!(await tx.accounts.tokens.use(invitation.id, now)))
      return failure('conflict', 'This invitation has already been accepted.');
    if (user) await tx.accounts.users.insert(user);
    const existing = await tx.members.listByOrganisation(invitation.organisationId!);
    const name = user?.name ?? (await tx.accounts.users.findByEmail(email))?.name ?? email;
    if (!existing.some((m) => m.email === email && m.role === invitation.role))
      await tx.members.insert({
        id: randomUUID(),
        organisationId: invitation.organisationId!,
        email,
        name,
        role: invitation.role as Role,
        createdAt: now,
      });
    await tx.audit.append({
      actor: email,
      action: 'invitation.accepted',
      organisationId: invitation.organisationId,
      subject: email,
      details: { role: invitation.role, newAccount: !!user },
    });
    const sessionToken = user ? await startSession(tx, deps, user.id, false) : undefined;
    return success({
      ...(sessionToken ? { sessionToken } : {}),
      organisationName: invitation.organisationName,
    });
  });
}
