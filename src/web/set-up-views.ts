// Renders pages with Nunjucks: our views first, then the nhsuk-frontend macros from the installed package,
// so a page imports `nhsuk/components/<name>/macro.njk` exactly as the design system documents.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import nunjucks from 'nunjucks';
import { acceptsGzip, RenderCache } from './render-cache.ts';
import { formatLongDate, levelLabel, levelTagClass, responseTypeLabel } from './format.ts';

const require = createRequire(import.meta.url);

/** `node_modules/nhsuk-frontend/dist`: the folder that holds `nhsuk/` (templates, CSS, JS, assets). */
export const NHSUK_FRONTEND_DIST = path.join(
  path.dirname(require.resolve('nhsuk-frontend/package.json')),
  'dist',
);
export const VIEWS_DIR = fileURLToPath(new URL('./views', import.meta.url));

declare module 'fastify' {
  interface FastifyReply {
    /**
     * Render a view from `src/web/views` as the HTML response. With `cache`, a page rendered before from the
     * very same context is reused (see RenderCache): for busy pages whose context is plain data, never a Map,
     * a Set or a function.
     */
    render(view: string, context?: Record<string, unknown>, options?: { cache?: boolean }): FastifyReply;
  }
}

export function createViewEnvironment(): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([VIEWS_DIR, NHSUK_FRONTEND_DIST]), {
    autoescape: true,
    trimBlocks: true,
    lstripBlocks: true,
  });
  env.addFilter('longDate', formatLongDate);
  env.addFilter('responseType', responseTypeLabel);
  env.addFilter('level', levelLabel);
  env.addFilter('levelTagClass', levelTagClass);
  return env;
}

export function setUpViews(
  app: FastifyInstance,
  env: nunjucks.Environment = createViewEnvironment(),
  globals: Record<string, unknown> = {},
  cache: RenderCache = new RenderCache(),
): void {
  for (const [name, value] of Object.entries(globals)) env.addGlobal(name, value);
  app.decorateReply(
    'render',
    function render(
      this: FastifyReply,
      view: string,
      context: Record<string, unknown> = {},
      options: { cache?: boolean } = {},
    ) {
      // Rendered before sending so that a template error reaches the error handler as a 500, not half a page.
      const signedIn = this.request.signedIn?.session.mfaPassed ? this.request.signedIn.user : undefined;
      const full = {
        currentPath: this.request.url.split('?')[0],
        viewer: signedIn && { name: signedIn.name, email: signedIn.email },
        // Half signed in (password given, second factor not yet): the header offers sign-out, not sign-in.
        hasSession: this.request.signedIn !== undefined,
        ...context,
      };
      this.type('text/html; charset=utf-8');
      if (!options.cache) return this.send(env.render(view, full));
      // The same URL can answer gzipped or not: caches between here and the browser must keep both apart.
      this.header('vary', 'accept-encoding');
      const key = cache.keyOf(view, full);
      const page = cache.reuse(key);
      if (!page) {
        const html = env.render(view, full);
        cache.keep(key, html);
        return this.send(html);
      }
      if (page.gzipped && acceptsGzip(this.request.headers['accept-encoding']))
        return this.header('content-encoding', 'gzip').send(page.gzipped);
      return this.send(page.html);
    },
  );
}
