// The join index: the same answers as a Map, one key at a time or in batches, across growth and collisions.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { KeyIndex } from '../../../src/collectors/access-review/key-index.ts';

describe('KeyIndex', () => {
  test('the first row added for a key keeps it', () => {
    const index = new KeyIndex(2);
    expect(index.add('E001', 0)).toBe(0);
    expect(index.add('E002', 1)).toBe(1);
    expect(index.add('E001', 2)).toBe(0);
    expect(index.size).toBe(2);
    expect([index.get('E001'), index.get('E002'), index.get('E003'), index.get(null)]).toEqual([
      0, 1, -1, -1,
    ]);
  });

  test('agrees with a Map, key by key and in batches, however many keys', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 6 }), { maxLength: 3000 }),
        fc.array(fc.option(fc.string({ maxLength: 6 })), { maxLength: 1500 }),
        (added, probes) => {
          const index = new KeyIndex(4);
          const map = new Map<string, number>();
          added.forEach((key, row) => {
            expect(index.add(key, row)).toBe(map.get(key) ?? row);
            if (!map.has(key)) map.set(key, row);
          });
          const keys = [...probes, ...added.slice(0, 500)];
          const rows = new Int32Array(keys.length);
          index.getMany(keys, rows);
          const expected = keys.map((k) => (k === null ? -1 : (map.get(k) ?? -1)));
          expect([...rows]).toEqual(expected);
          expect(keys.map((k) => index.get(k))).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('two keys with the same hash are told apart', () => {
    // E558385 and E1501100 share all 32 bits of the table's hash (found by search).
    const index = new KeyIndex();
    index.add('E558385', 0);
    index.add('E1501100', 1);
    const rows = new Int32Array(3);
    index.getMany(['E1501100', 'E558385', 'E9'], rows);
    expect([...rows]).toEqual([1, 0, -1]);
    expect([index.get('E1501100'), index.add('E1501100', 5)]).toEqual([1, 1]);
  });

  test('a batch can be a slice of the keys', () => {
    const index = new KeyIndex();
    ['a', 'b', 'c'].forEach((k, row) => index.add(k, row));
    const rows = new Int32Array(4).fill(9);
    index.getMany(['c', 'x', 'a', 'b'], rows, 1, 3);
    expect([...rows]).toEqual([9, -1, 0, 9]);
  });
});
