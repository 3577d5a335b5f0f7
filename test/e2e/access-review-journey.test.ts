// An access review in a real browser: a CI job starts it through the API from Entra and HR exports, then the
// practice's administrator opens it from the organisation page, decides every account (one by one, and a
// task's clean accounts at once), signs it off, and sees it as dated evidence with its report. Every page is
// checked with axe against WCAG 2.2 AA.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addMember } from '../../src/app/add-member.ts';
import { createApiToken } from '../../src/app/create-api-token.ts';
import { registerOrganisation } from '../../src/app/register-organisation.ts';
import { launchBrowser } from './support/browser.ts';
import { AccountPage } from './support/account-pages.ts';
import {
  DecisionPage,
  ReportPage,
  ReviewListPage,
  ReviewPage,
  TaskPage,
} from './support/access-review-pages.ts';
import { aUser, TEST_PASSWORD } from '../support/accounts.ts';
import { ACCESS_REVIEW_FIXTURES } from '../support/access-reviews.ts';
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

/** What a CI job does: upload the exports with the organisation's API token. */
async function startReviewThroughTheApi(): Promise<string> {
  const made = await createApiToken(
    deps,
    { kind: 'operator', name: 'setup' },
    { odsCode: 'A81001', name: 'Nightly identity export' },
  );
  if (!made.ok) throw new Error(made.error.message);
  const form = new FormData();
  for (const [field, name] of [
    ['idp', 'entra-users.json'],
    ['mfa', 'entra-mfa.json'],
    ['hr', 'hr.csv'],
    ['training', 'training.csv'],
  ] as const)
    form.append(field, new Blob([await readFile(path.join(ACCESS_REVIEW_FIXTURES, name))]), name);
  form.append('at', '2026-05-31');
  form.append('assetOwner', 'Dr Asha Patel (information asset owner)');
  const response = await fetch(`${server.baseUrl}/api/v1/organisations/A81001/collectors/access-review`, {
    method: 'POST',
    headers: { authorization: `Bearer ${made.value.token}` },
    body: form,
  });
  const body = (await response.json()) as { reviewId?: string };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.reviewId!;
}

/** From a decision page, decides each undecided account of the task in turn, taking our recommendation. */
async function decideOneByOne(first: DecisionPage): Promise<number> {
  let decision = first;
  let decided = 0;
  for (;;) {
    const recommended = await decision.recommendation();
    await decision.record(recommended, `Agreed with the recommendation (${recommended})`);
    decided++;
    if (!page.url().includes('/items/')) return decided;
    decision = await DecisionPage.verifyOnPage(page);
    expect(await decision.banner()).toMatch(/^Success Your decision on \S+ was saved/);
  }
}

describe('access review journey', () => {
  test(
    'open the review, decide every account, sign off, and see it as evidence with its report',
    { timeout: 180_000 },
    async () => {
      await registerOrganisation(
        deps,
        { kind: 'operator', name: 'setup' },
        { odsCode: 'A81001', name: 'Riverside Surgery', type: 'gp-practice' },
      );
      await addMember(
        deps,
        { kind: 'operator', name: 'setup' },
        { odsCode: 'A81001', email: 'asha@riverside.nhs.uk', name: 'Dr Asha Patel', role: 'administrator' },
      );
      const asha = await aUser(deps, { email: 'asha@riverside.nhs.uk', name: 'Dr Asha Patel' });
      const reviewId = await startReviewThroughTheApi();

      await page.goto(`${server.baseUrl}/sign-in`);
      const signIn = await AccountPage.verifyOnPage(page, 'Sign in to openDSPT');
      await signIn.fill('E-mail address', asha.email);
      await signIn.fill('Password', TEST_PASSWORD);
      await signIn.submit('Continue');
      const code = await AccountPage.verifyOnPage(page, 'Enter the code from your authenticator app');
      await code.fill('Security code', asha.code());
      await code.submit('Sign in');

      await page.goto(`${server.baseUrl}/organisations/A81001`);
      await AccountPage.verifyOnPage(page, 'Riverside Surgery');
      await page.getByRole('link', { name: /^Access reviews/ }).click();
      const list = await ReviewListPage.verifyOnPage(page);
      await list.checkAccessibility();
      await list.screenshot('40-access-reviews');

      const review = await list.openReview('31 May 2026');
      expect(page.url()).toBe(`${server.baseUrl}/organisations/A81001/access-reviews/${reviewId}`);
      expect(await review.status()).toBe('Open');
      expect(await review.finding('Leavers still enabled')).toMatch(/^2 more than 1 day after leaving/);
      expect(await review.finding('Training coverage')).toMatch(/below the 95% threshold$/);
      await review.checkAccessibility();
      await review.screenshot('41-access-review');

      // Task 1, the asset owner's: leavers and accounts nobody owns come first; each is decided on its own page.
      let task = await review.openTask(1);
      const logins = await task.logins();
      expect(logins[0]).toBe('dan.smith@riverside.nhs.uk');
      await task.checkAccessibility();
      await task.screenshot('42-review-task');

      const decision = await task.decide('dan.smith@riverside.nhs.uk');
      expect(await decision.account()).toBe('Dan Smith');
      expect(await decision.recommendation()).toBe('remove');
      await decision.checkAccessibility();
      await decision.screenshot('43-decision');
      await decision.submit('Save and continue');
      expect(await decision.errorSummary()).toBe(
        'There is a problem Select whether to keep, remove or change the access Enter why, for example the ticket number of the removal or why the access is needed',
      );
      expect(await page.title()).toMatch(/^Error: /);
      await decision.checkAccessibility();
      await decision.screenshot('44-decision-error');

      expect(await decideOneByOne(decision)).toBe(6);
      task = await TaskPage.verifyOnPage(page, 1);
      expect(await task.progress()).toBe('6 of 6 accounts decided');
      await task.checkAccessibility();

      // Task 2: its clean account at once, then the others one by one.
      await page.goto(`${server.baseUrl}/organisations/A81001/access-reviews/${reviewId}`);
      task = await (await ReviewPage.verifyOnPage(page, '31 May 2026')).openTask(2);
      await task.acceptRecommendation('keep', 'Still in post and needs this access');
      expect(await task.banner()).toBe('Success Decided 1 account: Keep');
      await task.checkAccessibility();
      await task.screenshot('45-task-bulk');
      await task.acceptRecommendation('keep', 'Again');
      expect(await task.errorSummary()).toContain('No account in this task is waiting for a decision');
      await task.checkAccessibility();
      const [firstUndecided] = await page
        .locator('#accounts tbody tr', { hasText: 'Not decided' })
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-login') ?? ''));
      expect(await decideOneByOne(await task.decide(firstUndecided!))).toBe(3);

      // Task 3: three clean accounts, kept together.
      await page.goto(`${server.baseUrl}/organisations/A81001/access-reviews/${reviewId}`);
      task = await (await ReviewPage.verifyOnPage(page, '31 May 2026')).openTask(3);
      await task.acceptRecommendation('keep', 'All three still work here in the same roles');
      expect(await task.banner()).toBe('Success Decided 3 accounts: Keep');

      await page.goto(`${server.baseUrl}/organisations/A81001/access-reviews/${reviewId}`);
      const ready = await ReviewPage.verifyOnPage(page, '31 May 2026');
      expect(await ready.taskStatus(3)).toBe('Completed');
      const signOff = await ready.startSignOff();
      await signOff.checkAccessibility();
      await signOff.screenshot('46-sign-off');
      await signOff.submit('Sign off');
      expect(await signOff.errorSummary()).toBe(
        'There is a problem Enter your role, for example Information asset owner Confirm that every decision has been checked',
      );
      await signOff.checkAccessibility();
      await signOff.signOff('Information asset owner');

      const signed = await ReviewPage.verifyOnPage(page, '31 May 2026');
      expect(await signed.banner()).toBe('Success The review was signed off and recorded as evidence');
      expect(await signed.status()).toBe('Signed off');
      expect(await signed.verdict('4.1.1')).toBe('Evidenced');
      expect(await signed.verdict('4.2.4')).toBe('Evidenced');
      expect(await signed.verdict('3.2.1')).toBe('Gap');
      await signed.checkAccessibility();
      await signed.screenshot('47-signed-off');

      // The report, as recorded: our own HTML, served sandboxed.
      await page.getByRole('link', { name: 'View the report' }).click();
      await page.waitForLoadState('load');
      const report = await ReportPage.verifyOnPage(page, 'Riverside Surgery (A81001)');
      expect(await page.locator('body').innerText()).toContain(
        'signed off by Dr Asha Patel, Information asset owner',
      );
      await report.screenshot('48-report');
      // The sandbox the report is served in keeps axe out too, so it is checked in a context that lets it in.
      const audit = await browser.newContext({ bypassCSP: true });
      await audit.addCookies(await context.cookies());
      const auditPage = await audit.newPage();
      await auditPage.goto(page.url());
      await (await ReportPage.verifyOnPage(auditPage, 'Riverside Surgery (A81001)')).checkAccessibility();
      await audit.close();

      // The assessment item now shows the review as evidence, dated the day of the exports.
      await page.goto(`${server.baseUrl}/organisations/A81001/items/4.1.1`);
      const item = await AccountPage.verifyOnPage(page, '4.1.1 Up-to-date list of staff and their roles');
      expect(await page.locator('#evidence').innerText()).toContain(
        'Access review, 2026-05-31 (report), dated 31 May 2026',
      );
      await item.checkAccessibility();
      await item.screenshot('49-item-with-review');
      expect(problems).toEqual([]);
    },
  );
});
