// Sessions and CSRF for the pages. The session cookie holds a random token (the database keeps only its
// hash); every form carries a CSRF token that must match an HMAC of a second, HttpOnly cookie, so a page on
// another site can neither read nor forge it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountDeps } from '../app/account-deps.ts';
import type { Actor } from '../app/actor.ts';
import { resolveSession, type SignedIn } from '../app/resolve-session.ts';

// `__Host-` cookies must be Secure, for path / and without a domain: no subdomain can set or read them.
// Browsers treat http://localhost as secure, so this works in development too.
export const SESSION_COOKIE = '__Host-dspt_session';
export const CSRF_COOKIE = '__Host-dspt_csrf';

const COOKIE_OPTIONS = { path: '/', httpOnly: true, secure: true, sameSite: 'lax' as const };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route that never looks at who is asking (health checks, say): no session lookup, no CSRF cookie. */
    sessionless?: boolean;
  }
  interface FastifyRequest {
    /** The signed-in user and session, when the session cookie is valid (second factor or not). */
    signedIn?: SignedIn;
    /** The token every form on the page must carry. */
    readonly csrfToken: string;
    /** The random value in the CSRF cookie, which the token signs. */
    csrfSeed: string;
  }
}

export function actorOf(signedIn: SignedIn): Actor {
  const { user } = signedIn;
  return user.platformRole === 'operator'
    ? { kind: 'operator', name: user.email }
    : { kind: 'user', email: user.email, name: user.name };
}

export function setSessionCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, COOKIE_OPTIONS);
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, COOKIE_OPTIONS);
}

export function sessionToken(request: FastifyRequest): string | undefined {
  return request.cookies[SESSION_COOKIE];
}

/** Only a user who passed the second factor is fully signed in. */
export function fullySignedIn(request: FastifyRequest): SignedIn | undefined {
  return request.signedIn?.session.mfaPassed ? request.signedIn : undefined;
}

export async function setUpSessions(
  app: FastifyInstance,
  deps: AccountDeps,
  csrfKey: Uint8Array,
): Promise<void> {
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  const sign = (value: string) => createHmac('sha256', csrfKey).update(value).digest('base64url');

  app.decorateRequest('signedIn', undefined);
  app.decorateRequest('csrfSeed', '');
  // Worked out when a page asks for it: most pages carry no form.
  app.decorateRequest('csrfToken', {
    getter(this: FastifyRequest) {
      return this.csrfSeed ? sign(this.csrfSeed) : '';
    },
  });

  app.addHook('preHandler', async (request, reply) => {
    // The API authenticates with bearer tokens, never cookies, so cookie-borne CSRF cannot reach it.
    if (
      request.routeOptions.config.sessionless ||
      request.url.startsWith('/assets/') ||
      request.url.startsWith('/api/')
    )
      return;
    let seed = request.cookies[CSRF_COOKIE];
    if (!seed || !/^[\w-]{43}$/.test(seed)) {
      seed = randomBytes(32).toString('base64url');
      reply.setCookie(CSRF_COOKIE, seed, { ...COOKIE_OPTIONS, sameSite: 'strict' });
    }
    request.csrfSeed = seed;
    request.signedIn = await resolveSession(deps, sessionToken(request));
    if (!request.signedIn && sessionToken(request)) clearSessionCookie(reply);

    if (request.method === 'POST') {
      const field = (request.body as Record<string, unknown> | undefined)?._csrf;
      // Multipart forms carry fields as { value }; urlencoded forms as plain strings.
      const sent =
        typeof field === 'object' && field !== null && 'value' in field
          ? (field as { value: unknown }).value
          : field;
      const expected = Buffer.from(request.csrfToken);
      const given = Buffer.from(typeof sent === 'string' ? sent : '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        request.log.warn({ url: request.url }, 'CSRF token missing or wrong');
        return reply.code(403).render('errors/403.njk', { csrfToken: request.csrfToken });
      }
    }
  });
}
