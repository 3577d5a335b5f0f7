// Builds the web server: security headers, design-system assets, public catalogue pages, health and error
// pages. It does not listen; the caller (the CLI, or a test) decides where.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Catalogue } from '../domain/catalogue/model.ts';
import { registerCatalogueRoutes } from './routes/catalogue.ts';
import type { AccountDeps } from '../app/account-deps.ts';
import multipart from '@fastify/multipart';
import { registerAccountRoutes } from './routes/account.ts';
import { registerAccessReviewRoutes } from './routes/access-review.ts';
import { registerAssessmentRoutes } from './routes/assessment.ts';
import { registerApiV1 } from './api/v1.ts';
import { registerApiTokenRoutes } from './routes/api-tokens.ts';
import { registerMemberRoutes } from './routes/members.ts';
import { registerOrganisationRoutes } from './routes/organisations.ts';
import { registerPublicationRoutes } from './routes/publication.ts';
import { registerHomeRoutes } from './routes/home.ts';
import { setUpSessions } from './set-up-sessions.ts';
import { frameworkErrorPage, setUpErrorPages } from './set-up-error-pages.ts';
import { setUpHealthChecks } from './set-up-health-checks.ts';
import { setUpStaticAssets } from './set-up-static-assets.ts';
import { createViewEnvironment, setUpViews } from './set-up-views.ts';
import { setUpWebSecurity } from './set-up-web-security.ts';

export interface ServerOptions {
  catalogue: Catalogue;
  /** Passed to Fastify: `true` for pino's defaults, an object for pino options. Off by default. */
  logger?: boolean | object;
  /** What a newcomer should do first, shown on the home page (the CLI passes its registration command). */
  firstStep?: string;
  /**
   * Accounts and sessions. Without them the server shows only the public catalogue; with them it adds
   * sign-in, and CSRF checks on every form. `csrfKey` signs CSRF tokens and must be the same on every node.
   */
  accounts?: { deps: AccountDeps & { maxEvidenceBytes: number }; csrfKey: Uint8Array; publicUrl?: string };
}

export const DEFAULT_FIRST_STEP = 'Register your organisation with the dspt command: npx dspt org add --help';

/** Every route the server answers, as method and URL pattern: the isolation tests walk this table. */
export const ROUTE_TABLE = Symbol('routeTable');

declare module 'fastify' {
  interface FastifyInstance {
    [ROUTE_TABLE]: { method: string; url: string }[];
  }
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const views = createViewEnvironment();
  const app = Fastify({ logger: options.logger ?? false, frameworkErrors: frameworkErrorPage(views) });
  const routes: { method: string; url: string }[] = [];
  app.decorate(ROUTE_TABLE, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  await setUpWebSecurity(app);
  setUpViews(app, views, { accountsEnabled: options.accounts !== undefined });
  setUpErrorPages(app);
  await setUpStaticAssets(app);
  setUpHealthChecks(app);
  if (options.accounts) {
    await app.register(multipart, {
      attachFieldsToBody: true,
      limits: {
        fileSize: options.accounts.deps.maxEvidenceBytes,
        files: 20,
        fields: 40,
        fieldSize: 64 * 1024,
      },
    });
    await setUpSessions(app, options.accounts.deps, options.accounts.csrfKey);
    registerAccountRoutes(app, options.accounts.deps, options.accounts.publicUrl);
    registerOrganisationRoutes(app, options.accounts.deps);
    registerAssessmentRoutes(app, options.accounts.deps);
    registerPublicationRoutes(app, options.accounts.deps);
    registerAccessReviewRoutes(app, options.accounts.deps);
    registerMemberRoutes(app, options.accounts.deps, options.accounts.publicUrl);
    registerApiTokenRoutes(app, options.accounts.deps);
    registerApiV1(app, options.accounts.deps);
  }
  registerHomeRoutes(app, {
    catalogue: options.catalogue,
    firstStep: options.firstStep ?? DEFAULT_FIRST_STEP,
    ...(options.accounts ? { accounts: options.accounts.deps } : {}),
  });
  registerCatalogueRoutes(app, { catalogue: options.catalogue });
  return app;
}
