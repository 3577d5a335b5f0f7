// Renders pages with Nunjucks: our views first, then the nhsuk-frontend macros from the installed package,
// so a page imports `nhsuk/components/<name>/macro.njk` exactly as the design system documents.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import nunjucks from 'nunjucks';
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
    /** Render a view from `src/web/views` as the HTML response. */
    render(view: string, context?: Record<string, unknown>): FastifyReply;
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
): void {
  for (const [name, value] of Object.entries(globals)) env.addGlobal(name, value);
  app.decorateReply(
    'render',
    function render(this: FastifyReply, view: string, context: Record<string, unknown> = {}) {
      // Rendered before sending so that a template error reaches the error handler as a 500, not half a page.
      const signedIn = this.request.signedIn?.session.mfaPassed ? this.request.signedIn.user : undefined;
      const html = env.render(view, {
        currentPath: this.request.url.split('?')[0],
        viewer: signedIn && { name: signedIn.name, email: signedIn.email },
        ...context,
      });
      return this.type('text/html; charset=utf-8').send(html);
    },
  );
}
