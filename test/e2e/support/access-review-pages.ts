// Page objects for the access-review journey: the list of reviews, a review, a reviewer's task, the decision
// on one account and the sign-off. Each recognises its page by its heading and knows its own controls.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { BasePage } from './pages.ts';

const heading = (check: (h1: string) => boolean) => ({
  title: (t: string) => t.endsWith(' - openDSPT'),
  heading: check,
});

/** What every form page of the review shares: labelled fields, buttons, the error summary and banners. */
abstract class ReviewFormPage extends BasePage {
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

  async banner(): Promise<string> {
    return (await this.page.locator('.nhsuk-notification-banner').innerText()).replace(/\s+/g, ' ').trim();
  }
}

export class ReviewListPage extends ReviewFormPage {
  static async verifyOnPage(page: Page): Promise<ReviewListPage> {
    const p = new ReviewListPage(page);
    await p.verifyFrame(heading((h) => h === 'Access reviews'));
    return p;
  }

  async openReview(date: string): Promise<ReviewPage> {
    await this.page.locator('#reviews').getByRole('link', { name: date }).click();
    await this.page.waitForLoadState('load');
    return ReviewPage.verifyOnPage(this.page, date);
  }
}

export class ReviewPage extends ReviewFormPage {
  static async verifyOnPage(page: Page, date: string): Promise<ReviewPage> {
    const p = new ReviewPage(page);
    await p.verifyFrame(heading((h) => h === `Access review of ${date}`));
    return p;
  }

  async status(): Promise<string> {
    return (await this.page.locator('#review-status').innerText()).trim();
  }

  async finding(name: string): Promise<string> {
    const row = this.page.locator('#findings .nhsuk-summary-list__row', {
      has: this.page.locator('dt', { hasText: name }),
    });
    return (await row.locator('dd').innerText()).trim();
  }

  async taskStatus(n: number): Promise<string> {
    return (await this.page.locator(`#tasks tr[data-task="${n}"] .nhsuk-tag`).innerText()).trim();
  }

  async openTask(n: number): Promise<TaskPage> {
    await this.page
      .locator('#tasks')
      .getByRole('link', { name: `Task ${n}`, exact: true })
      .click();
    await this.page.waitForLoadState('load');
    return TaskPage.verifyOnPage(this.page, n);
  }

  async startSignOff(): Promise<SignOffPage> {
    await this.page.getByRole('link', { name: 'Sign off the review' }).click();
    await this.page.waitForLoadState('load');
    return SignOffPage.verifyOnPage(this.page);
  }

  async verdict(item: string): Promise<string> {
    return (await this.page.locator(`#verdicts tr[data-target="${item}"] .nhsuk-tag`).innerText()).trim();
  }
}

export class TaskPage extends ReviewFormPage {
  static async verifyOnPage(page: Page, n: number): Promise<TaskPage> {
    const p = new TaskPage(page);
    await p.verifyFrame(heading((h) => h.startsWith(`Task ${n}: `)));
    return p;
  }

  async logins(): Promise<string[]> {
    return this.page
      .locator('#accounts tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-login') ?? ''));
  }

  async progress(): Promise<string> {
    return (await this.page.locator('#progress').innerText()).trim();
  }

  async decide(login: string): Promise<DecisionPage> {
    await this.page.getByRole('link', { name: `Decide the access of ${login}`, exact: true }).click();
    await this.page.waitForLoadState('load');
    return DecisionPage.verifyOnPage(this.page);
  }

  async acceptRecommendation(decision: 'keep' | 'remove' | 'change', why: string): Promise<void> {
    const labels = {
      keep: 'Keep the accounts we recommend keeping',
      remove: 'Remove the accounts we recommend removing',
      change: 'Change the accounts we recommend changing',
    };
    await this.page.getByLabel(labels[decision], { exact: true }).check();
    await this.fill('Why these accounts can be decided together', why);
    await this.submit('Accept the recommendation');
  }
}

const DECISION_LABEL = { keep: 'Keep it', remove: 'Remove it', change: 'Change it' } as const;

export class DecisionPage extends ReviewFormPage {
  static async verifyOnPage(page: Page): Promise<DecisionPage> {
    const p = new DecisionPage(page);
    await p.verifyFrame(heading((h) => h.length > 0));
    expect(await page.getByText("What should happen to this account's access?").count()).toBe(1);
    return p;
  }

  async account(): Promise<string> {
    return (await this.page.locator('main h1').innerText()).trim();
  }

  /** Our recommendation for the account, as the word on the page: keep, remove or change. */
  async recommendation(): Promise<'keep' | 'remove' | 'change'> {
    const text = await this.page.locator('main .nhsuk-inset-text').innerText();
    const word = /We recommend: (Keep|Remove|Change)/.exec(text)?.[1];
    if (!word) throw new Error(`no recommendation in "${text}"`);
    return word.toLowerCase() as 'keep' | 'remove' | 'change';
  }

  async record(decision: 'keep' | 'remove' | 'change', why: string): Promise<void> {
    await this.page.getByLabel(DECISION_LABEL[decision], { exact: true }).check();
    await this.fill('Why?', why);
    await this.submit('Save and continue');
  }
}

export class SignOffPage extends ReviewFormPage {
  static async verifyOnPage(page: Page): Promise<SignOffPage> {
    const p = new SignOffPage(page);
    await p.verifyFrame(heading((h) => h === 'Sign off the access review'));
    return p;
  }

  async signOff(role: string): Promise<void> {
    await this.fill('Your role', role);
    await this.page.getByLabel('I have checked the decisions and they are right').check();
    await this.submit('Sign off');
  }
}

/** The HTML report recorded at sign-off: our own plain page, outside the service's frame. */
export class ReportPage extends BasePage {
  static async verifyOnPage(page: Page, organisation: string): Promise<ReportPage> {
    expect(await page.locator('h1').innerText()).toBe(`Access review: ${organisation}`);
    expect(await page.locator('html').getAttribute('lang')).toBe('en-GB');
    return new ReportPage(page);
  }
}
