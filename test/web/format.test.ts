// The words the pages print for catalogue values.
import { describe, expect, test } from 'vitest';
import {
  formatLongDate,
  freshnessRule,
  levelLabel,
  responseTypeLabel,
  thresholdRule,
} from '../../src/web/format.ts';

describe('formatLongDate', () => {
  test.each([
    ['2026-06-30', '30 June 2026'],
    ['2025-12-31', '31 December 2025'],
    ['2026-01-01', '1 January 2026'],
    ['2024-02-29', '29 February 2024'],
  ])('%s reads as %s', (iso, expected) => {
    expect(formatLongDate(iso)).toBe(expected);
  });

  test.each(['30/06/2026', '2026-13-01', ''])('rejects %j', (bad) => {
    expect(() => formatLongDate(bad)).toThrow(RangeError);
  });
});

describe('rules in words', () => {
  test.each([
    [{ withinMonths: 12, what: 'reviewed' }, 'Reviewed in the 12 months before you publish.'],
    [
      { withinMonths: 12, what: 'training completed' },
      'Training completed in the 12 months before you publish.',
    ],
    [{ withinMonths: 36, what: 'reviewed' }, 'Reviewed in the 3 years before you publish.'],
    [{ withinMonths: 18, what: 'tested' }, 'Tested in the 18 months before you publish.'],
    [{ withinMonths: 1, what: 'tested' }, 'Tested in the month before you publish.'],
  ])('freshness %#', (freshness, expected) => {
    expect(freshnessRule(freshness)).toBe(expected);
  });

  test.each([
    [
      { metric: 'trained', atLeast: 95, unit: 'percent', what: 'the share of staff who completed training' },
      'The share of staff who completed training must be at least 95%.',
    ],
    [
      { metric: 'tests', atLeast: 2, unit: 'count', what: 'restore tests a year.' },
      'Restore tests a year must be at least 2.',
    ],
    [
      { metric: 'notice', atLeast: 1, unit: 'days', what: 'the notice period' },
      'The notice period must be at least 1 day.',
    ],
  ] as const)('threshold %#', (threshold, expected) => {
    expect(thresholdRule(threshold)).toBe(expected);
  });

  test('labels', () => {
    expect(responseTypeLabel('yes-no')).toBe('Yes or no');
    expect(responseTypeLabel('document')).toBe('Document, or where it is kept');
    expect(levelLabel('partially-achieved')).toBe('Partially achieved');
  });
});
