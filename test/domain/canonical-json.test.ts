// Canonical JSON: keys sorted at every level, whatever order they were written in. The copy-on-write sorting
// is held to the plain reading of the rule (every object rebuilt with its keys sorted) on generated values.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalJson } from '../../src/domain/canonical-json.ts';

/** The rule as first written: every object rebuilt, keys sorted, undefined values dropped. */
function reference(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[key];
        if (x !== undefined) out[key] = sortKeys(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(sortKeys(value));
}

describe('canonicalJson', () => {
  test('sorts keys at every level, inside arrays too, and drops undefined values', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  test('leaves the values it is given unchanged', () => {
    const value = { b: [{ d: 1, c: 2 }], a: 1 };
    canonicalJson(value);
    expect(Object.keys(value)).toEqual(['b', 'a']);
    expect(Object.keys(value.b[0]!)).toEqual(['d', 'c']);
  });

  test('writes what it would write by rebuilding every object', () => {
    const special = [
      { '2': 'x', '10': 'y', a: 1 },
      { '1': 'x', a: 1 },
      JSON.parse('{"__proto__":{"a":1},"b":2}') as unknown,
      { toJSON: () => 'mine', a: 1 },
      Object.assign(Object.create(null) as object, { b: 1, a: 2 }),
      new Date('2026-01-01T00:00:00Z'),
      // A sparse array: its hole is written as null.
      Object.assign(new Array<number>(3), { 0: 1, 2: 3 }),
      { a: [undefined, () => 1], b: () => 2 },
      new Uint8Array([3, 1]),
    ];
    for (const value of special) expect(canonicalJson(value)).toBe(reference(value));
    fc.assert(
      fc.property(fc.jsonValue(), fc.anything(), (json, anything) => {
        expect(canonicalJson(json)).toBe(reference(json));
        expect(canonicalJson({ json, anything })).toBe(reference({ json, anything }));
      }),
    );
  });

  test('sorts deeply nested values, each part once', () => {
    let value: unknown = { b: 1, a: 2 };
    for (let i = 0; i < 200; i++) value = { z: [value], y: i };
    expect(canonicalJson(value)).toBe(reference(value));
  });
});
