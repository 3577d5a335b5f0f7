// The web server over real HTTP with the shipped catalogue: every public page, the security headers on every
// kind of response, the design-system assets, and the 400, 404 and 500 pages.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Catalogue } from '../../src/domain/catalogue/model.ts';
import {
  elementWith,
  mainOf,
  realCatalogue,
  startServer,
  textOf,
  titleOf,
  type RunningServer,
} from '../support/web-server.ts';

const FIRST_STEP =
  'Register your organisation: npx dspt org add --ods A81001 --name "The Surgery" --type gp-practice';

let server: RunningServer;
let catalogue: Catalogue;

beforeAll(async () => {
  catalogue = await realCatalogue();
  server = await startServer({ catalogue, firstStep: FIRST_STEP }, (app) => {
    app.get('/test/failure', async () => {
      throw new Error('database password is hunter2');
    });
  });
});
afterAll(async () => {
  await server?.close();
});

const get = (path: string) => fetch(server.baseUrl + path, { redirect: 'manual' });

async function page(path: string, expectedStatus = 200): Promise<string> {
  const response = await get(path);
  expect(response.status, path).toBe(expectedStatus);
  expect(response.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
  return response.text();
}

function hrefsIn(html: string, pattern: RegExp): string[] {
  return [...html.matchAll(/href="([^"]+)"/g)]
    .map((m) => m[1]!.replace(/&amp;/g, '&'))
    .filter((h) => pattern.test(h));
}

describe('every page is a page of the NHS design system', () => {
  test.each([
    '/',
    '/catalogue',
    '/catalogue/standards?category=4',
    '/catalogue/standards/items/3.2.1?category=4',
    '/catalogue/caf',
    '/catalogue/caf/A1.a',
  ])('%s', async (path) => {
    const html = await page(path);
    expect(html).toMatch(/^<!DOCTYPE html>\s*<html lang="en-GB">/);
    expect(titleOf(html)).toMatch(/^\S.* - openDSPT$/);
    expect(html).toMatch(/<a class="nhsuk-skip-link"[^>]* href="#maincontent"/);
    expect(html).toMatch(/<header class="nhsuk-header"[^>]*role="banner"/);
    expect(html).toMatch(/class="nhsuk-header__service-name"[^>]*>openDSPT</);
    expect(html).toContain('<main class="nhsuk-main-wrapper" id="maincontent">');
    expect(html).toMatch(/<footer class="nhsuk-footer"/);
    expect(html).toContain('<link rel="stylesheet" href="/assets/nhsuk-frontend.min.css">');
    expect(mainOf(html).match(/<h1\b/g)).toHaveLength(1);
    if (path !== '/') expect(html).toContain('<nav class="nhsuk-breadcrumb"');
    // No inline script and nothing from another origin.
    for (const tag of html.match(/<script\b[^>]*>/g) ?? [])
      expect(tag).toMatch(/ src="\/assets\/[\w.-]+\.js"/);
    for (const offsite of ['src="http', 'href="http', 'src="//', 'href="//'])
      expect(html).not.toContain(offsite);
  });
});

describe('home', () => {
  test('says what openDSPT is, the year, its deadlines and the first step', async () => {
    const html = await page('/');
    const main = mainOf(html);
    const text = textOf(main);
    expect(titleOf(html)).toBe('Prepare your Data Security and Protection Toolkit assessment - openDSPT');
    expect(text).toContain('Data Security and Protection Toolkit');
    expect(text).toContain(`The ${catalogue.year} assessment`);
    expect(catalogue.deadlines).toEqual({ baseline: '2025-12-31', final: '2026-06-30' });
    expect(text).toContain('Final publication due 30 June 2026');
    expect(text).toContain('Baseline due 31 December 2025');
    const inset = /<div class="nhsuk-inset-text">([\s\S]*?)<\/div>/.exec(main)?.[1];
    expect(inset && textOf(inset)).toBe(`Information: ${FIRST_STEP}`);
    expect(main).toContain('--name &quot;The Surgery&quot;');
    for (const href of ['/catalogue', '/catalogue/caf', '/catalogue/standards?category=4'])
      expect(main).toContain(`href="${href}"`);
  });
});

describe('organisation types', () => {
  test('are grouped under their category, with its track', async () => {
    const main = mainOf(await page('/catalogue'));
    const sections = [...main.matchAll(/<section aria-labelledby="category-(\d)">([\s\S]*?)<\/section>/g)];
    expect(sections.map((s) => s[1])).toEqual([...catalogue.categories.keys()].sort());
    for (const [, id, body] of sections) {
      const category = catalogue.categories.get(id as '1')!;
      const text = textOf(body!);
      expect(text).toContain(category.name);
      expect(text).toContain(category.track === 'caf' ? 'Track CAF-aligned' : 'Track Standards');
      for (const type of catalogue.organisationTypes.values())
        if (type.category === id) expect(text, `${type.name} under category ${id}`).toContain(type.name);
        else expect(body, `${type.name} not under category ${id}`).not.toContain(`<li>${type.name}</li>`);
    }
    const gp = sections.find((s) => s[1] === '4')![2]!;
    expect(textOf(gp)).toContain('GP practice');
    expect(gp).toContain('href="/catalogue/standards?category=4"');
  });
});

describe('evidence items of a category', () => {
  test.each(['2', '3', '4'] as const)('category %s: the ten standards and exactly its items', async (id) => {
    const main = mainOf(await page(`/catalogue/standards?category=${id}`));
    const text = textOf(main);
    for (const standard of catalogue.standards)
      expect(text).toContain(`Standard ${standard.id}: ${standard.title}`);
    const applicable = catalogue.itemsFor(id);
    expect(applicable.length).toBeGreaterThan(0);
    const listed = [...main.matchAll(/data-item="([\d.]+)"/g)].map((m) => m[1]);
    expect(listed).toEqual(applicable.map((a) => a.item.id));
    expect(main.match(/>\s*Mandatory\s*</g)?.length ?? 0).toBe(applicable.filter((a) => a.mandatory).length);
    expect(main.match(/>\s*Optional\s*</g)?.length ?? 0).toBe(applicable.filter((a) => !a.mandatory).length);
    expect(text).toContain(
      `There are ${applicable.length} evidence items for this category. ${applicable.filter((a) => a.mandatory).length} of them are mandatory`,
    );
  });

  test('category 4 shows 3.2.1 as a mandatory yes-or-no item', async () => {
    const main = mainOf(await page('/catalogue/standards?category=4'));
    const row = elementWith(main, 'tr', 'data-item="3.2.1"');
    expect(row && textOf(row)).toMatch(
      /^Evidence item 3\.2\.1 What it covers .+ Answer Yes or no Required Mandatory Exemptions /,
    );
  });

  test('every item listed for category 4 opens', async () => {
    const main = mainOf(await page('/catalogue/standards?category=4'));
    const links = hrefsIn(main, /^\/catalogue\/standards\/items\//);
    expect(links).toHaveLength(catalogue.itemsFor('4').length);
    for (const href of links) {
      const html = await page(href);
      const id = decodeURIComponent(/items\/([^?]+)/.exec(href)![1]!);
      expect(titleOf(html)).toBe(`${id} ${catalogue.items.get(id)!.title} - openDSPT`);
    }
  });
});

describe('one evidence item', () => {
  test('3.2.1 for category 4: what it asks, good evidence, and its rules', async () => {
    const applicable = catalogue.itemsFor('4').find((a) => a.item.id === '3.2.1');
    expect(applicable, 'item 3.2.1 applies to category 4').toBeDefined();
    const text = textOf(mainOf(await page('/catalogue/standards/items/3.2.1?category=4')));
    expect(text).toContain(`3.2.1 ${applicable!.item.title}`);
    expect(text).toContain(`What it asks ${applicable!.asks}`);
    expect(text).toContain(`What good evidence looks like ${applicable!.guidance}`);
    expect(text).toContain('Answer Yes or no');
    expect(text).toMatch(/Minimum level The share of staff .+ must be at least 95%\./);
    expect(text).toMatch(/How recent \S.* in the 12 months before you publish\./);
    expect(text).toContain(
      `${applicable!.mandatory ? 'Mandatory' : 'Optional'} for ${catalogue.categories.get('4')!.name}`,
    );
  });

  test('lists its exemptions by certification name', async () => {
    const exempted = catalogue.itemsFor('4').find((a) => a.exemptedBy.length > 0);
    expect(exempted, 'some category 4 item has an exemption').toBeDefined();
    const names = exempted!.exemptedBy.map((k) => catalogue.certifications.find((c) => c.id === k)!.name);
    const text = textOf(mainOf(await page(`/catalogue/standards/items/${exempted!.item.id}?category=4`)));
    expect(text).toContain(`Exemptions Skipped if you hold: ${names.join(', ')}.`);
  });

  test.each(['99.99.99', '3.2.9', 'not-an-item', '3.2.1.1', '3'.repeat(90), '%E2%9C%93', '3.2.1%00'])(
    'unknown item %s is 404',
    async (id) => {
      const html = await page(`/catalogue/standards/items/${id}?category=4`, 404);
      expect(titleOf(html)).toBe('Page not found - openDSPT');
    },
  );
});

describe('CAF outcomes', () => {
  test('the list shows every objective, principle and outcome', async () => {
    const main = mainOf(await page('/catalogue/caf'));
    const text = textOf(main);
    expect(catalogue.objectives.map((o) => o.id)).toEqual(['A', 'B', 'C', 'D', 'E']);
    for (const objective of catalogue.objectives) {
      expect(text).toContain(`Objective ${objective.id}: ${objective.title}`);
      for (const principle of objective.principles)
        expect(text).toContain(`${principle.id} ${principle.title}`);
    }
    const links = hrefsIn(main, /^\/catalogue\/caf\/./);
    expect(links.sort()).toEqual([...catalogue.outcomes.keys()].map((id) => `/catalogue/caf/${id}`).sort());
    expect(text).toContain(`against ${catalogue.outcomes.size} outcomes`);
  });

  test('an outcome shows its indicators in three columns and its expected level', async () => {
    const outcome = catalogue.outcomes.get('A1.a')!;
    const main = mainOf(await page('/catalogue/caf/A1.a'));
    for (const [level, heading] of [
      ['not-achieved', 'Not achieved'],
      ['partially-achieved', 'Partially achieved'],
      ['achieved', 'Achieved'],
    ] as const) {
      const column = elementWith(main, 'section', `data-column="${level}"`);
      expect(column, level).toBeDefined();
      const text = textOf(column!);
      expect(text.startsWith(heading)).toBe(true);
      for (const indicator of outcome.indicators[level]) expect(text).toContain(textOf(indicator.text));
      for (const other of (['not-achieved', 'partially-achieved', 'achieved'] as const).filter(
        (l) => l !== level,
      ))
        for (const indicator of outcome.indicators[other])
          expect(column).not.toContain(`id="${indicator.id}"`);
    }
    const text = textOf(main);
    for (const profile of catalogue.profiles.values()) {
      const label = {
        'not-achieved': 'Not achieved',
        'partially-achieved': 'Partially achieved',
        achieved: 'Achieved',
      }[profile.levels['A1.a']!];
      expect(text).toContain(`Expected level ${profile.name} ${label}`);
    }
  });

  test('every outcome opens', async () => {
    for (const [id, outcome] of catalogue.outcomes)
      expect(titleOf(await page(`/catalogue/caf/${id}`))).toBe(`${id} ${outcome.title} - openDSPT`);
  });

  test.each(['Z9.z', 'A1', 'a1.a', 'A'.repeat(90), 'constructor', '__proto__'])(
    'unknown outcome %s is 404',
    async (id) => {
      await page(`/catalogue/caf/${id}`, 404);
    },
  );
});

describe('bad addresses', () => {
  test.each([
    ['1', 'uses the CAF-aligned track'],
    ['5', 'There is no category "5" with evidence items. Choose category 2, 3 or 4.'],
    ['four', 'There is no category "four" with evidence items.'],
    ['4&category=3', 'Give one category only'],
    [
      '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      'There is no category "<script>alert(1)</sc" with evidence items.',
    ],
  ])('category=%s is 400 with the reason', async (query, reason) => {
    for (const path of [
      `/catalogue/standards?category=${query}`,
      `/catalogue/standards/items/3.2.1?category=${query}`,
    ]) {
      const html = await page(path, 400);
      expect(titleOf(html)).toBe('Error: there is a problem with the address - openDSPT');
      expect(textOf(mainOf(html))).toContain(reason);
      expect(html).not.toContain('<script>alert');
    }
  });

  test.each([
    [`/catalogue/standards/items/${'3'.repeat(500)}`, 414],
    ['/catalogue/caf/%E0%A4%A', 400],
  ])('%s, which Fastify refuses before routing, is %i in the design system', async (path, status) => {
    const html = await page(path, status);
    expect(titleOf(html)).toBe('Error: there is a problem with the address - openDSPT');
    expect(textOf(mainOf(html))).toContain('We could not read that address.');
  });

  test('an unknown page is 404 in the design system', async () => {
    const html = await page('/no/such/page', 404);
    expect(titleOf(html)).toBe('Page not found - openDSPT');
    expect(html).toContain('class="nhsuk-header');
  });

  test('a failure is a 500 page that does not reveal the error', async () => {
    const html = await page('/test/failure', 500);
    expect(titleOf(html)).toBe('Sorry, there is a problem with the service - openDSPT');
    expect(html).not.toContain('hunter2');
  });
});

describe('security headers', () => {
  test.each([
    '/',
    '/catalogue/caf/A1.a',
    '/no/such/page',
    '/catalogue/standards?category=9',
    '/test/failure',
    `/catalogue/caf/${'A'.repeat(200)}`,
    '/catalogue/caf/%E0%A4%A',
    '/healthz',
    '/assets/nhsuk-frontend.min.css',
    '/assets/images/favicon.svg',
  ])('%s', async (path) => {
    const response = await get(path);
    const csp = response.headers.get('content-security-policy');
    expect(csp).toBeTruthy();
    const directives = new Map(
      csp!.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values] as const;
      }),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('script-src-attr')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/https?:|\*|data:/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('permissions-policy')).toContain('camera=()');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });
});

describe('assets and health', () => {
  test('the stylesheet is served locally and asks for nothing from elsewhere', async () => {
    const response = await get('/assets/nhsuk-frontend.min.css');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const css = await response.text();
    expect(css).toContain('.nhsuk-header');
    expect(css).not.toContain('http:');
    expect(css).not.toContain('https:');
    expect(css).not.toContain('url(//');
    const again = await fetch(`${server.baseUrl}/assets/nhsuk-frontend.min.css`, {
      headers: { 'if-none-match': response.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  test.each([
    ['/assets/nhsuk-frontend.min.js', 'application/javascript', 'initAll'],
    ['/assets/opendspt-init.js', 'application/javascript', 'initAll()'],
    ['/assets/opendspt-js-enabled.js', 'application/javascript', 'js-enabled'],
    ['/assets/images/favicon.svg', 'image/svg+xml', '<svg'],
    ['/assets/images/nhsuk-icon-arrow-up.svg', 'image/svg+xml', '<svg'],
    ['/assets/manifest.json', 'application/json', '"icons"'],
  ])('%s', async (path, type, content) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain(type);
    expect(await response.text()).toContain(content);
  });

  test('every asset a page links to is served', async () => {
    const html = await page('/');
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(6);
    for (const path of assets) expect((await get(path)).status, path).toBe(200);
  });

  test.each([
    '/assets/template.njk',
    '/assets/nhsuk.scss',
    '/assets/../package.json',
    '/assets/%2e%2e/%2e%2e/package.json',
    '/assets/components/header/template.njk',
  ])('%s is not served', async (path) => {
    expect((await get(path)).status).toBe(404);
  });

  test('/healthz', async () => {
    const response = await get('/healthz');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});
