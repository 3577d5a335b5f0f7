// Pages for the things that go wrong: an address we do not have (404), a request we cannot read (400) and our
// own failures (500, logged with the error but never shown to the user).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type nunjucks from 'nunjucks';
import type { Problem } from '../domain/result.ts';
import { SECURITY_HEADERS } from './set-up-web-security.ts';

/** Answer 400 with the design system's error page; `message` says what was wrong and how to put it right. */
export function renderBadRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).render('errors/400.njk', { message });
}

/**
 * The page for a use case's refusal on grounds of access: another organisation's data is "not found" (404)
 * and a role that may not do this gets 403. Returns undefined for any other problem, which the form shows.
 */
export function renderAccessProblem(reply: FastifyReply, problem: Problem): FastifyReply | undefined {
  if (problem.kind === 'not-found') return reply.code(404).render('errors/404.njk');
  if (problem.kind === 'forbidden') return reply.code(403).render('errors/403-role.njk');
  return undefined;
}

export function setUpErrorPages(app: FastifyInstance): void {
  app.setNotFoundHandler((_request, reply) => reply.code(404).render('errors/404.njk'));

  app.setErrorHandler<FastifyError>((error, request, reply) => {
    const status =
      typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    if (status === 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).render('errors/500.njk');
    }
    if (status === 413)
      return reply.code(413).render('errors/400.njk', {
        message: 'That file is too large to upload. Go back and choose a smaller file.',
      });
    // Fastify's own 4xx errors (a malformed body, an unsupported media type) carry messages meant for developers.
    request.log.info({ err: error }, 'bad request');
    return reply.code(status).render('errors/400.njk', {
      message: 'We could not read that request. Check the address and try again.',
    });
  });
}

/**
 * Fastify answers a few malformed addresses (broken percent-encoding, an over-long segment) before routing,
 * so before any hook or decorator; this gives them the same error page and security headers as the rest.
 */
export function frameworkErrorPage(env: nunjucks.Environment) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    request.log.info({ err: error }, 'malformed address');
    const html = env.render('errors/400.njk', {
      currentPath: '',
      message: 'We could not read that address. Check it and try again.',
    });
    void reply
      .code(error.statusCode ?? 400)
      .headers(SECURITY_HEADERS)
      .type('text/html; charset=utf-8')
      .send(html);
  };
}
