// The first operator's journey in a real browser: the one-time set-up link, an authenticator app, recovery
// codes, signing out and signing in again with a code. Every page is checked with axe and photographed.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateSync } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createSetupLink } from '../../src/app/create-setup-link.ts';
import { launchBrowser } from './support/browser.ts';
import { AccountPage } from './support/account-pages.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';
import { realCatalogue, startServer, type RunningServer } from '../support/web-server.ts';

let deps: TestDeps;
let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  deps = await testDeps('sqlite', new Date().toISOString());
  server = await startServer({
    catalogue: await realCatalogue(),
    accounts: { deps, csrfKey: randomBytes(32) },
  });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('console', (m) => {
    // A refused form answers 400 by design, which the browser reports; anything else is a problem.
    if (m.type() === 'error' && !/status of 400/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
}, 20 * 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  await deps?.db.drop();
});

describe('first operator journey', () => {
  test('set-up link, authenticator, recovery codes, sign-out and sign-in with a code', async () => {
    const link = await createSetupLink(deps);
    if (!link.ok || !link.value) throw new Error('expected a set-up link');
    await page.goto(`${server.baseUrl}/setup/${link.value.token}`);
    const setup = await AccountPage.verifyOnPage(page, 'Create the first operator account');
    await setup.checkAccessibility();
    await setup.screenshot('10-setup');

    await setup.fill('Full name', 'Olive Operator');
    await setup.fill('E-mail address', 'olive@example.nhs.uk');
    await setup.fill('Password', 'password1234');
    await setup.submit('Create account');
    const refused = await AccountPage.verifyOnPage(page, 'Create the first operator account');
    expect(await page.title()).toMatch(/^Error: /);
    expect(await refused.errorSummary()).toContain('common passwords');
    await refused.checkAccessibility();
    await refused.screenshot('11-setup-error');

    await refused.fill('Password', 'heron lantern quarry violet');
    await refused.submit('Create account');
    const enrol = await AccountPage.verifyOnPage(page, 'Set up your authenticator app');
    await enrol.checkAccessibility();
    await enrol.screenshot('12-enrol');
    const secret = await enrol.totpKey();
    await enrol.fill(
      'Security code',
      generateSync({ secret, epoch: Math.floor(deps.clock.now().getTime() / 1000) }),
    );
    await enrol.submit('Confirm');

    const codes = await AccountPage.verifyOnPage(page, 'Save your recovery codes');
    expect(await codes.recoveryCodes()).toHaveLength(10);
    await codes.checkAccessibility();
    await codes.screenshot('13-recovery-codes');
    await page.getByRole('link', { name: 'Continue' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('main').innerText()).toContain('You are signed in as Olive Operator');

    await page.getByRole('link', { name: 'Sign out' }).first().click();
    const signOut = await AccountPage.verifyOnPage(page, 'Sign out');
    await signOut.checkAccessibility();
    await signOut.submit('Sign out');
    const signIn = await AccountPage.verifyOnPage(page, 'Sign in to openDSPT');
    await signIn.checkAccessibility();
    await signIn.screenshot('14-sign-in');
    await signIn.fill('E-mail address', 'olive@example.nhs.uk');
    await signIn.fill('Password', 'heron lantern quarry violet');
    await signIn.submit('Continue');
    const code = await AccountPage.verifyOnPage(page, 'Enter the code from your authenticator app');
    await code.checkAccessibility();
    await code.screenshot('15-code');
    await code.fill(
      'Security code',
      generateSync({ secret, epoch: Math.floor(deps.clock.now().getTime() / 1000) }),
    );
    await code.submit('Sign in');
    expect(await page.locator('main').innerText()).toContain('You are signed in as Olive Operator');
    expect(problems).toEqual([]);
  });
});
