// A GP practice's year in a real browser, from an empty service to a certificate: the first operator sets up
// their account and registers the practice, then invites its IG lead; the IG lead joins, enrols an
// authenticator, answers every mandatory item (one with an uploaded document) to Standards Met and invites the
// practice's SIRO; the SIRO joins and publishes in their own name; the certificate shows it. Each person has
// their own browser. Every page is checked with axe and the main ones are photographed.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createSetupLink } from '../../src/app/create-setup-link.ts';
import { readOutbox } from '../../src/app/read-outbox.ts';
import { launchBrowser } from './support/browser.ts';
import { AccountPage } from './support/account-pages.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';
import { realCatalogue, startServer, type RunningServer } from '../support/web-server.ts';
import { scratchDir } from '../support/scratch.ts';

let deps: TestDeps;
let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const problems: string[] = [];

beforeAll(async () => {
  deps = await testDeps('sqlite', new Date().toISOString());
  server = await startServer({
    catalogue: await realCatalogue(),
    accounts: { deps, csrfKey: randomBytes(32) },
  });
  browser = await launchBrowser();
}, 20 * 60_000);

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.close();
  await deps?.db.drop();
});

/** A browser of one's own: separate cookies, as a second person on another computer has. */
async function aBrowserFor(who: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('console', (m) => {
    // A refused form answers 400 by design, which the browser reports; anything else is a problem.
    if (m.type() === 'error' && !/status of 400/.test(m.text()))
      problems.push(`${who}: console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${who}: page error: ${e.message}`));
  return page;
}

/** The authenticator step every new account goes through: the key from the page, a code, recovery codes. */
async function enrolAuthenticator(page: Page, screenshot?: string): Promise<void> {
  const enrol = await AccountPage.verifyOnPage(page, 'Set up your authenticator app');
  await enrol.checkAccessibility();
  if (screenshot) await enrol.screenshot(screenshot);
  const secret = await enrol.totpKey();
  // The code for the server's clock, which the test holds still: the journey takes longer than a code lives.
  await enrol.fill(
    'Security code',
    generateSync({ secret, epoch: Math.floor(deps.clock.now().getTime() / 1000) }),
  );
  await enrol.submit('Confirm');
  const codes = await AccountPage.verifyOnPage(page, 'Save your recovery codes');
  expect(await codes.recoveryCodes()).toHaveLength(10);
  await codes.checkAccessibility();
  await page.getByRole('link', { name: 'Continue' }).click();
  await page.waitForLoadState('load');
}

/** The invitation link in the newest e-mail to `email`, as the person would find it in their inbox. */
async function invitationLinkFor(email: string): Promise<string> {
  const outbox = await readOutbox(deps, { kind: 'operator', name: 'mail' });
  if (!outbox.ok) throw new Error(outbox.error.message);
  const mail = outbox.value.find((m) => m.to === email);
  const link = mail && /https?:\/\/\S+\/invitations\/\S+/.exec(mail.body)?.[0];
  if (!link) throw new Error(`no invitation to ${email} in the outbox`);
  return link;
}

async function acceptInvitation(page: Page, link: string, name: string, password: string): Promise<void> {
  await page.goto(link);
  const accept = await AccountPage.verifyOnPage(page, 'Join Riverside Surgery');
  await accept.checkAccessibility();
  await accept.fill('Full name', name);
  await accept.fill('Choose a password', password);
  await accept.submit('Accept invitation');
}

async function invite(page: Page, email: string, role: string): Promise<void> {
  await page.goto(`${server.baseUrl}/organisations/A81001/members`);
  const members = await AccountPage.verifyOnPage(page, 'Members');
  await members.fill('E-mail address', email);
  await page.getByLabel(role).check();
  await members.submit('Send invitation');
  expect(await page.locator('.nhsuk-notification-banner').innerText()).toContain(
    `Invitation sent to ${email}`,
  );
  await members.checkAccessibility();
}

describe('assessment journey', () => {
  test(
    'set-up, invitations and MFA, a GP practice answered to Standards Met, the approver publishing, the certificate',
    { timeout: 300_000 },
    async () => {
      // The first operator: the one-time link `npm start` prints, a password and an authenticator.
      const operator = await aBrowserFor('operator');
      const link = await createSetupLink(deps);
      if (!link.ok || !link.value) throw new Error('expected a set-up link');
      await operator.goto(`${server.baseUrl}/setup/${link.value.token}`);
      const setup = await AccountPage.verifyOnPage(operator, 'Create the first operator account');
      await setup.fill('Full name', 'Olive Operator');
      await setup.fill('E-mail address', 'olive@example.nhs.uk');
      await setup.fill('Password', 'heron lantern quarry violet');
      await setup.submit('Create account');
      await enrolAuthenticator(operator);

      // The operator registers the practice and invites its IG lead as administrator.
      await operator.getByRole('link', { name: 'Register an organisation' }).click();
      const register = await AccountPage.verifyOnPage(operator, 'Register an organisation');
      await register.checkAccessibility();
      await register.fill('ODS code', 'A81001');
      await register.fill('Organisation name', 'Riverside Surgery');
      await operator.getByLabel('Type of organisation').selectOption('gp-practice');
      await register.fill('ICO registration number (optional)', 'ZA123456');
      await register.submit('Register organisation');
      const orgHome = await AccountPage.verifyOnPage(operator, 'Riverside Surgery');
      expect(await operator.locator('#status').innerText()).toBe('Standards Not Met');
      await operator.getByRole('link', { name: 'Members and invitations' }).click();
      await invite(
        operator,
        'ida.lead@riverside.nhs.uk',
        'Administrator: invites people and answers the assessment',
      );
      await orgHome.screenshot('19-invitation-sent');
      // Without SMTP the e-mail waits in the outbox, which the operator reads in the application.
      await operator.goto(`${server.baseUrl}/outbox`);
      const outbox = await AccountPage.verifyOnPage(operator, 'Outbox');
      expect(await operator.locator('main').innerText()).toContain('To ida.lead@riverside.nhs.uk');
      await outbox.checkAccessibility();

      // The IG lead joins from the e-mail, in their own browser, and must enrol an authenticator first.
      const lead = await aBrowserFor('IG lead');
      await acceptInvitation(
        lead,
        await invitationLinkFor('ida.lead@riverside.nhs.uk'),
        'Ida Lead',
        'pebble harbour tulip sextant',
      );
      // Half signed in: no page of the practice opens before the second factor.
      expect(await lead.locator('header').innerText()).toContain('Sign out');
      await enrolAuthenticator(lead, '18-enrol-after-invitation');
      await lead.goto(`${server.baseUrl}/organisations/A81001`);
      const home = await AccountPage.verifyOnPage(lead, 'Riverside Surgery');
      await home.checkAccessibility();
      await home.screenshot('20-organisation-home');

      await lead.getByRole('link', { name: 'Continue the assessment' }).click();
      const tasks = await AccountPage.verifyOnPage(lead, 'Assessment tasks');
      await tasks.checkAccessibility();
      await tasks.screenshot('21-tasks');

      const dir = await scratchDir('dspt-e2e-');
      const iar = path.join(dir, 'information-asset-register.pdf');
      await writeFile(iar, '%PDF-1.4 information asset register');
      const checked = new Set<string>();
      for (const a of deps.catalogue.itemsFor('4').filter((i) => i.mandatory)) {
        await lead.goto(`${server.baseUrl}/organisations/A81001/items/${a.item.id}`);
        const item = await AccountPage.verifyOnPage(lead, `${a.item.id} ${a.item.title}`);
        const type = a.item.responseType;
        if (!checked.has(type)) {
          await item.checkAccessibility();
          await item.screenshot(`22-item-${type}`);
        }
        if (type === 'yes-no') await lead.getByLabel('Yes', { exact: true }).check();
        else if (type === 'document' && a.item.id === '1.1.2')
          await lead.getByLabel('Upload the document').setInputFiles(iar);
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
          const saved = await AccountPage.verifyOnPage(lead, 'Assessment tasks');
          await saved.checkAccessibility();
          checked.add(type);
        }
        expect(lead.url()).toContain(`/tasks?saved=${a.item.id}`);
      }

      await lead.goto(`${server.baseUrl}/organisations/A81001`);
      expect(await lead.locator('#status').innerText()).toBe('Standards Met');
      expect(await lead.locator('#progress').innerText()).toBe('29 of 29');
      await home.screenshot('23-standards-met');

      // The IG lead may check the answers but not publish: that is the approver's, in their own name.
      await lead.getByRole('link', { name: 'Check your answers and publish' }).click();
      const leadCheck = await AccountPage.verifyOnPage(lead, 'Check your answers before publishing');
      expect(await lead.locator('main').innerText()).toContain('ask your approver to sign in and publish');
      expect(await lead.getByRole('button', { name: 'Publish' }).count()).toBe(0);
      await leadCheck.checkAccessibility();
      await invite(
        lead,
        'sam.senior@riverside.nhs.uk',
        'Approver (SIRO or chief executive): signs off and publishes',
      );

      // The SIRO joins, enrols, reads the summary and publishes the final assessment.
      const siro = await aBrowserFor('SIRO');
      await acceptInvitation(
        siro,
        await invitationLinkFor('sam.senior@riverside.nhs.uk'),
        'Sam Senior',
        'copper meadow lantern oyster',
      );
      await enrolAuthenticator(siro);
      await siro.goto(`${server.baseUrl}/organisations/A81001/publish`);
      const check = await AccountPage.verifyOnPage(siro, 'Check your answers before publishing');
      expect(await siro.locator('main').innerText()).toContain('You sign in your own name: Sam Senior');
      await check.checkAccessibility();
      await check.screenshot('24-check-answers');
      await check.submit('Publish');
      expect(await check.errorSummary()).toContain(
        'Select whether this is a baseline or the final publication',
      );
      await check.checkAccessibility();
      await siro.getByLabel('The final assessment for the year').check();
      await check.fill('Your role', 'SIRO');
      await siro.getByLabel('I confirm this declaration, in my own name').check();
      await check.submit('Publish');
      const certificate = await AccountPage.verifyOnPage(
        siro,
        'Data Security and Protection Toolkit 2025-26: Riverside Surgery',
      );
      expect(await siro.locator('#status').innerText()).toBe('Standards Met');
      expect(await siro.locator('#sha256').innerText()).toMatch(/^[0-9a-f]{64}$/);
      expect(await siro.locator('main').innerText()).toContain('Sam Senior, SIRO');
      await certificate.checkAccessibility();
      await certificate.screenshot('25-certificate');

      // The IG lead, a member, sees the same certificate from the practice's home page.
      await lead.goto(siro.url());
      await AccountPage.verifyOnPage(lead, 'Data Security and Protection Toolkit 2025-26: Riverside Surgery');
      expect(problems).toEqual([]);
    },
  );
});
