// Remembers rendered pages by what they were rendered from. Nunjucks with the design system's macros takes
// about a millisecond for a page, far more than reading the data behind it, and busy pages (an organisation's
// home page, its task list) are read far more often than they change. The key is the view's name and the whole
// context as JSON, so a page is reused only when every value that went into it is the same: the data is
// still read on every request, and any change to it gives a new key. A page served a second time is also kept
// gzipped, for the browsers that accept it. Least recently used pages are dropped past a byte budget.
import { gzipSync } from 'node:zlib';
import { isDeepFrozen } from '../app/frozen.ts';

export const RENDER_CACHE_BYTES = 16 * 1024 * 1024;

export interface RenderedPage {
  html: string;
  /** The same page gzipped, made the first time the page is reused. */
  gzipped?: Buffer;
}

/** Bytes held for a page: its key and HTML as UTF-16, and the gzipped copy. */
const sizeOf = (key: string, page: RenderedPage) =>
  (key.length + page.html.length) * 2 + (page.gzipped?.length ?? 0);

export class RenderCache {
  readonly #pages = new Map<string, RenderedPage>();
  #bytes = 0;

  constructor(private readonly maxBytes = RENDER_CACHE_BYTES) {}

  /**
   * The key of a view and its context: the view's name and the context as JSON (Maps hash strings natively, so a
   * digest would only add work). The context must be plain data (objects, arrays, strings, numbers, booleans,
   * null): JSON would write a Map or a Set as `{}` and leave a function out, so two different contexts holding
   * them could share a key. Only pages that pass plain data ask for the cache.
   *
   * A value frozen all the way down (a record or status shared from a cache) can never change, so it is named
   * by its identity instead of written out: the key stays short, and a copy with the same content merely
   * renders the page once more.
   */
  keyOf(view: string, context: Record<string, unknown>): string {
    let key = view;
    for (const name in context) {
      const value = context[name];
      if (value === undefined) continue;
      key += `\0${name}\0${isDeepFrozen(value) ? this.#idOf(value) : JSON.stringify(value)}`;
    }
    return key;
  }

  readonly #ids = new WeakMap<object, string>();
  #nextId = 0;

  /** A name for a frozen value that no other value, living or dead, will ever have; JSON never starts with #. */
  #idOf(value: object): string {
    let id = this.#ids.get(value);
    if (id === undefined) this.#ids.set(value, (id = `#${this.#nextId++}`));
    return id;
  }

  /** The page kept under `key`, gzipped now if it was not yet; undefined when none is kept. */
  reuse(key: string): RenderedPage | undefined {
    const page = this.#pages.get(key);
    if (page === undefined) return undefined;
    // Re-inserted so that the Map's order is least recently used first.
    this.#pages.delete(key);
    this.#pages.set(key, page);
    if (!page.gzipped) {
      page.gzipped = gzipSync(page.html);
      this.#bytes += page.gzipped.length;
      this.#trim();
    }
    return page;
  }

  keep(key: string, html: string): void {
    const page: RenderedPage = { html };
    // A page bigger than the whole budget would only push every other page out.
    if (sizeOf(key, page) > this.maxBytes) return;
    const old = this.#pages.get(key);
    if (old !== undefined) {
      this.#bytes -= sizeOf(key, old);
      this.#pages.delete(key);
    }
    this.#pages.set(key, page);
    this.#bytes += sizeOf(key, page);
    this.#trim();
  }

  #trim(): void {
    for (const [oldest, dropped] of this.#pages) {
      if (this.#bytes <= this.maxBytes) break;
      this.#pages.delete(oldest);
      this.#bytes -= sizeOf(oldest, dropped);
    }
  }

  get size(): { pages: number; bytes: number } {
    return { pages: this.#pages.size, bytes: this.#bytes };
  }
}

/** Whether an Accept-Encoding header admits gzip, by name or by `*` (a `q=0` refuses it). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  const codings = new Map<string, number>();
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    codings.set(coding, q === undefined ? 1 : Number(q.slice(2)));
  }
  const q = codings.get('gzip') ?? codings.get('*') ?? 0;
  return q > 0;
}
