// Shared records are frozen all the way down, and what is built from them is built once per record.
import { describe, expect, test } from 'vitest';
import { deepFreeze, derivedOnce, isDeepFrozen } from '../../src/app/frozen.ts';

describe('deepFreeze', () => {
  test('freezes every level, including objects frozen only at the top before', () => {
    const inner = Object.freeze({ list: [{ name: 'Riverside' }] });
    const record = deepFreeze({ inner, when: '2026-06-30' });
    expect(isDeepFrozen(record)).toBe(true);
    expect(isDeepFrozen(inner.list[0])).toBe(true);
    expect(() => {
      (inner.list[0] as { name: string }).name = 'Changed';
    }).toThrow(TypeError);
  });

  test('an object frozen only at the top is not taken as unchangeable', () => {
    const shallow = Object.freeze({ list: [1, 2] });
    expect(isDeepFrozen(shallow)).toBe(false);
    expect(isDeepFrozen('text')).toBe(false);
    expect(isDeepFrozen(null)).toBe(false);
  });
});

describe('derivedOnce', () => {
  test('builds once per frozen source and variant, and every time for anything else', () => {
    let builds = 0;
    const view = derivedOnce((source: { items: number[] }, ods: string) => {
      builds++;
      return { ods, total: source.items.reduce((a, b) => a + b, 0) };
    });
    const frozen = deepFreeze({ items: [1, 2, 3] });
    const first = view(frozen, 'A81001');
    expect(view(frozen, 'A81001')).toBe(first);
    expect(builds).toBe(1);
    expect(isDeepFrozen(first)).toBe(true);

    expect(view(frozen, 'B82002')).toEqual({ ods: 'B82002', total: 6 });
    expect(builds).toBe(2);

    const open = { items: [1, 2, 3] };
    expect(view(open, 'A81001')).toEqual({ ods: 'A81001', total: 6 });
    open.items.push(4);
    expect(view(open, 'A81001')).toEqual({ ods: 'A81001', total: 10 });
    expect(builds).toBe(4);
  });
});
