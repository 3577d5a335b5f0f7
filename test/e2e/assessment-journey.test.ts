// An IG lead's assessment in a real browser: register a GP practice, answer every mandatory item (one with an
// uploaded document) through the item pages, and reach Standards Met. Each kind of page is checked with axe.
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.ts';
import { AccountPage } from './support/account-pages.ts';
import { aUser, TEST_PASSWORD } from '../support/accounts.ts';
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

describe('assessment journey', () => {
  test(
    'register a GP practice, answer every mandatory item to Standards Met, publish, see the certificate',
    { timeout: 240_000 },
    async () => {
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

      await page.getByRole('link', { name: 'Register an organisation' }).click();
      const register = await AccountPage.verifyOnPage(page, 'Register an organisation');
      await register.checkAccessibility();
      await register.fill('ODS code', 'A81001');
      await register.fill('Organisation name', 'Riverside Surgery');
      await page.getByLabel('Type of organisation').selectOption('gp-practice');
      await register.fill('ICO registration number (optional)', 'ZA123456');
      await register.submit('Register organisation');

      const home = await AccountPage.verifyOnPage(page, 'Riverside Surgery');
      expect(await page.locator('#status').innerText()).toBe('Standards Not Met');
      await home.checkAccessibility();
      await home.screenshot('20-organisation-home');

      await page.getByRole('link', { name: 'Continue the assessment' }).click();
      const tasks = await AccountPage.verifyOnPage(page, 'Assessment tasks');
      await tasks.checkAccessibility();
      await tasks.screenshot('21-tasks');

      const dir = await mkdtemp(path.join(tmpdir(), 'dspt-e2e-'));
      const iar = path.join(dir, 'information-asset-register.pdf');
      await writeFile(iar, '%PDF-1.4 information asset register');
      const checked = new Set<string>();
      for (const a of deps.catalogue.itemsFor('4').filter((i) => i.mandatory)) {
        await page.goto(`${server.baseUrl}/organisations/A81001/items/${a.item.id}`);
        const item = await AccountPage.verifyOnPage(page, `${a.item.id} ${a.item.title}`);
        const type = a.item.responseType;
        if (!checked.has(type)) {
          await item.checkAccessibility();
          await item.screenshot(`22-item-${type}`);
        }
        if (type === 'yes-no') await page.getByLabel('Yes', { exact: true }).check();
        else if (type === 'document' && a.item.id === '1.1.2')
          await page.getByLabel('Upload the document').setInputFiles(iar);
        else if (type === 'document')
          await item.fill('Or say where the document is kept', 'In the practice governance folder');
        else
          await item.fill(
            'Your answer',
            a.item.id === '1.1.1' ? 'ZA123456' : 'Dr Asha Patel, named by the partners',
          );
        if (a.item.threshold) await item.fill('Measured value (optional)', '97');
        await item.submit('Save answer');
        if (!checked.has(type)) {
          const saved = await AccountPage.verifyOnPage(page, 'Assessment tasks');
          await saved.checkAccessibility();
          checked.add(type);
        }
        expect(page.url()).toContain(`/tasks?saved=${a.item.id}`);
      }

      await page.goto(`${server.baseUrl}/organisations/A81001`);
      expect(await page.locator('#status').innerText()).toBe('Standards Met');
      expect(await page.locator('#progress').innerText()).toBe('29 of 29');
      await home.screenshot('23-standards-met');

      // The approver signs off in their own name and publishes; the certificate shows the locked snapshot.
      await page.getByRole('link', { name: 'Check your answers and publish' }).click();
      const check = await AccountPage.verifyOnPage(page, 'Check your answers before publishing');
      await check.checkAccessibility();
      await check.screenshot('24-check-answers');
      await check.submit('Publish');
      expect(await check.errorSummary()).toContain(
        'Select whether this is a baseline or the final publication',
      );
      await check.checkAccessibility();
      await page.getByLabel('The final assessment for the year').check();
      await check.fill('Your role', 'SIRO');
      await page.getByLabel('I confirm this declaration, in my own name').check();
      await check.submit('Publish');
      const certificate = await AccountPage.verifyOnPage(
        page,
        'Data Security and Protection Toolkit 2025-26: Riverside Surgery',
      );
      expect(await page.locator('#status').innerText()).toBe('Standards Met');
      expect(await page.locator('#sha256').innerText()).toMatch(/^[0-9a-f]{64}$/);
      expect(await page.locator('main').innerText()).toContain('Olive Operator, SIRO');
      await certificate.checkAccessibility();
      await certificate.screenshot('25-certificate');
      expect(problems).toEqual([]);
    },
  );
});
