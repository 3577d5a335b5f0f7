// A trust's CAF outcome page in a real browser: the indicators as checkboxes in three groups, the level
// worked out as the user ticks (by our script, under the CSP), saved, and accessible.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { registerOrganisation } from '../../src/app/register-organisation.ts';
import { launchBrowser } from './support/browser.ts';
import { AccountPage } from './support/account-pages.ts';
import { aUser, TEST_PASSWORD } from '../support/accounts.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';
import { realCatalogue, startServer, type RunningServer } from '../support/web-server.ts';

let deps: TestDeps;
let server: RunningServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  deps = await testDeps('sqlite', new Date().toISOString());
  server = await startServer({
    catalogue: await realCatalogue(),
    accounts: { deps, csrfKey: randomBytes(32) },
  });
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
}, 20 * 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await deps?.db.drop();
});

describe('CAF outcome page', () => {
  test('ticking statements changes the level at once; saving keeps it', { timeout: 120_000 }, async () => {
    await registerOrganisation(
      deps,
      { kind: 'operator', name: 'setup' },
      { odsCode: 'RXX', name: 'Example NHS Trust', type: 'nhs-trust' },
    );
    const olive = await aUser(deps, {
      email: 'olive@example.nhs.uk',
      name: 'Olive Operator',
      operator: true,
    });
    await page.goto(`${server.baseUrl}/sign-in`);
    const signIn = await AccountPage.verifyOnPage(page, 'Sign in to openDSPT');
    await signIn.fill('E-mail address', olive.email);
    await signIn.fill('Password', TEST_PASSWORD);
    await signIn.submit('Continue');
    const code = await AccountPage.verifyOnPage(page, 'Enter the code from your authenticator app');
    await code.fill('Security code', olive.code());
    await code.submit('Sign in');

    await page.goto(`${server.baseUrl}/organisations/RXX/tasks`);
    const tasks = await AccountPage.verifyOnPage(page, 'Assessment tasks');
    await tasks.checkAccessibility();
    await tasks.screenshot('30-caf-tasks');

    const outcome = deps.catalogue.outcomes.get('B2.a')!;
    await page.goto(`${server.baseUrl}/organisations/RXX/outcomes/B2.a`);
    const form = await AccountPage.verifyOnPage(page, `B2.a ${outcome.title}`);
    await form.checkAccessibility();
    expect(await page.locator('#achievement').innerText()).toBe('Not achieved');
    for (const i of outcome.indicators['partially-achieved'])
      await page.locator(`input[value="${i.id}"]`).check();
    expect(await page.locator('#achievement').innerText()).toBe('Partially achieved');
    for (const i of outcome.indicators.achieved) await page.locator(`input[value="${i.id}"]`).check();
    expect(await page.locator('#achievement').innerText()).toBe('Achieved');
    await page.locator(`input[value="${outcome.indicators['not-achieved'][0]!.id}"]`).check();
    expect(await page.locator('#achievement').innerText()).toBe('Not achieved');
    await page.locator(`input[value="${outcome.indicators['not-achieved'][0]!.id}"]`).uncheck();
    await form.screenshot('31-caf-outcome');
    await form.submit('Save answer');
    expect(page.url()).toContain('/tasks?saved=B2.a');
    await page.goto(`${server.baseUrl}/organisations/RXX/outcomes/B2.a`);
    expect(await page.locator('#achievement').innerText()).toBe('Achieved');
  });
});
