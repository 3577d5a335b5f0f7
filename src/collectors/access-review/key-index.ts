// A lookup from a key (a normalised employee number or e-mail) to a row number, for the joins of a million
// accounts and two million training rows against HR. A Map of that size costs several cache misses a lookup,
// one after the other; this table keeps each entry's hash and row side by side in one typed array, and looks
// keys up in batches, so the misses of a batch overlap instead of queueing. Pure.

/** FNV-1a over the UTF-16 code units, then mixed so that the top bits (which pick the slot) spread well. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const EMPTY = -1;
const BATCH = 512;

/** The part of a KeyIndex that can move to another thread: the keys themselves are the caller's. */
export interface KeyIndexState {
  table: Int32Array;
  bits: number;
  count: number;
}

export class KeyIndex {
  /** Pairs of (hash, row); row EMPTY marks a free slot. Linear probing. */
  private table: Int32Array;
  private bits: number;
  /** The key of each row added, to tell two keys with the same hash apart. */
  private readonly keys: string[] = [];
  private count = 0;
  // Scratch space for batched lookups.
  private readonly hashes = new Int32Array(BATCH);
  private readonly slots = new Int32Array(BATCH);
  private readonly found = new Int32Array(BATCH);
  private readonly candidates = new Array<string>(BATCH).fill('');
  /** Kept so that the pass that reads the candidates' lengths is not optimised away. */
  private touched = 0;

  constructor(expected = 1024) {
    this.bits = Math.max(4, Math.ceil(Math.log2(expected * 2)));
    this.table = new Int32Array(2 << this.bits).fill(EMPTY);
  }

  get size(): number {
    return this.count;
  }

  state(): KeyIndexState {
    return { table: this.table, bits: this.bits, count: this.count };
  }

  /** An index rebuilt from its state, with the key of each row (the same keys it was built with). */
  static restore(state: KeyIndexState, keys: readonly (string | null)[]): KeyIndex {
    const index = new KeyIndex(1);
    index.table = state.table;
    index.bits = state.bits;
    index.count = state.count;
    for (let row = 0; row < keys.length; row++) index.keys[row] = keys[row] ?? '';
    return index;
  }

  /** Adds `key` for `row` unless the key is there already; returns the row that holds it then. */
  add(key: string, row: number): number {
    if ((this.count + 1) * 2 > 1 << this.bits) this.grow();
    return this.insert(key, hashOf(key), row);
  }

  private insert(key: string, h: number, row: number): number {
    const table = this.table;
    const mask = (1 << this.bits) - 1;
    for (let j = h >>> (32 - this.bits); ; j = (j + 1) & mask) {
      const at = table[2 * j + 1]!;
      if (at === EMPTY) {
        table[2 * j] = h;
        table[2 * j + 1] = row;
        this.keys[row] = key;
        this.count++;
        return row;
      }
      if (table[2 * j] === h && this.keys[at] === key) return at;
    }
  }

  /**
   * `add(keys[row], row)` for each of `rows` in turn, a batch at a time: the slots of a batch are read once
   * before any is written, so their cache misses overlap.
   */
  addMany(keys: readonly (string | null)[], rows: readonly number[]): void {
    while ((this.count + rows.length) * 2 > 1 << this.bits) this.grow();
    const { hashes, slots } = this;
    for (let start = 0; start < rows.length; start += BATCH) {
      const n = Math.min(BATCH, rows.length - start);
      const shift = 32 - this.bits;
      for (let i = 0; i < n; i++) {
        const h = hashOf(keys[rows[start + i]!]!);
        hashes[i] = h;
        slots[i] = h >>> shift;
      }
      let touched = 0;
      for (let i = 0; i < n; i++) touched += this.table[2 * slots[i]! + 1]!;
      this.touched = touched;
      for (let i = 0; i < n; i++) {
        const row = rows[start + i]!;
        this.insert(keys[row]!, hashes[i]!, row);
      }
    }
  }

  /** The row of `key`, or -1. */
  get(key: string | null): number {
    if (key === null) return EMPTY;
    const h = hashOf(key);
    const table = this.table;
    const mask = (1 << this.bits) - 1;
    for (let j = h >>> (32 - this.bits); ; j = (j + 1) & mask) {
      const at = table[2 * j + 1]!;
      if (at === EMPTY) return EMPTY;
      if (table[2 * j] === h && this.keys[at] === key) return at;
    }
  }

  /**
   * Looks up `keys[from..to)` (null matches nothing) and writes each row, or -1, to `rows` at the same
   * index. The same answers as `get`, in three passes a batch: hashes, then slots, then keys compared.
   */
  getMany(keys: readonly (string | null)[], rows: Int32Array, from = 0, to = keys.length): void {
    const { hashes, slots, found } = this;
    const table = this.table;
    const bits = this.bits;
    const mask = (1 << bits) - 1;
    for (let start = from; start < to; start += BATCH) {
      const n = Math.min(BATCH, to - start);
      for (let i = 0; i < n; i++) {
        const key = keys[start + i];
        const h = key === null || key === undefined ? 0 : hashOf(key);
        hashes[i] = h;
        slots[i] = h >>> (32 - bits);
      }
      // The first slot with this hash, or an empty one: for most keys, the only slot visited.
      for (let i = 0; i < n; i++) {
        const h = hashes[i]!;
        let j = slots[i]!;
        for (;;) {
          const at = table[2 * j + 1]!;
          if (at === EMPTY || table[2 * j] === h) {
            found[i] = at;
            slots[i] = j;
            break;
          }
          j = (j + 1) & mask;
        }
      }
      // The keys of the slots found, then their lengths, then the comparisons: each pass's memory reads are
      // independent of one another, so the processor overlaps them.
      const candidates = this.candidates;
      for (let i = 0; i < n; i++) {
        const at = found[i]!;
        candidates[i] = at === EMPTY ? '' : this.keys[at]!;
      }
      let touched = 0;
      for (let i = 0; i < n; i++) touched += candidates[i]!.length;
      this.touched = touched;
      for (let i = 0; i < n; i++) {
        const key = keys[start + i];
        let at = found[i]!;
        if (key === null || key === undefined) at = EMPTY;
        else if (at !== EMPTY && candidates[i] !== key) {
          // Another key with the same hash: probe on, one at a time (rare).
          const h = hashes[i]!;
          at = EMPTY;
          for (let j = (slots[i]! + 1) & mask; ; j = (j + 1) & mask) {
            const next = table[2 * j + 1]!;
            if (next === EMPTY) break;
            if (table[2 * j] === h && this.keys[next] === key) {
              at = next;
              break;
            }
          }
        }
        rows[start + i] = at;
      }
    }
  }

  private grow(): void {
    const old = this.table;
    this.bits++;
    this.table = new Int32Array(2 << this.bits).fill(EMPTY);
    const mask = (1 << this.bits) - 1;
    for (let k = 0; k < old.length; k += 2) {
      const row = old[k + 1]!;
      if (row === EMPTY) continue;
      const h = old[k]!;
      let j = h >>> (32 - this.bits);
      while (this.table[2 * j + 1] !== EMPTY) j = (j + 1) & mask;
      this.table[2 * j] = h;
      this.table[2 * j + 1] = row;
    }
  }
}
