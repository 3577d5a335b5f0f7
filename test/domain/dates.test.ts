import { describe, expect, test } from 'vitest';
import { addDays, addMonths, daysBetween, formatLongDate, isIsoDate } from '../../src/domain/dates.ts';

describe('dates', () => {
  test.each([
    ['2026-06-30', -12, '2025-06-30'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2024-03-31', -1, '2024-02-29'],
    ['2000-01-31', 1, '2000-02-29'],
    ['1900-01-31', 1, '1900-02-28'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-01-15', -1, '2025-12-15'],
    ['2026-06-30', 6, '2026-12-30'],
    ['2026-06-30', -36, '2023-06-30'],
  ])('addMonths(%s, %i) is %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });

  test.each(['2026-6-30', '2026-13-01', 'yesterday', ''])('addMonths refuses %j', (date) => {
    expect(() => addMonths(date, 1)).toThrow(/not an ISO date/);
  });

  test.each([
    ['2026-02-29', false],
    ['2024-02-29', true],
    ['2026-04-31', false],
    ['2026-12-31', true],
    ['26-12-31', false],
  ])('isIsoDate(%s) is %s', (date, valid) => {
    expect(isIsoDate(date)).toBe(valid);
  });

  test('days and long dates', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(daysBetween('2026-06-01', '2026-06-30')).toBe(29);
    expect(formatLongDate('2026-06-30')).toBe('30 June 2026');
  });
});
