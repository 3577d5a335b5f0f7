// API token pages for administrators: make a token (shown once), see the tokens, revoke one.
import { renderAccessProblem } from '../set-up-error-pages.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountDeps } from '../../app/account-deps.ts';
import { createApiToken } from '../../app/create-api-token.ts';
import { listApiTokens } from '../../app/list-api-tokens.ts';
import { revokeApiToken } from '../../app/revoke-api-token.ts';
import { actorOf, fullySignedIn } from '../set-up-sessions.ts';
import { requireActor } from './organisations.ts';

type Form = Record<string, string | undefined>;

export function registerApiTokenRoutes(app: FastifyInstance, deps: AccountDeps): void {
  const page = async (request: FastifyRequest, ods: string, extra: Record<string, unknown> = {}) => {
    const signedIn = fullySignedIn(request);
    if (!signedIn) return undefined;
    const tokens = await listApiTokens(deps, actorOf(signedIn), { odsCode: ods });
    if (!tokens.ok) return tokens.error.kind === 'forbidden' ? 'forbidden' : undefined;
    return {
      pageTitle: 'API tokens',
      ods: ods.toUpperCase(),
      tokens: tokens.value,
      csrfToken: request.csrfToken,
      values: {},
      errors: {},
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: ods.toUpperCase(), href: `/organisations/${ods.toUpperCase()}` },
      ],
      ...extra,
    };
  };
  const render = async (
    request: FastifyRequest,
    reply: import('fastify').FastifyReply,
    ods: string,
    extra: Record<string, unknown> = {},
    code = 200,
  ) => {
    const p = await page(request, ods, extra);
    if (p === 'forbidden') return reply.code(403).render('errors/403-role.njk');
    if (!p) return reply.code(404).render('errors/404.njk');
    return reply.code(code).render('organisations/api-tokens.njk', p);
  };

  app.get<{ Params: { ods: string } }>('/organisations/:ods/api-tokens', async (request, reply) => {
    if (!requireActor(request, reply)) return reply;
    return render(request, reply, request.params.ods);
  });

  app.post<{ Params: { ods: string }; Body: Form }>(
    '/organisations/:ods/api-tokens',
    async (request, reply) => {
      const actor = requireActor(request, reply);
      if (!actor) return reply;
      const result = await createApiToken(deps, actor, {
        odsCode: request.params.ods,
        name: request.body.name ?? '',
      });
      if (!result.ok) {
        if (result.error.kind === 'bad-input')
          return render(
            request,
            reply,
            request.params.ods,
            {
              errors: { name: result.error.message },
              errorList: [{ text: result.error.message, href: '#name' }],
            },
            400,
          );
        return renderAccessProblem(reply, result.error) ?? reply.code(404).render('errors/404.njk');
      }
      return render(request, reply, request.params.ods, {
        created: { name: result.value.record.name, token: result.value.token },
      });
    },
  );

  app.post<{ Params: { ods: string; id: string } }>(
    '/organisations/:ods/api-tokens/:id/revoke',
    async (request, reply) => {
      const actor = requireActor(request, reply);
      if (!actor) return reply;
      const result = await revokeApiToken(deps, actor, {
        odsCode: request.params.ods,
        tokenId: request.params.id,
      });
      if (!result.ok)
        return renderAccessProblem(reply, result.error) ?? reply.code(404).render('errors/404.njk');
      return reply.redirect(`/organisations/${encodeURIComponent(request.params.ods)}/api-tokens`, 303);
    },
  );
}
