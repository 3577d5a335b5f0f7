// Members and invitations: an organisation's members and the invitation form (administrators), accepting
// an invitation by its one-time link, and the outbox of unsent e-mails (operators).
import { renderAccessProblem } from '../set-up-error-pages.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountDeps } from '../../app/account-deps.ts';
import { acceptInvitation, findInvitation } from '../../app/accept-invitation.ts';
import { inviteMember } from '../../app/invite-member.ts';
import { listInvitations } from '../../app/list-invitations.ts';
import { listMembers } from '../../app/list-members.ts';
import { readOutbox } from '../../app/read-outbox.ts';
import { findOrganisation } from '../../app/find-organisation.ts';
import { ROLES } from '../../app/ports.ts';
import { actorOf, fullySignedIn, setSessionCookie } from '../set-up-sessions.ts';
import { requireActor } from './organisations.ts';

type Form = Record<string, string | undefined>;

const ROLE_NAMES: Record<string, string> = {
  administrator: 'Administrator',
  contributor: 'Contributor',
  approver: 'Approver',
  auditor: 'Auditor',
  viewer: 'Viewer',
};

const ROLE_LABELS: Record<string, string> = {
  administrator: 'Administrator: invites people and answers the assessment',
  contributor: 'Contributor: answers the assessment and attaches evidence',
  approver: 'Approver (SIRO or chief executive): signs off and publishes',
  auditor: 'Auditor: reads the assessment and its evidence',
  viewer: 'Viewer: reads the assessment',
};

export function registerMemberRoutes(app: FastifyInstance, deps: AccountDeps, publicUrl?: string): void {
  const baseUrl = (request: FastifyRequest) => publicUrl ?? `${request.protocol}://${request.host}`;

  const membersPage = async (request: FastifyRequest, ods: string, extra: Record<string, unknown> = {}) => {
    const signedIn = fullySignedIn(request);
    if (!signedIn) return undefined;
    const actor = actorOf(signedIn);
    const members = await listMembers(deps, actor, { odsCode: ods });
    if (!members.ok) return undefined;
    const org = await findOrganisation(deps.store, actor, ods, 'read');
    if (!org.ok) return undefined;
    const canInvite = (await findOrganisation(deps.store, actor, ods, 'administer')).ok;
    const invitations = await listInvitations(deps, actor, { odsCode: ods });
    return {
      pageTitle: `Members: ${org.value.name}`,
      org: org.value,
      members: members.value.map((m) => ({ ...m, roleName: ROLE_NAMES[m.role] ?? m.role })),
      invitations: invitations.ok
        ? invitations.value.map((i) => ({
            ...i,
            roleName: ROLE_NAMES[i.role] ?? i.role,
            expiresOn: i.expiresAt.slice(0, 10),
          }))
        : [],
      canInvite,
      roleItems: ROLES.map((r) => ({ value: r, text: ROLE_LABELS[r] })),
      csrfToken: request.csrfToken,
      values: {},
      errors: {},
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: org.value.name, href: `/organisations/${org.value.odsCode}` },
      ],
      ...extra,
    };
  };

  app.get<{ Params: { ods: string }; Querystring: { invited?: string } }>(
    '/organisations/:ods/members',
    async (request, reply) => {
      if (!requireActor(request, reply)) return reply;
      const page = await membersPage(request, request.params.ods, { invited: request.query.invited });
      if (!page) return reply.code(404).render('errors/404.njk');
      return reply.render('members/list.njk', page);
    },
  );

  app.post<{ Params: { ods: string }; Body: Form }>('/organisations/:ods/members', async (request, reply) => {
    const actor = requireActor(request, reply);
    if (!actor) return reply;
    const result = await inviteMember(deps, actor, {
      odsCode: request.params.ods,
      email: request.body.email ?? '',
      role: request.body.role ?? '',
      baseUrl: baseUrl(request),
    });
    if (result.ok)
      return reply.redirect(
        `/organisations/${encodeURIComponent(request.params.ods)}/members?invited=${encodeURIComponent(request.body.email ?? '')}`,
        303,
      );
    const denied = renderAccessProblem(reply, result.error);
    if (denied) return denied;
    const field = result.error.where === 'role' ? 'role' : 'email';
    const page = await membersPage(request, request.params.ods, {
      values: request.body,
      errors: { [field]: result.error.message },
      errorList: [{ text: result.error.message, href: `#${field}` }],
    });
    return page ? reply.code(400).render('members/list.njk', page) : reply.code(404).render('errors/404.njk');
  });

  app.get<{ Params: { token: string } }>('/invitations/:token', async (request, reply) => {
    const invitation = await findInvitation(deps, request.params.token);
    if (!invitation)
      return reply.code(404).render('account/link-invalid.njk', {
        message: 'This invitation was used already or has expired. Ask for a new one.',
      });
    return reply.render('members/accept.njk', {
      pageTitle: `Join ${invitation.organisationName}`,
      invitation,
      roleLabel: ROLE_LABELS[invitation.role ?? ''],
      csrfToken: request.csrfToken,
      values: {},
      errors: {},
    });
  });

  app.post<{ Params: { token: string }; Body: Form }>('/invitations/:token', async (request, reply) => {
    const invitation = await findInvitation(deps, request.params.token);
    const result = await acceptInvitation(deps, {
      token: request.params.token,
      ...(request.body.name !== undefined ? { name: request.body.name } : {}),
      ...(request.body.password !== undefined ? { password: request.body.password } : {}),
    });
    if (!result.ok) {
      if (!invitation || result.error.kind === 'not-found' || result.error.kind === 'conflict')
        return reply.code(404).render('account/link-invalid.njk', { message: result.error.message });
      const field = result.error.where ?? 'name';
      return reply.code(400).render('members/accept.njk', {
        pageTitle: `Join ${invitation.organisationName}`,
        invitation,
        roleLabel: ROLE_LABELS[invitation.role ?? ''],
        csrfToken: request.csrfToken,
        values: { name: request.body.name },
        errors: { [field]: result.error.message },
        errorList: [{ text: result.error.message, href: `#${field}` }],
      });
    }
    if (result.value.sessionToken) {
      setSessionCookie(reply, result.value.sessionToken);
      return reply.redirect('/account/mfa', 303);
    }
    return reply.redirect('/sign-in', 303);
  });

  app.get('/outbox', async (request, reply) => {
    const actor = requireActor(request, reply);
    if (!actor) return reply;
    const messages = await readOutbox(deps, actor);
    if (!messages.ok) return reply.code(404).render('errors/404.njk');
    return reply.render('members/outbox.njk', {
      pageTitle: 'Outbox',
      messages: messages.value,
      breadcrumbs: [{ text: 'Home', href: '/' }],
    });
  });
}
