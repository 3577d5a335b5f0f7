// A lookup from a key (a normalised employee number or e-mail) to a row, for the joins of a million accounts
// and two million training rows against HR. The keys are not strings of their own but stretches of one
// text, the HR table's, so a million of them cost the garbage collector nothing; a Map of that size would
// also cost several cache misses a lookup, one after the other, where this table keeps each entry's hash and
// row side by side and looks keys up in batches, so that the misses of a batch overlap. Pure.

/** Mixes an FNV-1a hash so that its top bits (which pick the slot) spread well. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** FNV-1a over the UTF-16 code units, mixed. */
function hashOf(text: string, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return mix(h);
}

/** `hashOf` for ASCII text given as its bytes `buf[s..s + n)`: each byte is its character's code. */
function hashOfBytes(buf: Buffer, s: number, n: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < s + n; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return mix(h);
}

function isAsciiAt(buf: Buffer, s: number, n: number): boolean {
  for (let i = s; i < s + n; i++) if (buf[i]! > 0x7f) return false;
  return true;
}

/** Whether the ASCII bytes `buf[s..s + n)` are the characters at `text[at..)`. */
function sameBytesAsText(text: string, at: number, buf: Buffer, s: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (text.charCodeAt(at + k) !== buf[s + k]) return false;
  return true;
}

/**
 * Whether `word` stands at `text[s..)`, the whole of it within `text`. A slice compared with ===, which V8
 * does natively, rather than String#startsWith, which profiled at about three times the cost for the
 * 20 to 40 characters of a course name (and no less for short words).
 */
export function sameText(text: string, s: number, word: string): boolean {
  return text.slice(s, s + word.length) === word;
}

const EMPTY = -1;
const BATCH = 512;

/** The part of a KeyIndex that can move to another thread; the text and the key ranges travel with the table. */
export interface KeyIndexState {
  table: Int32Array;
  bits: number;
}

/** Where each row's key stands in the text: `lengths[row]` is -1 for a row without one. */
export interface KeyRanges {
  starts: Int32Array;
  lengths: Int32Array;
}

/** Separate strings, each its row's key (null for none), as one text and the range of each row's key in it. */
export function packKeys(keys: readonly (string | null)[]): { text: string; ranges: KeyRanges } {
  const starts = new Int32Array(keys.length);
  const lengths = new Int32Array(keys.length);
  let at = 0;
  keys.forEach((key, row) => {
    starts[row] = at;
    lengths[row] = key === null ? -1 : key.length;
    at += key?.length ?? 0;
  });
  return { text: keys.map((k) => k ?? '').join(''), ranges: { starts, lengths } };
}

/**
 * Keys kept as UTF-8 bytes, as a TextColumn keeps them: for key `i`, the buffer holding its bytes, where they
 * start and how many there are; a key with no bytes there (missing, empty, or kept as text) is `at(i)`.
 */
export interface ByteKeys {
  readonly length: number;
  bufferOf(i: number): Buffer | null;
  startOf(i: number): number;
  byteLengthOf(i: number): number;
  at(i: number): string | null;
}

export class KeyIndex {
  /** Pairs of (hash, row); row EMPTY marks a free slot. Linear probing. */
  private table: Int32Array;
  private bits: number;
  // Scratch space for batches.
  private readonly hashes = new Int32Array(BATCH);
  private readonly slots = new Int32Array(BATCH);
  private readonly found = new Int32Array(BATCH);
  private readonly keyStarts = new Int32Array(BATCH);
  private readonly keyLengths = new Int32Array(BATCH);
  /** Kept so that the passes that only read memory (to have it cached for the next) are not optimised away. */
  private touched = 0;

  /** An empty index over the keys `ranges` marks in `text`, or one moved from another thread. */
  constructor(
    private readonly text: string,
    private readonly ranges: KeyRanges,
    state?: KeyIndexState,
  ) {
    if (state) {
      this.table = state.table;
      this.bits = state.bits;
    } else {
      let keys = 0;
      for (const length of ranges.lengths) if (length !== -1) keys++;
      this.bits = Math.max(4, Math.ceil(Math.log2(keys * 2 + 1)));
      // Shared memory: the HR index is built in a worker thread that goes on using it for training, and the
      // thread it is posted to reads the same table rather than a copy (neither writes to it once built).
      this.table = new Int32Array(new SharedArrayBuffer(4 * (2 << this.bits))).fill(EMPTY);
    }
  }

  /** An index of separate strings, each its row's key (null for none); the first row of a key keeps it. */
  static of(keys: readonly (string | null)[]): KeyIndex {
    const { text, ranges } = packKeys(keys);
    const index = new KeyIndex(text, ranges);
    index.addRows(Array.from(keys.keys()));
    return index;
  }

  state(): KeyIndexState {
    return { table: this.table, bits: this.bits };
  }

  private sameKey(a: number, b: number): boolean {
    const { starts, lengths } = this.ranges;
    const n = lengths[a]!;
    if (lengths[b] !== n) return false;
    const text = this.text;
    const sa = starts[a]!;
    const sb = starts[b]!;
    for (let k = 0; k < n; k++) if (text.charCodeAt(sa + k) !== text.charCodeAt(sb + k)) return false;
    return true;
  }

  /**
   * Adds the keys of `rows`, in that order, skipping rows without one. The first row of a key keeps it; for
   * a later one, `onRepeat(row, earlier)` is called and nothing is added. A batch's slots are read before any
   * is written, so their cache misses overlap.
   */
  addRows(rows: ArrayLike<number>, onRepeat?: (row: number, earlier: number) => void): void {
    const { starts, lengths } = this.ranges;
    const { hashes, slots } = this;
    const table = this.table;
    const shift = 32 - this.bits;
    const mask = (1 << this.bits) - 1;
    for (let start = 0; start < rows.length; start += BATCH) {
      const n = Math.min(BATCH, rows.length - start);
      for (let i = 0; i < n; i++) {
        const row = rows[start + i]!;
        const s = starts[row]!;
        const h = lengths[row] === -1 ? 0 : hashOf(this.text, s, s + lengths[row]!);
        hashes[i] = h;
        slots[i] = h >>> shift;
      }
      let touched = 0;
      for (let i = 0; i < n; i++) touched += table[2 * slots[i]! + 1]!;
      this.touched = touched;
      for (let i = 0; i < n; i++) {
        const row = rows[start + i]!;
        if (lengths[row] === -1) continue;
        const h = hashes[i]!;
        for (let j = slots[i]!; ; j = (j + 1) & mask) {
          const at = table[2 * j + 1]!;
          if (at === EMPTY) {
            table[2 * j] = h;
            table[2 * j + 1] = row;
            break;
          }
          if (table[2 * j] === h && this.sameKey(at, row)) {
            onRepeat?.(row, at);
            break;
          }
        }
      }
    }
  }

  /** The row of `key`, or -1. */
  get(key: string | null): number {
    const rows = new Int32Array(1);
    this.getMany([key], rows);
    return rows[0]!;
  }

  /**
   * Looks up `keys[from..to)` (null matches nothing) and writes each row, or -1, to `rows` at the same index.
   * In passes over a batch, each of whose memory reads are independent of one another, so that the processor
   * overlaps them: hashes, then slots, then where the candidate keys stand, then the comparisons.
   */
  getMany(keys: readonly (string | null)[], rows: Int32Array, from = 0, to = keys.length): void {
    const { hashes, slots, found, keyStarts, keyLengths } = this;
    const { starts, lengths } = this.ranges;
    const text = this.text;
    const table = this.table;
    const shift = 32 - this.bits;
    const mask = (1 << this.bits) - 1;
    for (let start = from; start < to; start += BATCH) {
      const n = Math.min(BATCH, to - start);
      for (let i = 0; i < n; i++) {
        const key = keys[start + i];
        const h = key === null || key === undefined ? 0 : hashOf(key, 0, key.length);
        hashes[i] = h;
        slots[i] = h >>> shift;
      }
      this.findCandidates(n);
      for (let i = 0; i < n; i++) {
        const key = keys[start + i];
        let at = found[i]!;
        if (key === null || key === undefined) at = EMPTY;
        else if (at !== EMPTY && !(keyLengths[i] === key.length && sameText(text, keyStarts[i]!, key))) {
          // Another key with the same hash: probe on, one at a time (rare).
          const h = hashes[i]!;
          at = EMPTY;
          for (let j = (slots[i]! + 1) & mask; ; j = (j + 1) & mask) {
            const next = table[2 * j + 1]!;
            if (next === EMPTY) break;
            if (table[2 * j] === h && lengths[next] === key.length && sameText(text, starts[next]!, key)) {
              at = next;
              break;
            }
          }
        }
        rows[start + i] = at;
      }
    }
  }

  /**
   * The middle passes of a batched lookup, once `hashes` and `slots` hold the first `n` keys' hashes and home
   * slots: the first slot of each with its hash (or an empty one; for most keys the only slot visited), then
   * where the candidate key stands, read once so that the comparisons after find it in the cache. Keys marked
   * in `skip` are passed over.
   */
  private findCandidates(n: number, skip?: Uint8Array): void {
    const { hashes, slots, found, keyStarts, keyLengths, table } = this;
    const { starts, lengths } = this.ranges;
    const mask = (1 << this.bits) - 1;
    for (let i = 0; i < n; i++) {
      if (skip !== undefined && skip[i] === 1) continue;
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
    for (let i = 0; i < n; i++) {
      const at = skip !== undefined && skip[i] === 1 ? EMPTY : found[i]!;
      keyStarts[i] = at === EMPTY ? 0 : starts[at]!;
      keyLengths[i] = at === EMPTY ? -1 : lengths[at]!;
    }
    let touched = 0;
    for (let i = 0; i < n; i++) touched ^= this.text.charCodeAt(keyStarts[i]!) | 0;
    this.touched = touched;
  }

  /**
   * `getMany` for keys kept as bytes: an ASCII key (most are) is hashed and compared where its bytes
   * stand, so that a million lookups make no strings; any other is made a string and looked up as `getMany`
   * would.
   */
  getManyBytes(keys: ByteKeys, rows: Int32Array): void {
    const strings = new Array<string | null>(BATCH).fill(null);
    const asText = new Uint8Array(BATCH);
    const probe = new Int32Array(1);
    for (let start = 0; start < keys.length; start += BATCH) {
      const n = Math.min(BATCH, keys.length - start);
      let texts = 0;
      for (let i = 0; i < n; i++) {
        const key = start + i;
        const buf = keys.byteLengthOf(key) > 0 ? keys.bufferOf(key) : null;
        asText[i] = buf === null || !isAsciiAt(buf, keys.startOf(key), keys.byteLengthOf(key)) ? 1 : 0;
        texts += asText[i]!;
      }
      this.lookUpBytes(keys, start, n, asText, rows);
      if (texts === 0) continue;
      for (let i = 0; i < n; i++) {
        if (asText[i] === 0) continue;
        strings[0] = keys.at(start + i);
        this.getMany(strings, probe, 0, 1);
        rows[start + i] = probe[0]!;
      }
    }
  }

  /** Looks up the ASCII keys `keys[start..start + n)` not marked in `skip`, in the passes of `getMany`. */
  private lookUpBytes(keys: ByteKeys, start: number, n: number, skip: Uint8Array, rows: Int32Array): void {
    const { hashes, slots, found, keyStarts, keyLengths } = this;
    const { starts, lengths } = this.ranges;
    const text = this.text;
    const table = this.table;
    const shift = 32 - this.bits;
    const mask = (1 << this.bits) - 1;
    for (let i = 0; i < n; i++) {
      if (skip[i] === 1) continue;
      const key = start + i;
      const h = hashOfBytes(keys.bufferOf(key)!, keys.startOf(key), keys.byteLengthOf(key));
      hashes[i] = h;
      slots[i] = h >>> shift;
    }
    this.findCandidates(n, skip);
    for (let i = 0; i < n; i++) {
      if (skip[i] === 1) continue;
      const key = start + i;
      const buf = keys.bufferOf(key)!;
      const s = keys.startOf(key);
      const length = keys.byteLengthOf(key);
      let at = found[i]!;
      if (
        at !== EMPTY &&
        !(keyLengths[i] === length && sameBytesAsText(text, keyStarts[i]!, buf, s, length))
      ) {
        // Another key with the same hash: probe on, one at a time (rare).
        const h = hashes[i]!;
        at = EMPTY;
        for (let j = (slots[i]! + 1) & mask; ; j = (j + 1) & mask) {
          const next = table[2 * j + 1]!;
          if (next === EMPTY) break;
          if (
            table[2 * j] === h &&
            lengths[next] === length &&
            sameBytesAsText(text, starts[next]!, buf, s, length)
          ) {
            at = next;
            break;
          }
        }
      }
      rows[key] = at;
    }
  }
}
