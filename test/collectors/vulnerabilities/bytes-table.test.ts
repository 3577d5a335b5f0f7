// The byte-keyed hash table that purls and package versions are looked up in: it must find exactly what a map
// keyed by the same text finds, wherever in an array the bytes lie, however they are aligned.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BytesTable, hashBytes, hashTwo } from '../../../src/collectors/vulnerabilities/bytes-table.ts';

const encode = (text: string) => new TextEncoder().encode(text);
const word = fc.string({ unit: fc.constantFrom('a', 'b', '@', 'é'), maxLength: 11 });

/** The text placed `offset` bytes into a larger array, between other bytes. */
function placed(text: string, offset: number): { b: Uint8Array; start: number; end: number } {
  const bytes = encode(text);
  const b = new Uint8Array(offset + bytes.length + 7).fill(0x2a);
  b.set(bytes, offset);
  return { b, start: offset, end: offset + bytes.length };
}

describe('BytesTable', () => {
  test('a key hashes the same at any offset, so at any alignment of its words', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.nat(9), fc.nat(9), (text, x, y) => {
        const a = placed(text, x);
        const b = placed(text, y);
        expect(hashBytes(a.b, a.start, a.end)).toBe(hashBytes(b.b, b.start, b.end));
      }),
    );
  });

  test('keys that differ in one byte, or only in length, hash apart', () => {
    const seen = new Set<number>();
    const base = 'pkg:maven/org.example12/artifact-1234@3.1.0?type=jar';
    for (let i = 0; i < base.length; i++) {
      const { b, start, end } = placed(`${base.slice(0, i)}#${base.slice(i + 1)}`, i % 4);
      seen.add(hashBytes(b, start, end));
    }
    for (let n = 0; n <= 8; n++) seen.add(hashBytes(new Uint8Array(8), 0, n));
    expect(seen.size).toBe(base.length + 9);
  });

  test.each([
    ['their own hashes', (h: number) => h],
    // Every key in one of four hashes: then the keys themselves, byte by byte, tell the held ones apart.
    ['hashes that collide', (h: number) => h & 3],
  ])(
    'finds what a map keyed by the same text finds, one-part keys and two-part keys alike, with %s',
    (_, hashOf) => {
      fc.assert(
        fc.property(
          // Few letters, so that many keys differ in a byte or two, in a word or in the bytes after the last.
          fc.array(fc.tuple(word, fc.option(word), fc.nat(5)), { minLength: 200, maxLength: 300 }),
          (keys) => {
            // A scan keeps one-part keys (purls) and two-part keys (names and versions) in tables of their own.
            const tables = [new BytesTable<number>(), new BytesTable<number>()];
            const map = new Map<string, number>();
            for (const [first, second, offset] of keys) {
              const table = tables[second === null ? 0 : 1]!;
              const text = second === null ? first : `${first}\u0000${second}`;
              const key = second === null ? `1 ${first}` : `2 ${first} ${second}`;
              const { b, start, end } = placed(text, offset);
              const cut = start + encode(first).length;
              const h = hashOf(
                second === null ? hashBytes(b, start, end) : hashTwo(b, start, cut, cut + 1, end),
              );
              const found =
                second === null ? table.get(b, h, start, end) : table.get(b, h, start, cut, cut + 1, end);
              expect(found).toBe(map.get(key));
              if (found === undefined) {
                if (second === null) table.set(b, h, map.size, start, end);
                else table.set(b, h, map.size, start, cut, cut + 1, end);
                map.set(key, map.size);
              }
            }
            expect(tables[0]!.size + tables[1]!.size).toBe(map.size);
          },
        ),
      );
    },
  );
});
