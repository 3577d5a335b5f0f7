// The catalogue pages against the small in-memory catalogue, where every flag is known: mandatory and optional
// items, an exemption, an item outside a category, an outcome with no partially-achieved column.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { aCatalogue } from '../../support/catalogue-builder.ts';
import {
  elementWith,
  mainOf,
  startServer,
  textOf,
  titleOf,
  type RunningServer,
} from '../../support/web-server.ts';
import { DEFAULT_FIRST_STEP } from '../../../src/web/server.ts';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ catalogue: aCatalogue() });
});
afterAll(async () => {
  await server?.close();
});

async function page(path: string, expectedStatus = 200): Promise<string> {
  const response = await fetch(server.baseUrl + path);
  expect(response.status, path).toBe(expectedStatus);
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  return response.text();
}

/** The table row of one item on the standards page, as text. */
function rowOf(html: string, itemId: string): string {
  const row = elementWith(html, 'tr', `data-item="${itemId}"`);
  if (!row) throw new Error(`expected a row for item ${itemId}`);
  return textOf(row);
}

describe('home', () => {
  test('without a first step from the caller, says how to register', async () => {
    const html = await page('/');
    expect(textOf(mainOf(html))).toContain(DEFAULT_FIRST_STEP);
  });
});

describe('evidence items of a category', () => {
  test('lists only the items of that category, with their flags', async () => {
    const html = await page('/catalogue/standards?category=4');
    expect(rowOf(html, '3.2.1')).toBe(
      'Evidence item 3.2.1 What it covers Item 3.2.1 Answer Yes or no Required Mandatory Exemptions None',
    );
    expect(rowOf(html, '4.2.4')).toContain('Required Mandatory Exemptions cyber-essentials-plus');
    expect(rowOf(html, '8.3.8')).toContain('Required Optional');
    expect(rowOf(html, '7.3.5')).toContain('Answer Date');
    // 2.9.1 exists only for category 4; category 2 must not show it.
    expect(html).toContain('data-item="2.9.1"');
    expect(await page('/catalogue/standards?category=2')).not.toContain('data-item="2.9.1"');
  });

  test('counts the items and the mandatory ones', async () => {
    const text = textOf(mainOf(await page('/catalogue/standards?category=4')));
    // Builder: 6 items under standards 1, 3, 4, 7 and 8 plus one optional filler for each other standard.
    expect(text).toContain('There are 11 evidence items for this category. 5 of them are mandatory');
  });

  test('without a category, offers the choice', async () => {
    const html = await page('/catalogue/standards');
    expect(titleOf(html)).toBe('Choose a category - openDSPT');
    for (const id of ['2', '3', '4']) expect(html).toContain(`href="/catalogue/standards?category=${id}"`);
    expect(html).not.toContain('href="/catalogue/standards?category=1"');
  });
});

describe('one evidence item', () => {
  test('shows the rules that decide whether it is met', async () => {
    const text = textOf(mainOf(await page('/catalogue/standards/items/3.2.1?category=4')));
    expect(text).toContain('How recent Counted in the 12 months before you publish.');
    expect(text).toContain('Minimum level The share of staff trained must be at least 95%.');
    expect(text).toContain('Mandatory for Cat 4');
    expect(text).toContain('Do what 3.2.1 asks.');
  });

  test('names the certifications that exempt it in this category', async () => {
    const text = textOf(mainOf(await page('/catalogue/standards/items/4.2.4?category=4')));
    expect(text).toContain('Skipped if you hold: cyber-essentials-plus.');
    const other = textOf(mainOf(await page('/catalogue/standards/items/4.2.4?category=3')));
    expect(other).toContain('None: every organisation in this category answers it.');
  });

  test('says when it does not apply to the chosen category', async () => {
    const text = textOf(mainOf(await page('/catalogue/standards/items/2.9.1?category=2')));
    expect(text).toContain('Does not apply to category 2');
    expect(text).not.toContain('Mandatory for');
  });
});

describe('CAF outcomes', () => {
  test('an outcome without a partially-achieved column says so', async () => {
    const html = await page('/catalogue/caf/B1.a');
    expect(textOf(html)).toContain('This outcome has no partially achieved level');
    expect(textOf(html)).toContain('Test Achieved');
  });

  test('an outcome that may not apply explains what to do', async () => {
    expect(textOf(await page('/catalogue/caf/E3.a'))).toContain(
      'This outcome may not apply to your organisation',
    );
    expect(textOf(await page('/catalogue/caf/A1.a'))).not.toContain(
      'This outcome may not apply to your organisation',
    );
  });

  test('outcome IDs are matched exactly', async () => {
    await page('/catalogue/caf/a1.a', 404);
    await page('/catalogue/caf/A1.a%20', 404);
  });
});
