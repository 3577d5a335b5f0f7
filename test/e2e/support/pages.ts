// Page objects for the public catalogue journey: each knows how to recognise its page and where its links
// lead, so the journey reads as what a user does.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export const SCREENSHOT_DIR = '/tmp/opendspt-screens';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export abstract class BasePage {
  constructor(readonly page: Page) {}

  /** Every page of the service has the same frame: the header, one h1, the title ending in the service name. */
  async verifyFrame(check: {
    title: (title: string) => boolean;
    heading: (h1: string) => boolean;
  }): Promise<void> {
    const pageTitle = await this.page.title();
    expect(check.title(pageTitle), `title "${pageTitle}"`).toBe(true);
    expect(pageTitle.endsWith(' - openDSPT')).toBe(true);
    expect(await this.page.locator('html').getAttribute('lang')).toBe('en-GB');
    expect(await this.page.locator('.nhsuk-header__service-name').innerText()).toBe('openDSPT');
    const h1 = this.page.locator('main h1');
    expect(await h1.count()).toBe(1);
    const heading = (await h1.innerText()).replace(/\s+/g, ' ').trim();
    expect(check.heading(heading), `heading "${heading}"`).toBe(true);
  }

  /** Run axe against WCAG 2.2 AA and fail with the violations listed. */
  async checkAccessibility(): Promise<void> {
    const results = await new AxeBuilder({ page: this.page }).withTags(WCAG_TAGS).analyze();
    const described = results.violations.map(
      (v) =>
        `${v.id} (${v.impact ?? 'unknown'}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n')}`,
    );
    if (described.length > 0) console.error(`axe violations on ${this.page.url()}:\n${described.join('\n')}`);
    expect(described, `axe violations on ${this.page.url()}`).toEqual([]);
    expect(results.passes.length).toBeGreaterThan(0);
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, `${name}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    return file;
  }

  /** Follow the link in the page body that goes to `href`, as a user clicking it would. */
  protected async follow(href: string): Promise<void> {
    // Playwright's click waits for the navigation it starts; then wait for the new page to finish loading.
    await this.page.locator(`main a[href="${href}"]`).first().click();
    await this.page.waitForLoadState('load');
  }
}

const is = (expected: string) => (actual: string) => actual === expected;
const startsWith = (prefix: string) => (actual: string) => actual.startsWith(prefix);

export class HomePage extends BasePage {
  static async open(page: Page, baseUrl: string): Promise<HomePage> {
    await page.goto(`${baseUrl}/`);
    return HomePage.verifyOnPage(page);
  }

  static async verifyOnPage(page: Page): Promise<HomePage> {
    const home = new HomePage(page);
    await home.verifyFrame({
      title: is('Prepare your Data Security and Protection Toolkit assessment - openDSPT'),
      heading: is('Prepare your Data Security and Protection Toolkit assessment'),
    });
    return home;
  }

  async firstStep(): Promise<string> {
    return (await this.page.locator('#first-step').innerText()).trim();
  }

  async finalDeadline(): Promise<string> {
    const row = this.page.locator('.nhsuk-summary-list__row', { hasText: 'Final publication due' });
    return (await row.locator('.nhsuk-summary-list__value').innerText()).trim();
  }

  async followToCatalogue(): Promise<CataloguePage> {
    await this.follow('/catalogue');
    return CataloguePage.verifyOnPage(this.page);
  }
}

export class CataloguePage extends BasePage {
  static async verifyOnPage(page: Page): Promise<CataloguePage> {
    const p = new CataloguePage(page);
    await p.verifyFrame({
      title: is('Organisation types and categories - openDSPT'),
      heading: (h) => h.endsWith('Organisation types and categories'),
    });
    return p;
  }

  async categoryHeadings(): Promise<string[]> {
    return this.page.locator('main section h2').allInnerTexts();
  }

  async openStandardsForCategory(id: string): Promise<StandardsPage> {
    await this.follow(`/catalogue/standards?category=${id}`);
    return StandardsPage.verifyOnPage(this.page, id);
  }
}

export class StandardsPage extends BasePage {
  static async verifyOnPage(page: Page, categoryId: string): Promise<StandardsPage> {
    const p = new StandardsPage(page);
    await p.verifyFrame({
      title: startsWith(`Evidence items for Category ${categoryId} `),
      heading: (h) => h.includes(`Evidence items for Category ${categoryId}`),
    });
    expect(new URL(page.url()).searchParams.get('category')).toBe(categoryId);
    return p;
  }

  async standardHeadings(): Promise<string[]> {
    return (await this.page.locator('main section h2').allInnerTexts()).map((t) =>
      t.replace(/\s+/g, ' ').trim(),
    );
  }

  async openItem(id: string): Promise<ItemPage> {
    await this.follow(
      `/catalogue/standards/items/${id}?category=${new URL(this.page.url()).searchParams.get('category') ?? ''}`,
    );
    return ItemPage.verifyOnPage(this.page, id);
  }
}

export class ItemPage extends BasePage {
  static async verifyOnPage(page: Page, id: string): Promise<ItemPage> {
    const p = new ItemPage(page);
    await p.verifyFrame({ title: startsWith(`${id} `), heading: (h) => h.includes(`${id} `) });
    return p;
  }

  async rule(name: string): Promise<string> {
    const row = this.page.locator('.nhsuk-summary-list__row', {
      has: this.page.locator('dt', { hasText: name }),
    });
    return (await row.locator('dd').innerText()).trim();
  }

  async openCafOutcomesFromHeader(): Promise<CafPage> {
    await Promise.all([
      this.page.waitForURL('**/catalogue/caf'),
      this.page.locator('header').getByRole('link', { name: 'CAF outcomes' }).click(),
    ]);
    return CafPage.verifyOnPage(this.page);
  }
}

export class CafPage extends BasePage {
  static async verifyOnPage(page: Page): Promise<CafPage> {
    const p = new CafPage(page);
    await p.verifyFrame({
      title: is('CAF-aligned objectives and outcomes - openDSPT'),
      heading: (h) => h.endsWith('CAF-aligned objectives and outcomes'),
    });
    return p;
  }

  async outcomeLinks(): Promise<number> {
    return this.page.locator('main a[href^="/catalogue/caf/"]').count();
  }

  async openOutcome(id: string): Promise<OutcomePage> {
    await this.follow(`/catalogue/caf/${id}`);
    return OutcomePage.verifyOnPage(this.page, id);
  }
}

export class OutcomePage extends BasePage {
  static async verifyOnPage(page: Page, id: string): Promise<OutcomePage> {
    const p = new OutcomePage(page);
    await p.verifyFrame({ title: startsWith(`${id} `), heading: (h) => h.includes(`${id} `) });
    return p;
  }

  async columnHeadings(): Promise<string[]> {
    return this.page.locator('main [data-column] h3').allInnerTexts();
  }
}
