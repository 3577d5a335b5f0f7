// Page objects for the account journey: first set-up, authenticator enrolment, recovery codes, sign-in.
import type { Page } from 'playwright-core';
import { BasePage } from './pages.ts';

const is = (expected: string) => (actual: string) => actual === expected;

export class AccountPage extends BasePage {
  static async verifyOnPage(page: Page, heading: string): Promise<AccountPage> {
    const p = new AccountPage(page);
    await p.verifyFrame({ title: (t) => t.endsWith(' - openDSPT'), heading: is(heading) });
    return p;
  }

  async fill(label: string, value: string): Promise<void> {
    await this.page.getByLabel(label, { exact: true }).fill(value);
  }

  async submit(button: string): Promise<void> {
    await this.page.getByRole('button', { name: button }).click();
    await this.page.waitForLoadState('load');
  }

  async errorSummary(): Promise<string> {
    return (await this.page.locator('.nhsuk-error-summary').innerText()).replace(/\s+/g, ' ').trim();
  }

  async totpKey(): Promise<string> {
    return (await this.page.locator('#totp-key').innerText()).replaceAll(' ', '');
  }

  async recoveryCodes(): Promise<string[]> {
    return (await this.page.locator('#recovery-codes li').allInnerTexts()).map((c) => c.trim());
  }
}
