// The page cache: a page is reused only for the very same view and context, is gzipped once it is reused,
// and the least recently used pages go first when the byte budget is spent.
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { deepFreeze } from '../../src/app/frozen.ts';
import { acceptsGzip, RenderCache } from '../../src/web/render-cache.ts';

describe('RenderCache', () => {
  test('any difference in the view or anywhere in the context gives another key', () => {
    const cache = new RenderCache();
    const context = { org: { name: 'Riverside', revision: 3 }, reasons: ['a', 'b'], viewer: { name: 'Ann' } };
    const key = cache.keyOf('home.njk', context);
    expect(cache.keyOf('home.njk', structuredClone(context))).toBe(key);
    expect(cache.keyOf('tasks.njk', context)).not.toBe(key);
    expect(cache.keyOf('home.njk', { ...context, org: { name: 'Riverside', revision: 4 } })).not.toBe(key);
    expect(cache.keyOf('home.njk', { ...context, reasons: ['a', 'c'] })).not.toBe(key);
    expect(cache.keyOf('home.njk', { ...context, viewer: { name: 'Bob' } })).not.toBe(key);
  });

  test('a value frozen all the way down is named by its identity: the same value, the same key', () => {
    const cache = new RenderCache();
    const org = deepFreeze({
      name: 'Riverside',
      revision: 3,
      certifications: [{ kind: 'cyber-essentials' }],
    });
    const key = cache.keyOf('home.njk', { org, days: 10 });
    expect(cache.keyOf('home.njk', { org, days: 10 })).toBe(key);
    expect(cache.keyOf('home.njk', { org, days: 11 })).not.toBe(key);
    // Another object, even with the same content, is another page: rendered once more, never confused.
    expect(cache.keyOf('home.njk', { org: deepFreeze(structuredClone(org)), days: 10 })).not.toBe(key);
    expect(cache.keyOf('home.njk', { org: structuredClone(org), days: 10 })).not.toBe(key);
  });

  test('a page is kept, then gzipped when it is reused', () => {
    const cache = new RenderCache();
    const html = `<p>${'Standards Met '.repeat(200)}</p>`;
    expect(cache.reuse('k')).toBeUndefined();
    cache.keep('k', html);
    const page = cache.reuse('k')!;
    expect(page.html).toBe(html);
    expect(gunzipSync(page.gzipped!).toString()).toBe(html);
    expect(page.gzipped!.length).toBeLessThan(html.length / 10);
  });

  test('past the byte budget the least recently used page is dropped', () => {
    const page = 'x'.repeat(1000);
    const cache = new RenderCache(5000);
    cache.keep('a', page);
    cache.keep('b', page);
    cache.reuse('a');
    cache.keep('c', page);
    expect(cache.reuse('b')).toBeUndefined();
    expect(cache.reuse('a')?.html).toBe(page);
    expect(cache.reuse('c')?.html).toBe(page);
    expect(cache.size.bytes).toBeLessThanOrEqual(5000);
  });

  test('a page bigger than the whole budget is not kept', () => {
    const cache = new RenderCache(1000);
    cache.keep('big', 'x'.repeat(1000));
    expect(cache.reuse('big')).toBeUndefined();
  });
});

describe('acceptsGzip', () => {
  test.each([
    [undefined, false],
    ['', false],
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['br;q=1.0, GZIP;q=0.5', true],
    ['identity', false],
    ['deflate, gzip;q=0', false],
    ['*', true],
    ['*;q=0.1, gzip;q=0', false],
  ])('%s: %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});
