// What `npm start` tells a new user: one first step, and the right one for where they are.
import { describe, expect, test } from 'vitest';
import { serving } from '../../src/cli/output.ts';
import { readConfig } from '../../src/config.ts';
import type { Catalogue } from '../../src/domain/catalogue/model.ts';

const config = (() => {
  const read = readConfig({ DSPT_DATA_DIR: '/tmp/unused', PORT: '3000', EVIDENCE_KEY: 'ab'.repeat(32) });
  if (!read.ok) throw new Error(read.error.message);
  return read.value;
})();
const catalogue = { year: '2025-26' } as Catalogue;

describe('the start-up message', () => {
  test('with no accounts, the first step is the one-time link, then registering an organisation', () => {
    const text = serving(config, catalogue, 0, 'the-token');
    expect(text).toContain('openDSPT is running at http://localhost:3000');
    expect(text).toMatch(
      /First step: no accounts yet.*one-time link.*\n {2}http:\/\/localhost:3000\/setup\/the-token\n/,
    );
    expect(text).toContain('Then register your organisation in the browser');
    expect(text.match(/First step/g)).toHaveLength(1);
  });

  test('with accounts but no organisation, the first step is to sign in and register one', () => {
    const text = serving(config, catalogue, 0, null);
    expect(text).toContain(
      'First step: sign in at http://localhost:3000/sign-in and register your organisation',
    );
    expect(text).not.toContain('/setup/');
  });

  test('with organisations, the first step is to sign in and see where each stands', () => {
    expect(serving(config, catalogue, 2, null)).toContain(
      'First step: sign in at http://localhost:3000/sign-in to see where each organisation stands',
    );
  });
});
