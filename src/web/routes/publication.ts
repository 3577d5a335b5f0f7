// Sign-off and publication: check your answers, the improvement plan where the assessment is not Met, the
// approver's declaration in their own name, and the certificate of a published assessment.
import { renderAccessProblem } from '../set-up-error-pages.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountDeps } from '../../app/account-deps.ts';
import { declarationFor, publishAssessment } from '../../app/publish-assessment.ts';
import { draftPlan } from '../../app/draft-plan.ts';
import { getPublication } from '../../app/get-publication.ts';
import { getStatus } from '../../app/get-status.ts';
import { permits } from '../../app/actor.ts';
import { STATUS_LABEL, STATUS_RANK } from '../../domain/status/compute-status.ts';
import { checkPlanCovers } from '../../domain/status/improvement-plan.ts';
import { toIsoDate } from '../../domain/dates.ts';
import { actorOf, fullySignedIn } from '../set-up-sessions.ts';
import { requireActor, STATUS_TAG } from './organisations.ts';

type Form = Record<string, string | undefined>;

export function registerPublicationRoutes(app: FastifyInstance, deps: AccountDeps): void {
  const { catalogue } = deps;

  const checkPage = async (request: FastifyRequest, ods: string, extra: Record<string, unknown> = {}) => {
    const signedIn = fullySignedIn(request);
    if (!signedIn) return undefined;
    const actor = actorOf(signedIn);
    const result = await getStatus(deps, actor, { odsCode: ods });
    if (!result.ok) return undefined;
    const { status, context } = result.value;
    const org = context.organisation;
    const answers = new Map(context.responses.map((r) => [r.itemId, r]));
    const rows = status.items
      .filter((i) => i.mandatory)
      .map((i) => {
        const r = answers.get(i.itemId);
        const answer = !r
          ? 'Not answered'
          : r.answer.type === 'yes-no'
            ? r.answer.value
              ? 'Yes'
              : 'No'
            : r.answer.value;
        return {
          key: { text: `${i.itemId} ${i.title}` },
          value: { text: i.state === 'exempt' ? 'Exempt through certification' : answer },
          actions: {
            items: [
              {
                href: `/organisations/${org.odsCode}/items/${i.itemId}`,
                text: 'Change',
                visuallyHiddenText: `${i.itemId} ${i.title}`,
              },
            ],
          },
        };
      });
    const levels = {
      'not-achieved': 'Not achieved',
      'partially-achieved': 'Partially achieved',
      achieved: 'Achieved',
    };
    const outcomeRows = status.outcomes.map((o) => ({
      key: { text: `${o.outcomeId} ${o.title}` },
      value: { text: `${levels[o.achieved]} (expected: ${levels[o.expected]})` },
    }));
    const notMet = STATUS_RANK[status.status] < STATUS_RANK['standards-met'];
    const planGaps = notMet
      ? checkPlanCovers({ actions: context.plan }, status.unmetTargets, toIsoDate(deps.clock.now()))
      : [];
    return {
      pageTitle: 'Check your answers before publishing',
      org,
      status,
      statusLabel: STATUS_LABEL[status.status],
      statusTag: STATUS_TAG[status.status],
      rows: status.track === 'caf' ? outcomeRows : rows,
      notMet,
      plan: context.plan,
      planGaps,
      canPublish: !notMet || planGaps.length === 0,
      // Shown, not enforced, here: publishAssessment refuses anyone else whatever the page shows.
      mayPublish: (await permits(deps.store, actor, org, 'publish')) === 'yes',
      declaration: declarationFor(org.name, signedIn.user.name, '<your role>'),
      signerName: signedIn.user.name,
      publications: context.publications,
      csrfToken: request.csrfToken,
      errors: {},
      values: {},
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: org.name, href: `/organisations/${org.odsCode}` },
      ],
      ...extra,
    };
  };

  app.get<{ Params: { ods: string } }>('/organisations/:ods/publish', async (request, reply) => {
    if (!requireActor(request, reply)) return reply;
    const page = await checkPage(request, request.params.ods);
    if (!page) return reply.code(404).render('errors/404.njk');
    return reply.render('publication/check.njk', page);
  });

  app.post<{ Params: { ods: string }; Body: Form }>('/organisations/:ods/plan', async (request, reply) => {
    const actor = requireActor(request, reply);
    if (!actor) return reply;
    const owner = request.body.owner?.trim();
    const result = await draftPlan(deps, actor, { odsCode: request.params.ods, ...(owner ? { owner } : {}) });
    if (!result.ok) {
      const denied = renderAccessProblem(reply, result.error);
      if (denied) return denied;
      const page = await checkPage(request, request.params.ods, {
        errors: { owner: result.error.message },
        errorList: [{ text: result.error.message, href: '#owner' }],
      });
      return page
        ? reply.code(400).render('publication/check.njk', page)
        : reply.code(404).render('errors/404.njk');
    }
    return reply.redirect(`/organisations/${encodeURIComponent(request.params.ods)}/publish`, 303);
  });

  app.post<{ Params: { ods: string }; Body: Form }>('/organisations/:ods/publish', async (request, reply) => {
    const actor = requireActor(request, reply);
    const signedIn = fullySignedIn(request);
    if (!actor || !signedIn) return reply;
    const b = request.body;
    const errors: Record<string, string> = {};
    if (b.kind !== 'baseline' && b.kind !== 'final')
      errors.kind = 'Select whether this is a baseline or the final publication';
    if (!b.role?.trim()) errors.role = 'Enter your role, for example SIRO or Chief executive';
    if (b.confirm !== 'yes') errors.confirm = 'Confirm the declaration to publish';
    if (Object.keys(errors).length === 0) {
      const result = await publishAssessment(deps, actor, {
        odsCode: request.params.ods,
        kind: b.kind as 'baseline' | 'final',
        // The approver signs in their own name: the name comes from their account, never from the form.
        signerName: signedIn.user.name,
        signerRole: b.role ?? '',
      });
      if (result.ok)
        return reply.redirect(
          `/organisations/${encodeURIComponent(request.params.ods)}/publications/${result.value.id}`,
          303,
        );
      if (result.error.kind === 'not-found') return reply.code(404).render('errors/404.njk');
      if (result.error.kind === 'forbidden')
        errors.confirm = 'Only an approver (the SIRO or chief executive) can publish this assessment';
      else errors.confirm = result.error.message;
    }
    const page = await checkPage(request, request.params.ods, {
      errors,
      errorList: Object.entries(errors).map(([field, text]) => ({ text, href: `#${field}` })),
      values: b,
    });
    return page
      ? reply.code(400).render('publication/check.njk', page)
      : reply.code(404).render('errors/404.njk');
  });

  app.get<{ Params: { ods: string; id: string } }>(
    '/organisations/:ods/publications/:id',
    async (request, reply) => {
      const actor = requireActor(request, reply);
      if (!actor) return reply;
      const result = await getPublication(deps, actor, {
        odsCode: request.params.ods,
        publicationId: request.params.id,
      });
      if (!result.ok) return reply.code(404).render('errors/404.njk');
      const { organisation, publication } = result.value;
      const snapshot = JSON.parse(publication.snapshot) as {
        status: { progress: { done: number; total: number } };
        year: string;
      };
      return reply.render('publication/certificate.njk', {
        pageTitle: `Certificate: ${organisation.name}`,
        org: organisation,
        publication,
        statusLabel: STATUS_LABEL[publication.status as keyof typeof STATUS_LABEL] ?? publication.status,
        statusTag: STATUS_TAG[publication.status],
        progress: snapshot.status.progress,
        year: snapshot.year,
        publishedOn: publication.publishedAt.slice(0, 10),
        typeName: catalogue.organisationTypes.get(organisation.type)?.name ?? organisation.type,
        breadcrumbs: [
          { text: 'Home', href: '/' },
          { text: organisation.name, href: `/organisations/${organisation.odsCode}` },
        ],
      });
    },
  );
}
