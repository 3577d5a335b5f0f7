// Starts the real web server on a free local port for tests that talk HTTP to it (fetch or a browser).
import type { FastifyInstance } from 'fastify';
import type { Catalogue } from '../../src/domain/catalogue/model.ts';
import { formatLoadProblem, loadCatalogue } from '../../src/infra/catalogue-loader.ts';
import { buildServer, type ServerOptions } from '../../src/web/server.ts';

export interface RunningServer {
  app: FastifyInstance;
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Build the server, let the caller add routes (a test that needs a failing one), then listen on port 0.
 */
export async function startServer(
  options: ServerOptions,
  beforeListen: (app: FastifyInstance) => void = () => {},
): Promise<RunningServer> {
  const app = await buildServer(options);
  beforeListen(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return { app, baseUrl: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

/** The catalogue shipped in catalogue/, failing with every problem listed when it does not load. */
export async function realCatalogue(): Promise<Catalogue> {
  const result = await loadCatalogue();
  if (!result.ok)
    throw new Error(
      `the shipped catalogue does not load:\n${result.problems.map(formatLoadProblem).join('\n')}`,
    );
  return result.catalogue;
}

/** The visible text of an HTML fragment, tags removed and white space collapsed, for content assertions. */
export function textOf(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

export function titleOf(html: string): string | undefined {
  return /<title>([^<]*)<\/title>/.exec(html)?.[1]?.trim();
}

/** The inside of `<main>`, so assertions are not satisfied by the header or footer. */
export function mainOf(html: string): string {
  const match = /<main\b[^>]*>([\s\S]*)<\/main>/.exec(html);
  if (!match?.[1]) throw new Error('expected a <main> element');
  return match[1];
}

/**
 * The element that carries `marker` (an attribute such as `data-item="3.2.1"`), from its opening tag to the
 * first closing `</tag>` after it; enough for the flat rows and cards our pages render.
 */
export function elementWith(html: string, tag: string, marker: string): string | undefined {
  const at = html.indexOf(marker);
  if (at === -1) return undefined;
  const start = html.lastIndexOf(`<${tag}`, at);
  const end = html.indexOf(`</${tag}>`, at);
  return start === -1 || end === -1 ? undefined : html.slice(start, end + tag.length + 3);
}
