// Organisation pages for signed-in users: register an organisation (operators), and each organisation's home
// page with the days left, progress, status and what is still missing. Tenancy is checked in the use cases:
// someone else's organisation is "not found".
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountDeps } from '../../app/account-deps.ts';
import type { Actor } from '../../app/actor.ts';
import { getStatus } from '../../app/get-status.ts';
import { registerOrganisation } from '../../app/register-organisation.ts';
import type { Certification } from '../../domain/assessment.ts';
import { daysBetween, toIsoDate } from '../../domain/dates.ts';
import { STATUS_LABEL } from '../../domain/status/compute-status.ts';
import { actorOf, fullySignedIn } from '../set-up-sessions.ts';

type Form = Record<string, string | undefined>;

export const STATUS_TAG: Record<string, string> = {
  'standards-not-met': 'nhsuk-tag--red',
  'approaching-standards': 'nhsuk-tag--yellow',
  'standards-met': 'nhsuk-tag--green',
  'standards-exceeded': 'nhsuk-tag--blue',
};

/** The reasons listed on the home page; the rest are on the task list. */
const REASONS_SHOWN = 15;

/** The acting user, or a redirect to sign-in: every organisation page needs a full sign-in. */
export function requireActor(request: FastifyRequest, reply: FastifyReply): Actor | undefined {
  const signedIn = fullySignedIn(request);
  if (!signedIn) {
    void reply.redirect('/sign-in', 303);
    return undefined;
  }
  return actorOf(signedIn);
}

export function registerOrganisationRoutes(app: FastifyInstance, deps: AccountDeps): void {
  const { catalogue } = deps;
  const typeItems = (selected?: string) => [
    { value: '', text: 'Choose a type' },
    ...[...catalogue.organisationTypes.values()].map((t) => ({
      value: t.id,
      text: `${t.name} (category ${t.category})`,
      selected: t.id === selected,
    })),
  ];
  const certItems = (selected?: string) => [
    { value: '', text: 'None' },
    ...catalogue.certifications.map((c) => ({ value: c.id, text: c.name, selected: c.id === selected })),
  ];
  const newPage = (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    reply.render('organisations/new.njk', {
      pageTitle: 'Register an organisation',
      csrfToken: request.csrfToken,
      typeItems: typeItems((extra.values as Form | undefined)?.type),
      certItems: certItems((extra.values as Form | undefined)?.certKind),
      values: {},
      errors: {},
      ...extra,
    });

  app.get('/organisations/new', async (request, reply) => {
    const actor = requireActor(request, reply);
    if (!actor) return reply;
    if (actor.kind !== 'operator') return reply.code(403).render('errors/403-role.njk');
    return newPage(request, reply);
  });

  app.post<{ Body: Form }>('/organisations/new', async (request, reply) => {
    const actor = requireActor(request, reply);
    if (!actor) return reply;
    const b = request.body;
    const certifications: Certification[] = b.certKind
      ? [
          {
            kind: b.certKind as Certification['kind'],
            number: b.certNumber ?? '',
            expires: b.certExpires ?? '',
          },
        ]
      : [];
    const result = await registerOrganisation(deps, actor, {
      odsCode: b.odsCode ?? '',
      name: b.name ?? '',
      type: b.type ?? '',
      certifications,
      ...(b.icoNumber ? { icoNumber: b.icoNumber } : {}),
    });
    if (!result.ok) {
      const fields: Record<string, string> = {
        '--ods': 'odsCode',
        '--name': 'name',
        '--type': 'type',
        '--ico': 'icoNumber',
        'certification 1': 'certNumber',
      };
      const field = fields[result.error.where ?? ''] ?? 'odsCode';
      const message =
        result.error.kind === 'forbidden'
          ? 'Only an operator can register an organisation'
          : result.error.message;
      return newPage(request, reply.code(result.error.kind === 'forbidden' ? 403 : 400), {
        values: b,
        errors: { [field]: message },
        errorList: [{ text: message, href: `#${field}` }],
      });
    }
    return reply.redirect(`/organisations/${result.value.odsCode}`, 303);
  });

  app.get<{ Params: { ods: string } }>('/organisations/:ods', async (request, reply) => {
    const actor = requireActor(request, reply);
    if (!actor) return reply;
    const result = await getStatus(deps, actor, { odsCode: request.params.ods });
    if (!result.ok) return reply.code(404).render('errors/404.njk');
    const { status, context } = result.value;
    const today = toIsoDate(deps.clock.now());
    const days = daysBetween(today, catalogue.deadlines.final);
    const org = context.organisation;
    return reply.render(
      'organisations/home.njk',
      {
        pageTitle: org.name,
        org,
        typeName: catalogue.organisationTypes.get(org.type)?.name ?? org.type,
        category: status.category,
        track: status.track,
        progress: status.progress,
        statusLabel: STATUS_LABEL[status.status],
        statusTag: STATUS_TAG[status.status],
        days,
        deadline: catalogue.deadlines.final,
        year: catalogue.year,
        // The status's own list, shared and frozen, so the page cache names it rather than writing it out.
        reasons: status.reasons,
        reasonsShown: REASONS_SHOWN,
        breadcrumbs: [{ text: 'Home', href: '/' }],
      },
      { cache: true },
    );
  });
}
