// The join index: the same answers as a Map, one key at a time or in batches, for keys that are stretches of
// one text, across collisions and after moving its state to a new index.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { TextColumn } from '../../../src/collectors/access-review/account-table.ts';
import { KeyIndex, sameText } from '../../../src/collectors/access-review/key-index.ts';

/** The first row of each key, as a Map built in row order would have it. */
function firstRows(keys: readonly (string | null)[]): Map<string, number> {
  const map = new Map<string, number>();
  keys.forEach((key, row) => {
    if (key !== null && !map.has(key)) map.set(key, row);
  });
  return map;
}

describe('KeyIndex', () => {
  test('the first row of a key keeps it; rows without a key are left out', () => {
    const index = KeyIndex.of(['E001', 'E002', null, 'E001']);
    expect([index.get('E001'), index.get('E002'), index.get('E003'), index.get(''), index.get(null)]).toEqual(
      [0, 1, -1, -1, -1],
    );
  });

  test('agrees with a Map, key by key and in batches, however many keys', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.string({ maxLength: 6 }), { nil: null }), { maxLength: 3000 }),
        fc.array(fc.option(fc.string({ maxLength: 6 }), { nil: null }), { maxLength: 1500 }),
        (added, probes) => {
          const index = KeyIndex.of(added);
          const map = firstRows(added);
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

  test('keys kept as bytes get the rows the same keys as strings get', () => {
    // ASCII keys are read from their bytes; the rest (past ASCII, empty, missing) as strings.
    const key = fc.option(
      fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }), fc.constant('')),
      { nil: null },
    );
    fc.assert(
      fc.property(fc.array(key, { maxLength: 2000 }), fc.array(key, { maxLength: 1500 }), (added, probes) => {
        const index = KeyIndex.of(added);
        const keys = [...probes, ...added.slice(0, 500)];
        const column = new TextColumn();
        for (const k of keys) column.push(k);
        const asBytes = new Int32Array(keys.length).fill(9);
        index.getManyBytes(column, asBytes);
        const asStrings = new Int32Array(keys.length);
        index.getMany(keys, asStrings);
        expect([...asBytes]).toEqual([...asStrings]);
      }),
      { numRuns: 60 },
    );
    // Two keys that share the hash, as bytes too.
    const index = KeyIndex.of(['E558385', 'E1501100']);
    const column = new TextColumn();
    for (const k of ['E1501100', 'E558385', 'E9']) column.push(k);
    const rows = new Int32Array(3);
    index.getManyBytes(column, rows);
    expect([...rows]).toEqual([1, 0, -1]);
  });

  test('tells each repeat, in row order, with the row that has the key', () => {
    const text = 'E1E2E1E3E2';
    const ranges = { starts: Int32Array.from([0, 2, 4, 6, 8]), lengths: Int32Array.from([2, 2, 2, 2, 2]) };
    const repeats: [number, number][] = [];
    new KeyIndex(text, ranges).addRows([0, 1, 2, 3, 4], (row, earlier) => repeats.push([row, earlier]));
    expect(repeats).toEqual([
      [2, 0],
      [4, 1],
    ]);
  });

  test('two keys with the same hash are told apart', () => {
    // E558385 and E1501100 share all 32 bits of the table's hash (found by search).
    const index = KeyIndex.of(['E558385', 'E1501100']);
    const rows = new Int32Array(3);
    index.getMany(['E1501100', 'E558385', 'E9'], rows);
    expect([...rows]).toEqual([1, 0, -1]);
    expect(index.get('E1501100')).toBe(1);
    const repeats: number[] = [];
    new KeyIndex('E558385E1501100E1501100', {
      starts: Int32Array.from([0, 7, 15]),
      lengths: Int32Array.from([7, 8, 8]),
    }).addRows([0, 1, 2], (row, earlier) => repeats.push(row, earlier));
    expect(repeats).toEqual([2, 1]);
  });

  test('an index rebuilt from its state answers the same', () => {
    const keys = ['a', 'b', 'c', 'a'];
    const built = KeyIndex.of(keys);
    const ranges = { starts: Int32Array.from([0, 1, 2, 3]), lengths: Int32Array.from([1, 1, 1, 1]) };
    const moved = new KeyIndex('abca', ranges, built.state());
    expect(['a', 'b', 'c', 'd'].map((k) => moved.get(k))).toEqual([0, 1, 2, -1]);
  });

  test('a batch can be a slice of the keys', () => {
    const index = KeyIndex.of(['a', 'b', 'c']);
    const rows = new Int32Array(4).fill(9);
    index.getMany(['c', 'x', 'a', 'b'], rows, 1, 3);
    expect([...rows]).toEqual([9, -1, 0, 9]);
  });
});

describe('sameText', () => {
  test('is String#startsWith at a position, for any text, word and place, past the end included', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ maxLength: 4 }), fc.nat(40), (text, word, at) => {
        const s = Math.min(at, text.length + 2);
        expect(sameText(text + word + text, s, word)).toBe((text + word + text).startsWith(word, s));
        expect(sameText(text, s, word)).toBe(text.startsWith(word, s));
      }),
    );
  });
});
