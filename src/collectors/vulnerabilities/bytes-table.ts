// A hash table keyed by byte strings: a purl, or a package name and version, as an inventory's bytes hold
// them. A fleet meets the same few hundred thousand keys two million times; looking them up by their bytes
// spares making a string of each only to find the one already held.

/** A view of the last array read four bytes at a time: one per file, not one per key. */
let viewed: Uint8Array | undefined;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

function viewOf(b: Uint8Array): DataView {
  if (b !== viewed) {
    view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    viewed = b;
  }
  return view;
}

/**
 * The hash of bytes [start, end), continuing from `h` (a second run's hash continues from the first's). The
 * bytes are taken four at a time, each word scrambled by multiplying and rotating before it is mixed in (the
 * scheme of MurmurHash3), so that every byte reaches the low bits the table's slots are chosen by; then the
 * last few bytes, then a final avalanche.
 */
export function hashBytes(b: Uint8Array, start: number, end: number, h = 0x811c9dc5): number {
  const v = viewOf(b);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    let k = Math.imul(v.getInt32(i, true), 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let shift = 0; i < end; i++, shift += 8) k |= b[i]! << shift;
  k = Math.imul(k, 0xcc9e2d51);
  h ^= Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  h ^= end - start;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The byte between the two runs of a two-part key. */
const SEPARATOR = 0;

/** The hash of bytes [start, end), a zero byte, and bytes [start2, end2): a two-part key. */
export function hashTwo(b: Uint8Array, start: number, end: number, start2: number, end2: number): number {
  return hashBytes(b, start2, end2, hashBytes(b, start, end) ^ (SEPARATOR + 1));
}

/**
 * Open addressing: each slot holds a key's hash and its entry, so that a probe reads one place in memory; each
 * entry is where its bytes lie in one shared array. Entries are numbered from 1, 0 marking an empty slot.
 */
export class BytesTable<V> {
  private slots = new Int32Array(2 << 12);
  private mask = (1 << 12) - 1;
  /** Each entry's start and length in `bytes`. */
  private places = new Int32Array(2 << 11);
  private bytes = new Uint8Array(1 << 16);
  private bytesView: DataView<ArrayBufferLike> = new DataView(this.bytes.buffer);
  private used = 0;
  private readonly values: V[] = [];

  get size(): number {
    return this.values.length;
  }

  /** The value held for bytes [start, end), optionally followed by a zero byte and [start2, end2). */
  get(b: Uint8Array, h: number, start: number, end: number, start2 = 0, end2 = -1): V | undefined {
    const slots = this.slots;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const e = slots[slot * 2 + 1]!;
      if (e === 0) return undefined;
      if (slots[slot * 2] === h && this.same(e - 1, b, start, end, start2, end2)) return this.values[e - 1];
    }
  }

  /** Holds a value for a key that get() did not find. */
  set(b: Uint8Array, h: number, value: V, start: number, end: number, start2 = 0, end2 = -1): void {
    const e = this.values.length;
    if (e * 2 === this.places.length) {
      const bigger = new Int32Array(this.places.length * 2);
      bigger.set(this.places);
      this.places = bigger;
    }
    const length = end - start + (end2 < 0 ? 0 : 1 + end2 - start2);
    while (this.used + length > this.bytes.length) {
      const bigger = new Uint8Array(this.bytes.length * 2);
      bigger.set(this.bytes.subarray(0, this.used));
      this.bytes = bigger;
      this.bytesView = new DataView(bigger.buffer);
    }
    this.bytes.set(b.subarray(start, end), this.used);
    if (end2 >= 0) {
      this.bytes[this.used + end - start] = SEPARATOR;
      this.bytes.set(b.subarray(start2, end2), this.used + end - start + 1);
    }
    this.places[e * 2] = this.used;
    this.places[e * 2 + 1] = length;
    this.used += length;
    this.values.push(value);
    if (this.values.length * 2 > this.mask + 1) this.grow();
    this.place(h, e + 1);
  }

  private same(e: number, b: Uint8Array, start: number, end: number, start2: number, end2: number): boolean {
    const length = this.places[e * 2 + 1]!;
    if (length !== end - start + (end2 < 0 ? 0 : 1 + end2 - start2)) return false;
    const at = this.places[e * 2]!;
    if (!this.sameRun(at, b, start, end)) return false;
    if (end2 < 0) return true;
    const sep = at + end - start;
    return this.bytes[sep] === SEPARATOR && this.sameRun(sep + 1, b, start2, end2);
  }

  /** Whether the held bytes from `at` are bytes [start, end) of `b`: four at a time, then one at a time. */
  private sameRun(at: number, b: Uint8Array, start: number, end: number): boolean {
    const held = this.bytesView;
    const v = viewOf(b);
    let i = start;
    for (; i + 4 <= end; i += 4, at += 4) if (held.getInt32(at, true) !== v.getInt32(i, true)) return false;
    for (; i < end; i++, at++) if (this.bytes[at] !== b[i]) return false;
    return true;
  }

  private place(h: number, entry: number): void {
    let slot = h & this.mask;
    while (this.slots[slot * 2 + 1] !== 0) slot = (slot + 1) & this.mask;
    this.slots[slot * 2] = h;
    this.slots[slot * 2 + 1] = entry;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    for (let slot = 0; slot < old.length; slot += 2)
      if (old[slot + 1] !== 0) this.place(old[slot]!, old[slot + 1]!);
  }
}
