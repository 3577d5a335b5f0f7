// Account pages: first set-up through the one-time link, sign-in with a second factor, authenticator
// enrolment with recovery codes, and sign-out.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { AccountDeps } from '../../app/account-deps.ts';
import { beginMfaEnrolment } from '../../app/begin-mfa-enrolment.ts';
import { confirmMfaEnrolment } from '../../app/confirm-mfa-enrolment.ts';
import { createFirstOperator, setupLinkIsValid } from '../../app/create-first-operator.ts';
import { requestPasswordReset } from '../../app/request-password-reset.ts';
import { resetLinkIsValid, resetPassword } from '../../app/reset-password.ts';
import { signIn } from '../../app/sign-in.ts';
import { signOut } from '../../app/sign-out.ts';
import { verifySecondFactor } from '../../app/verify-second-factor.ts';
import type { Problem } from '../../domain/result.ts';
import { clearSessionCookie, sessionToken, setSessionCookie } from '../set-up-sessions.ts';

type Form = Record<string, string | undefined>;

/** The error summary and inline messages of the NHS pattern, from a use case's problem. */
function formErrors(problem: Problem, fallbackField: string) {
  const field = problem.where && /^[a-z]+$/.test(problem.where) ? problem.where : fallbackField;
  return { errors: { [field]: problem.message }, errorList: [{ text: problem.message, href: `#${field}` }] };
}

/** A small fixed-window limit per client address, in front of the per-account lockout. */
function attemptLimiter(limit: number, windowMs: number) {
  const seen = new Map<string, { count: number; until: number }>();
  return (request: FastifyRequest): boolean => {
    const now = Date.now();
    if (seen.size > 10_000) for (const [k, v] of seen) if (v.until < now) seen.delete(k);
    const entry = seen.get(request.ip);
    if (!entry || entry.until < now) {
      seen.set(request.ip, { count: 1, until: now + windowMs });
      return true;
    }
    entry.count += 1;
    return entry.count <= limit;
  };
}

export function registerAccountRoutes(app: FastifyInstance, deps: AccountDeps, publicUrl?: string): void {
  const allowAttempt = attemptLimiter(20, 60_000);
  const tooMany = (reply: FastifyReply) => reply.code(429).render('errors/429.njk');

  app.get<{ Params: { token: string } }>('/setup/:token', async (request, reply) => {
    if (!(await setupLinkIsValid(deps, request.params.token)))
      return reply
        .code(404)
        .render('account/link-invalid.njk', { message: 'This set-up link was used already or has expired.' });
    return reply.render('account/setup.njk', {
      pageTitle: 'Create the first operator account',
      csrfToken: request.csrfToken,
      values: {},
      errors: {},
    });
  });

  app.post<{ Params: { token: string }; Body: Form }>('/setup/:token', async (request, reply) => {
    const body = request.body;
    const result = await createFirstOperator(deps, {
      setupToken: request.params.token,
      name: body.name ?? '',
      email: body.email ?? '',
      password: body.password ?? '',
    });
    if (!result.ok) {
      if (result.error.kind === 'not-found' || result.error.kind === 'conflict')
        return reply.code(404).render('account/link-invalid.njk', { message: result.error.message });
      return reply.code(400).render('account/setup.njk', {
        pageTitle: 'Create the first operator account',
        csrfToken: request.csrfToken,
        values: { name: body.name, email: body.email },
        ...formErrors(result.error, 'name'),
      });
    }
    setSessionCookie(reply, result.value.sessionToken);
    return reply.redirect('/account/mfa', 303);
  });

  app.get('/sign-in', async (request, reply) => {
    if (request.signedIn?.session.mfaPassed) return reply.redirect('/', 303);
    const query = request.query as Form;
    const notice = query.signedOut
      ? 'You have signed out.'
      : query.reset
        ? 'Your password has changed. Sign in with it and your authenticator app.'
        : undefined;
    return reply.render('account/sign-in.njk', {
      pageTitle: 'Sign in',
      csrfToken: request.csrfToken,
      values: {},
      errors: {},
      notice,
    });
  });

  app.post<{ Body: Form }>('/sign-in', async (request, reply) => {
    if (!allowAttempt(request)) return tooMany(reply);
    const result = await signIn(deps, {
      email: request.body.email ?? '',
      password: request.body.password ?? '',
    });
    if (!result.ok)
      return reply.code(400).render('account/sign-in.njk', {
        pageTitle: 'Sign in',
        csrfToken: request.csrfToken,
        values: { email: request.body.email },
        ...formErrors(result.error, 'email'),
      });
    setSessionCookie(reply, result.value.sessionToken);
    return reply.redirect(result.value.next === 'enrol-mfa' ? '/account/mfa' : '/sign-in/code', 303);
  });

  app.get('/sign-in/code', async (request, reply) => {
    if (!request.signedIn) return reply.redirect('/sign-in', 303);
    return reply.render('account/code.njk', {
      pageTitle: 'Enter the code from your authenticator app',
      csrfToken: request.csrfToken,
      errors: {},
    });
  });

  app.post<{ Body: Form }>('/sign-in/code', async (request, reply) => {
    if (!allowAttempt(request)) return tooMany(reply);
    const token = sessionToken(request);
    if (!request.signedIn || !token) return reply.redirect('/sign-in', 303);
    const result = await verifySecondFactor(deps, request.signedIn, token, { code: request.body.code ?? '' });
    if (!result.ok)
      return reply.code(400).render('account/code.njk', {
        pageTitle: 'Enter the code from your authenticator app',
        csrfToken: request.csrfToken,
        ...formErrors(result.error, 'code'),
      });
    setSessionCookie(reply, result.value.sessionToken);
    return reply.redirect('/', 303);
  });

  const enrolPage = async (request: FastifyRequest, reply: FastifyReply, extra: object = {}) => {
    if (!request.signedIn) return reply.redirect('/sign-in', 303);
    const started = await beginMfaEnrolment(deps, request.signedIn);
    if (!started.ok) return reply.redirect('/', 303);
    const qrSvg = await QRCode.toString(started.value.uri, { type: 'svg', margin: 1, width: 200 });
    return reply.render('account/enrol.njk', {
      pageTitle: 'Set up your authenticator app',
      csrfToken: request.csrfToken,
      // The SVG is generated by us from the key; it carries no script and names itself for screen readers.
      qrSvg: qrSvg.replace('<svg ', '<svg role="img" aria-label="QR code for your authenticator app" '),
      secretGroups: started.value.secret.match(/.{1,4}/g)?.join(' ') ?? started.value.secret,
      errors: {},
      ...extra,
    });
  };

  app.get('/account/mfa', async (request, reply) => enrolPage(request, reply));

  app.post<{ Body: Form }>('/account/mfa', async (request, reply) => {
    const token = sessionToken(request);
    if (!request.signedIn || !token) return reply.redirect('/sign-in', 303);
    const result = await confirmMfaEnrolment(deps, request.signedIn, token, {
      code: request.body.code ?? '',
    });
    if (!result.ok) return enrolPage(request, reply.code(400), formErrors(result.error, 'code'));
    setSessionCookie(reply, result.value.sessionToken);
    return reply.render('account/recovery-codes.njk', {
      pageTitle: 'Save your recovery codes',
      recoveryCodes: result.value.recoveryCodes,
    });
  });

  app.get('/password-reset', async (request, reply) =>
    reply.render('account/reset-request.njk', {
      pageTitle: 'Reset your password',
      csrfToken: request.csrfToken,
      values: {},
      errors: {},
    }),
  );

  app.post<{ Body: Form }>('/password-reset', async (request, reply) => {
    if (!allowAttempt(request)) return tooMany(reply);
    await requestPasswordReset(deps, {
      email: request.body.email ?? '',
      baseUrl: publicUrl ?? `${request.protocol}://${request.host}`,
    });
    return reply.render('account/reset-requested.njk', { pageTitle: 'Check your e-mail' });
  });

  app.get<{ Params: { token: string } }>('/password-reset/:token', async (request, reply) => {
    if (!(await resetLinkIsValid(deps, request.params.token)))
      return reply.code(404).render('account/link-invalid.njk', {
        message: 'This reset link was used already or has expired. Ask for a new one.',
      });
    return reply.render('account/reset.njk', {
      pageTitle: 'Choose a new password',
      csrfToken: request.csrfToken,
      errors: {},
    });
  });

  app.post<{ Params: { token: string }; Body: Form }>('/password-reset/:token', async (request, reply) => {
    const result = await resetPassword(deps, {
      token: request.params.token,
      password: request.body.password ?? '',
    });
    if (!result.ok) {
      if (result.error.kind === 'not-found' || result.error.kind === 'conflict')
        return reply.code(404).render('account/link-invalid.njk', { message: result.error.message });
      return reply.code(400).render('account/reset.njk', {
        pageTitle: 'Choose a new password',
        csrfToken: request.csrfToken,
        ...formErrors(result.error, 'password'),
      });
    }
    clearSessionCookie(reply);
    return reply.redirect('/sign-in?reset=1', 303);
  });

  app.get('/sign-out', async (request, reply) => {
    if (!request.signedIn) return reply.redirect('/sign-in', 303);
    return reply.render('account/sign-out.njk', {
      pageTitle: 'Sign out',
      csrfToken: request.csrfToken,
      email: request.signedIn.user.email,
    });
  });

  app.post('/sign-out', async (request, reply) => {
    await signOut(deps, sessionToken(request));
    clearSessionCookie(reply);
    return reply.redirect('/sign-in?signedOut=1', 303);
  });
}
