// A newcomer's first visit in a real browser: home, the catalogue, the GP practice evidence items, item
// 3.2.1, the CAF outcomes and one outcome. Each page is checked with axe and photographed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.ts';
import { HomePage } from './support/pages.ts';
import { realCatalogue, startServer, type RunningServer } from '../support/web-server.ts';

const FIRST_STEP =
  'Register your organisation: npx dspt org add --ods A81001 --name "The Surgery" --type gp-practice';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];
const requestedOrigins = new Set<string>();

beforeAll(async () => {
  server = await startServer({ catalogue: await realCatalogue(), firstStep: FIRST_STEP });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  // A blocked script, a CSP violation or a missing asset shows up here.
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('request', (request) => requestedOrigins.add(new URL(request.url()).origin));
}, 20 * 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe('public catalogue journey', () => {
  test('from the home page to a CAF outcome, accessible on every page', async () => {
    const home = await HomePage.open(page, server.baseUrl);
    expect(await home.firstStep()).toBe(FIRST_STEP);
    expect(await home.finalDeadline()).toBe('30 June 2026');
    // The design system's script ran under our CSP: the body is marked and the header initialised.
    expect(await page.locator('body').getAttribute('class')).toContain('nhsuk-frontend-supported');
    expect(await page.locator('header.nhsuk-header').getAttribute('data-nhsuk-header-init')).toBe('');
    await home.checkAccessibility();
    await home.screenshot('01-home');

    const catalogue = await home.followToCatalogue();
    const headings = await catalogue.categoryHeadings();
    expect(headings).toHaveLength(4);
    expect(headings[3]).toContain('Category 4');
    await catalogue.checkAccessibility();
    await catalogue.screenshot('02-catalogue');

    const standards = await catalogue.openStandardsForCategory('4');
    const standardHeadings = await standards.standardHeadings();
    expect(standardHeadings).toHaveLength(10);
    expect(standardHeadings[2]).toMatch(/Standard 3: /);
    await standards.checkAccessibility();
    await standards.screenshot('03-standards-category-4');

    const item = await standards.openItem('3.2.1');
    expect(await item.rule('Answer')).toBe('Yes or no');
    expect(await item.rule('Minimum level')).toMatch(/^The share of staff .+ must be at least 95%\.$/);
    expect(await item.rule('How recent')).toMatch(/12 months before you publish\.$/);
    await item.checkAccessibility();
    await item.screenshot('04-item-3.2.1');

    const caf = await item.openCafOutcomesFromHeader();
    expect(await caf.outcomeLinks()).toBe(47);
    await caf.checkAccessibility();
    await caf.screenshot('05-caf');

    const outcome = await caf.openOutcome('B2.a');
    expect(await outcome.columnHeadings()).toEqual(['Not achieved', 'Partially achieved', 'Achieved']);
    await outcome.checkAccessibility();
    await outcome.screenshot('06-caf-outcome-B2.a');

    // Narrow screens get the responsive layout; it must be as accessible as the wide one.
    await page.setViewportSize({ width: 375, height: 800 });
    await outcome.checkAccessibility();
    await outcome.screenshot('07-caf-outcome-B2.a-mobile');

    expect(problems).toEqual([]);
    expect([...requestedOrigins]).toEqual([server.baseUrl]);
  }, 180_000);
});
