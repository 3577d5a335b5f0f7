// Serves the design system's compiled CSS, JavaScript, icons and manifest, and our own small scripts, from
// this server under /assets/, so a page never loads anything from another origin.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { NHSUK_FRONTEND_DIST } from './set-up-views.ts';

const NHSUK_DIR = path.join(NHSUK_FRONTEND_DIST, 'nhsuk');
const PUBLIC_DIR = fileURLToPath(new URL('./public', import.meta.url));

/** Only these files are served; the package also holds templates and sources nobody needs to fetch. */
const SERVED =
  /^\/(?:images\/[\w-]+\.(?:svg|png|ico)|manifest\.json|nhsuk-frontend\.min\.js|opendspt-[\w-]+\.js)$/;

export const STYLESHEET_PATH = '/assets/nhsuk-frontend.min.css';

/**
 * The compiled stylesheet without its @font-face rules: they fetch the Frutiger web font from
 * assets.nhs.uk, which our content security policy blocks (the font stack falls back to Arial).
 */
export async function readStylesheet(): Promise<string> {
  const css = await readFile(path.join(NHSUK_DIR, 'nhsuk-frontend.min.css'), 'utf8');
  return css.replace(/@font-face\{[^}]*\}/g, '').replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '');
}

export async function setUpStaticAssets(app: FastifyInstance): Promise<void> {
  const css = await readStylesheet();
  const etag = `"${createHash('sha256').update(css).digest('base64url').slice(0, 27)}"`;
  app.get(STYLESHEET_PATH, async (request, reply) => {
    reply.header('cache-control', 'public, max-age=3600').header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('text/css; charset=utf-8').send(css);
  });

  await app.register(fastifyStatic, {
    // Tried in order: the package's assets folder (icons, manifest), its dist folder (the JS), then ours.
    root: [path.join(NHSUK_DIR, 'assets'), NHSUK_DIR, PUBLIC_DIR],
    prefix: '/assets/',
    allowedPath: (pathname) => SERVED.test(pathname),
    index: false,
    decorateReply: false,
    maxAge: '1h',
  });
}
