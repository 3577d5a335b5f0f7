// An incremental reader for the one JSON shape every identity-provider export shares: a long array of
// objects, either the whole document or under a key (Graph `value`, Google `users`, SCIM `Resources`).
// It finds each object's bytes with a small scanner, so memory stays flat however many records there are,
// and every error names a line. A record is handed over parsed by JSON.parse; or, once the reader has said
// which fields it wants (`RecordFields`), read straight from the bytes: only those values are decoded, into
// slots, and the rest is checked and skipped, so a million records build no tree of objects and strings
// nobody reads.
import { InputError } from './input-file.ts';

/** The keys under which the exports keep their records. */
export const RECORD_ARRAY_KEYS = ['value', 'users', 'Resources', 'factors', 'data'] as const;

export interface JsonRecordsInfo {
  /** The key of the records array, or null when the document is the array itself. */
  container: string | null;
  records: number;
}

/** What the reader wants of each record, and where to put each value: see `readJsonRecords`. */
export interface FieldListener {
  fields: RecordFields;
  /** Called with each record's values; the object is reused for the next record, so copy out what you keep. */
  onFields(values: RecordValues, line: number): void;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const NEWLINE = 0x0a;
const BOM = [0xef, 0xbb, 0xbf];

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Calls `onRecord` with each object of the records array, in order, with the line it starts on. `onRecord`
 * may throw an InputError to stop the read, or call `listen`: the records after that one go to the listener
 * as the values of its fields instead.
 */
export async function readJsonRecords(
  chunks: AsyncIterable<Buffer>,
  file: string,
  onRecord: (
    value: Record<string, unknown>,
    line: number,
    container: string | null,
    listen: (listener: FieldListener) => void,
  ) => void,
): Promise<JsonRecordsInfo> {
  let line = 1;
  let depth = 0;
  let inString = false;
  let started = false;
  let rootIsObject = false;
  /** The depth inside the records array; 0 until it is found. */
  let arrayDepth = 0;
  let arrayOpen = false;
  let arrayDone = false;
  let container: string | null = null;
  // The last key read at the top level of a root object, so we know which array we are entering.
  let keyParts: Buffer[] | null = null;
  let keyStart = -1;
  let lastKey = '';
  // The object being captured, possibly across chunks.
  let capturing = false;
  let captureStart = 0;
  let captureLine = 0;
  let captureParts: Buffer[] = [];
  let records = 0;
  let bomLeft = 3;
  let pendingEscape = false;
  // Set once the reader says which fields it wants (the cast keeps TypeScript from narrowing it to null).
  let fast = null as { listener: FieldListener; extractor: FieldExtractor } | null;
  const listen = (listener: FieldListener) => {
    fast = { listener, extractor: new FieldExtractor(listener.fields) };
  };

  const emit = (bytes: Buffer) => {
    if (fast !== null) {
      if (fast.extractor.read(bytes, 0, bytes.length, file, captureLine) === -1)
        throw new InputError(file, captureLine, 'this record is not valid JSON: it ends too soon');
      records++;
      fast.listener.onFields(fast.extractor.values, captureLine);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw new InputError(file, captureLine, `this record is not valid JSON: ${(e as Error).message}`);
    }
    records++;
    onRecord(value as Record<string, unknown>, captureLine, container, listen);
  };

  for await (let chunk of chunks) {
    // A UTF-8 byte-order mark, as Windows tools write, is not part of the JSON (and may be split by chunks).
    while (bomLeft > 0 && chunk.length > 0) {
      if (chunk[0] !== BOM[3 - bomLeft]) {
        bomLeft = 0;
        break;
      }
      chunk = chunk.subarray(1);
      bomLeft--;
    }
    const n = chunk.length;
    let i = 0;
    if (capturing) captureStart = 0;
    if (keyParts !== null) keyStart = 0;
    // The chunk before ended inside a string on an odd run of backslashes: this first byte is escaped.
    if (inString && pendingEscape) i = 1;
    pendingEscape = false;
    while (i < n) {
      const b = chunk[i]!;
      if (inString) {
        // Jump to the next quote natively; count the backslashes before it to see whether it is escaped.
        let q = chunk.indexOf(QUOTE, i);
        for (;;) {
          if (q === -1) break;
          let slashes = 0;
          let k = q - 1;
          while (k >= i && chunk[k] === BACKSLASH) {
            slashes++;
            k--;
          }
          if (slashes % 2 === 0) break;
          q = chunk.indexOf(QUOTE, q + 1);
        }
        if (q === -1) {
          // The string goes on into the next chunk; note whether this chunk ended in an odd run of backslashes.
          pendingEscape = trailingBackslashes(chunk, i) % 2 === 1;
          for (let k = i; k < n; k++) if (chunk[k] === NEWLINE) line++;
          break;
        }
        inString = false;
        if (keyParts !== null) {
          keyParts.push(chunk.subarray(keyStart, q));
          lastKey = Buffer.concat(keyParts).toString('utf8');
          keyParts = null;
        }
        i = q + 1;
        continue;
      }
      if (b === NEWLINE) {
        line++;
        i++;
        continue;
      }
      if (isSpace(b)) {
        i++;
        continue;
      }
      if (!started) {
        started = true;
        if (b === OPEN_ARRAY) {
          arrayDepth = 1;
          arrayOpen = true;
          depth = 1;
          i++;
          continue;
        }
        if (b === OPEN_OBJECT) {
          rootIsObject = true;
          depth = 1;
          i++;
          continue;
        }
        throw new InputError(
          file,
          line,
          `expected JSON (an array, or an object holding one), found "${String.fromCharCode(b)}": is this a CSV file?`,
        );
      }
      if (arrayOpen && depth === arrayDepth && !capturing) {
        if (b === OPEN_OBJECT) {
          if (fast !== null) {
            const stop = fast.extractor.readRun(chunk, i, n, file, line, fast.listener);
            records += fast.extractor.runRecords;
            line += fast.extractor.lines;
            if (stop !== i) {
              i = stop;
              continue;
            }
            // The record runs on into the next chunk: gather its bytes, then read them whole.
          }
          capturing = true;
          captureStart = i;
          captureLine = line;
          captureParts = [];
          depth++;
          i++;
          continue;
        }
        if (b === CLOSE_ARRAY) {
          arrayOpen = false;
          arrayDone = true;
          depth--;
          i++;
          continue;
        }
        if (b === 0x2c) {
          i++;
          continue;
        }
        throw new InputError(
          file,
          line,
          `expected an object in the list of records, found "${String.fromCharCode(b)}"`,
        );
      }
      if (b === QUOTE) {
        inString = true;
        if (rootIsObject && depth === 1 && !capturing) {
          keyParts = [];
          keyStart = i + 1;
        }
        i++;
        continue;
      }
      if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
        if (
          b === OPEN_ARRAY &&
          rootIsObject &&
          depth === 1 &&
          !arrayDone &&
          arrayDepth === 0 &&
          (RECORD_ARRAY_KEYS as readonly string[]).includes(lastKey)
        ) {
          container = lastKey;
          arrayDepth = 2;
          arrayOpen = true;
        }
        depth++;
        i++;
        continue;
      }
      if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        depth--;
        if (depth < 0) throw new InputError(file, line, `unexpected "${String.fromCharCode(b)}"`);
        if (capturing && depth === arrayDepth) {
          capturing = false;
          if (captureParts.length === 0) emit(chunk.subarray(captureStart, i + 1));
          else {
            captureParts.push(chunk.subarray(0, i + 1));
            emit(Buffer.concat(captureParts));
            captureParts = [];
          }
        }
        i++;
        continue;
      }
      i++;
    }
    // Keep the unfinished object (or key) for the next chunk. Buffers from the stream are not reused.
    if (capturing) captureParts.push(captureStart === 0 ? chunk : chunk.subarray(captureStart));
    if (keyParts !== null && inString) keyParts.push(chunk.subarray(keyStart));
  }

  if (!started) throw new InputError(file, null, 'the file holds no JSON (it is empty or only spaces)');
  if (depth !== 0 || inString)
    throw new InputError(
      file,
      line,
      `the JSON ends before ${capturing ? `the record that starts on line ${captureLine}` : 'the document'} is closed: the file looks truncated`,
    );
  if (arrayDepth === 0)
    throw new InputError(
      file,
      null,
      `found no list of records: expected a JSON array, or an object with a ${RECORD_ARRAY_KEYS.map((k) => `"${k}"`).join(', ')} array`,
    );
  return { container, records };
}

function trailingBackslashes(chunk: Buffer, from: number): number {
  let count = 0;
  for (let k = chunk.length - 1; k >= from && chunk[k] === BACKSLASH; k--) count++;
  return count;
}

/** The value of a wanted object whose own fields were read into their slots. */
export const OBJECT: unique symbol = Symbol('object');

class FieldNode {
  readonly bytes: Buffer;
  /** The name in its quotes, as it stands in a record. */
  readonly quoted: Buffer;
  /** Its whole groups of four bytes, each as a little-endian int32. */
  private readonly words: Int32Array;
  children: FieldNode[] | null = null;
  /** The slots of everything below this node, cleared when the key comes again (the last one counts). */
  readonly below: number[] = [];
  /** The child that came first last time, and the one after each child: tried before the others. */
  private first = -1;
  private after: number[] = [];

  constructor(
    readonly name: string,
    readonly slot: number,
  ) {
    this.bytes = Buffer.from(name, 'utf8');
    this.quoted = Buffer.from(JSON.stringify(name), 'utf8');
    const words = new Int32Array(this.quoted.length >> 2);
    const view = new DataView(this.quoted.buffer, this.quoted.byteOffset, this.quoted.length);
    for (let w = 0; w < words.length; w++) words[w] = view.getInt32(4 * w, true);
    this.words = words;
  }

  /** The child expected after `prev` (-1: first), from the last record; -1 when there is no guess yet. */
  guess(prev: number): number {
    return prev === -1 ? this.first : this.after[prev]!;
  }

  /** Whether this node's quoted name stands at `buf[at..)`, all of it before `end`; `view` is over `buf`. */
  quotedAt(view: DataView, buf: Buffer, at: number, end: number): boolean {
    const quoted = this.quoted;
    const n = quoted.length;
    if (at + n > end) return false;
    // Four bytes a comparison: keys are half the bytes of a Graph export, and a byte at a time was the
    // reader's largest cost.
    const words = this.words;
    let k = 0;
    for (let w = 0; w < words.length; w++, k += 4) if (view.getInt32(at + k, true) !== words[w]) return false;
    for (; k < n; k++) if (buf[at + k] !== quoted[k]) return false;
    return true;
  }

  child(name: string, slot: () => number): FieldNode {
    this.children ??= [];
    let node = this.children.find((c) => c.name === name);
    if (node === undefined) {
      node = new FieldNode(name, slot());
      this.children.push(node);
      this.after.push(-1);
    }
    return node;
  }

  /** The child whose name is the bytes `buf[s..e)`, or -1; `prev` is the child matched before, or -1. */
  match(buf: Buffer, s: number, e: number, prev: number): number {
    const children = this.children!;
    const guess = prev === -1 ? this.first : this.after[prev]!;
    if (guess !== -1 && children[guess]!.is(buf, s, e)) return guess;
    for (let c = 0; c < children.length; c++)
      if (c !== guess && children[c]!.is(buf, s, e)) {
        if (prev === -1) this.first = c;
        else this.after[prev] = c;
        return c;
      }
    return -1;
  }

  byName(name: string): number {
    return this.children!.findIndex((c) => c.name === name);
  }

  private is(buf: Buffer, s: number, e: number): boolean {
    const bytes = this.bytes;
    if (e - s !== bytes.length) return false;
    for (let k = 0; k < bytes.length; k++) if (buf[s + k] !== bytes[k]) return false;
    return true;
  }
}

/**
 * The values a reader wants from each record, by path: a top-level key (`"mail"`), or a key of an object
 * under one (`["signInActivity", "lastSignInDateTime"]`). Each path has a slot in the values array, in the
 * order given. A slot is undefined when its key is absent; an object with wanted keys of its own is `OBJECT`
 * when it is an object and its value otherwise; any other object or array is parsed whole.
 */
export class RecordFields {
  readonly root = new FieldNode('', -1);
  readonly size: number;

  constructor(paths: readonly (string | readonly string[])[]) {
    let slots = 0;
    const next = () => slots++;
    const bySlot: number[] = [];
    for (const path of paths) {
      const keys = typeof path === 'string' ? [path] : path;
      let node = this.root;
      const parents: FieldNode[] = [];
      for (const key of keys) {
        parents.push(node);
        node = node.child(key, next);
      }
      for (const parent of parents.slice(1))
        if (!parent.below.includes(node.slot)) parent.below.push(node.slot);
      bySlot.push(node.slot);
    }
    if (new Set(bySlot).size !== bySlot.length) throw new Error('a path is listed twice');
    // The slots were numbered as nodes appeared; a path's slot is its position only if parents come first.
    bySlot.forEach((slot, i) => {
      if (slot !== i) throw new Error(`list "${String(paths[i])}" after the object it is in`);
    });
    this.size = slots;
  }

  /** The values of a record already parsed, exactly as the byte reader would give them. */
  fromObject(record: Record<string, unknown>): RecordValues {
    const values = new RecordValues(this.size);
    const raw = values.raw;
    const walk = (node: FieldNode, value: Record<string, unknown>) => {
      for (const child of node.children!) {
        if (!Object.hasOwn(value, child.name)) continue;
        const v = value[child.name];
        if (child.children !== null && v !== null && typeof v === 'object' && !Array.isArray(v)) {
          raw[child.slot] = OBJECT;
          walk(child, v as Record<string, unknown>);
        } else raw[child.slot] = v;
      }
    };
    walk(this.root, record);
    return values;
  }
}

/**
 * Buffer's own decoders, which `toString` reaches only through two layers of argument checks: called
 * directly for the five million short strings of a large export. Node has them on every Buffer, untyped.
 */
interface Decoders {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** A string value not yet decoded: its bytes are in the record's buffer. */
const LAZY: unique symbol = Symbol('lazy');

/**
 * One record's values, by slot. Strings are decoded when first asked for, so those a reader passes over cost
 * nothing; a short one that came in the record before (a user type, a flag) is not decoded again.
 */
export class RecordValues {
  /** Each slot's value: undefined when absent, OBJECT, or the value (LAZY until a string is asked for). */
  readonly raw: unknown[];
  private buf = Buffer.alloc(0) as Buffer & Decoders;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** WIDE and ESCAPE bits of each lazy string. */
  private readonly kinds: Uint8Array;
  /** The last short string decoded in each slot. */
  private readonly recent: (string | undefined)[];
  /** Times `canonicalTime` has made, by their YYYYMMDDHHMMSS; a slot holds the last of those that share it. */
  private readonly timeKeys = new Float64Array(TIMES).fill(-1);
  private readonly times = new Array<string>(TIMES).fill('');

  constructor(size: number) {
    this.raw = new Array<unknown>(size).fill(undefined);
    this.starts = new Int32Array(size);
    this.ends = new Int32Array(size);
    this.kinds = new Uint8Array(size);
    this.recent = new Array<string | undefined>(size).fill(undefined);
  }

  /** Begins a record read from `buf`. */
  reset(buf: Buffer): void {
    this.buf = buf as Buffer & Decoders;
    // A loop, not Array#fill: for a dozen slots the built-in's own cost was most of the time.
    const raw = this.raw;
    for (let i = 0; i < raw.length; i++) raw[i] = undefined;
  }

  /** Notes a string at `buf[start..end)` (between its quotes) for `slot`. */
  lazy(slot: number, start: number, end: number, kind: number): void {
    this.raw[slot] = LAZY;
    this.starts[slot] = start;
    this.ends[slot] = end;
    this.kinds[slot] = kind;
  }

  /**
   * For a string of plain ASCII with no escapes and no space at either end, as `text` in parse-values.ts
   * would keep it, hands its bytes to `into` and returns true; otherwise false, and `get` is the way. With
   * `noLowerCase`, a string with a lower-case letter is refused too (an employee number to be upper-cased).
   */
  copyPlainText(
    slot: number,
    into: { pushBytes(bytes: Buffer, start: number, end: number): void },
    noLowerCase = false,
  ): boolean {
    if (this.raw[slot] !== LAZY || this.kinds[slot] !== 0) return false;
    const s = this.starts[slot]!;
    const e = this.ends[slot]!;
    const b = this.buf;
    if (e === s || b[s]! <= 0x20 || b[e - 1]! <= 0x20) return false;
    if (noLowerCase)
      for (let k = s; k < e; k++) {
        const c = b[k]!;
        if (c >= 0x61 && c <= 0x7a) return false;
      }
    into.pushBytes(b, s, e);
    return true;
  }

  get(slot: number): unknown {
    const v = this.raw[slot];
    return v === LAZY ? (this.raw[slot] = this.decode(slot)) : v;
  }

  /**
   * For a time in Graph's own form (`2026-03-31T10:22:13Z`, as `parseTime` keeps it), its day as the number
   * YYYYMMDD, read from the bytes; -1 for anything else, which `get` and `parseTime` then deal with.
   */
  timeDay(slot: number): number {
    if (this.raw[slot] !== LAZY || this.kinds[slot] !== 0) return -1;
    const s = this.starts[slot]!;
    if (this.ends[slot]! - s !== 20) return -1;
    const b = this.buf;
    if (b[s + 10] !== 0x54 || b[s + 13] !== 0x3a || b[s + 16] !== 0x3a || b[s + 19] !== 0x5a) return -1;
    if (!isDigit(b, s + 11) || !isDigit(b, s + 12) || !isDigit(b, s + 14)) return -1;
    if (!isDigit(b, s + 15) || !isDigit(b, s + 17) || !isDigit(b, s + 18)) return -1;
    const day = dayOfBytes(b, s);
    // Before 1971 is "never" to parseTime: leave that to it.
    return day < 19710101 ? -1 : day;
  }

  /**
   * For a time in Graph's own form after 1970, its text as `parseTime` would keep it, the same string as the
   * last time it was read; undefined for anything else, which `get` and `parseTime` then deal with. Exports
   * repeat times (a nightly sync, a batch of accounts made together): a shared string is one the collector
   * need not copy for each account that keeps it.
   */
  canonicalTime(slot: number): string | undefined {
    const day = this.timeDay(slot);
    if (day === -1) return undefined;
    const b = this.buf;
    const s = this.starts[slot]!;
    const hms =
      (b[s + 11]! - 0x30) * 100000 +
      (b[s + 12]! - 0x30) * 10000 +
      (b[s + 14]! - 0x30) * 1000 +
      (b[s + 15]! - 0x30) * 100 +
      (b[s + 17]! - 0x30) * 10 +
      (b[s + 18]! - 0x30);
    const key = day * 1_000_000 + hms;
    const at = (Math.imul(day, 0x9e3779b1) ^ Math.imul(hms, 0x85ebca6b)) >>> (32 - TIME_BITS);
    if (this.timeKeys[at] === key) return this.times[at]!;
    const text = this.buf.latin1Slice(s, s + 20);
    this.timeKeys[at] = key;
    this.times[at] = text;
    return text;
  }

  private decode(slot: number): string {
    const buf = this.buf;
    const s = this.starts[slot]!;
    const e = this.ends[slot]!;
    const kind = this.kinds[slot]!;
    if (kind === 0) {
      const recent = this.recent[slot];
      if (recent !== undefined && recent.length === e - s && sameBytes(buf, s, recent)) return recent;
      const text = buf.latin1Slice(s, e);
      if (e - s <= SHORT) this.recent[slot] = text;
      return text;
    }
    if ((kind & ESCAPE) === 0) return buf.utf8Slice(s, e);
    return JSON.parse(buf.toString('utf8', s - 1, e + 1)) as string;
  }
}

/** How many times `canonicalTime` remembers: 2 ** TIME_BITS. */
const TIME_BITS = 12;
const TIMES = 1 << TIME_BITS;

/** Strings up to this long are compared with the slot's last one before being decoded. */
const SHORT = 12;

function sameBytes(buf: Buffer, s: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if (buf[s + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** YYYYMMDD of an ISO date at `buf[s..s+10)` that is a real day; -1 otherwise. */
function dayOfBytes(buf: Buffer, s: number): number {
  if (buf[s + 4] !== 0x2d || buf[s + 7] !== 0x2d) return -1;
  // Written out rather than looped over a list of offsets: a million calls would make a million lists.
  const y =
    digitAt(buf, s) * 1000 + digitAt(buf, s + 1) * 100 + digitAt(buf, s + 2) * 10 + digitAt(buf, s + 3);
  const m = digitAt(buf, s + 5) * 10 + digitAt(buf, s + 6);
  const d = digitAt(buf, s + 8) * 10 + digitAt(buf, s + 9);
  if (y < 0 || m < 0 || d < 0) return -1;
  const leap = m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (m < 1 || m > 12 || d < 1 || d > DAYS_IN_MONTH[m - 1]! + (leap ? 1 : 0)) return -1;
  return y * 10000 + m * 100 + d;
}

function isDigit(buf: Buffer, at: number): boolean {
  const c = buf[at]!;
  return c >= 0x30 && c <= 0x39;
}

/** The digit at `buf[at]`; a negative number far enough below zero to keep any sum it is in negative. */
function digitAt(buf: Buffer, at: number): number {
  const d = buf[at]! - 0x30;
  return d >= 0 && d <= 9 ? d : -100_000;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `true`, `null` and `fals`, each as four bytes read as a little-endian int32. */
const TRUE_WORD = 0x65757274;
const NULL_WORD = 0x6c6c756e;
const FALS_WORD = 0x736c6166;

/** Thrown inside the extractor when the bytes end before the record does. */
const INCOMPLETE = new Error('incomplete');

const COLON = 0x3a;
const COMMA = 0x2c;
const MINUS = 0x2d;
/** Nesting deeper than this in a record is refused rather than followed down the stack. */
const MAX_DEPTH = 256;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
/** Each byte's part in a string: most are ORDINARY and scanned past in a tight loop. */
const ORDINARY = 0;
const WIDE = 1;
const ESCAPE = 2;
const CONTROL = 4;
const CLOSING = 8;
const STRING_BYTE = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) STRING_BYTE[b] = CONTROL;
for (let b = 0x80; b < 0x100; b++) STRING_BYTE[b] = WIDE;
STRING_BYTE[QUOTE] = CLOSING;
STRING_BYTE[BACKSLASH] = ESCAPE;
const ESCAPES = new Uint8Array(256);
for (const c of '"\\/bfnrtu') ESCAPES[c.charCodeAt(0)] = 1;

/**
 * Reads one record from bytes, strictly as RFC 8259 has it, into the slots of a RecordFields: wanted
 * strings decoded once, wanted objects and arrays parsed whole, everything else checked and passed over.
 */
class FieldExtractor {
  readonly values: RecordValues;
  /** Line breaks inside the record last read. */
  lines = 0;
  private buf: Buffer = Buffer.alloc(0);
  /** A view over `buf`, for reading four bytes at once; made again only when the buffer changes. */
  private view: DataView = new DataView(new ArrayBuffer(0));
  private viewOf: Buffer | null = null;
  private end = 0;
  private pos = 0;
  private file = '';
  private line = 0;
  private depth = 0;
  /** What the string last scanned held besides plain ASCII: WIDE and ESCAPE bits. */
  private seen = 0;

  constructor(private readonly fields: RecordFields) {
    this.values = new RecordValues(fields.size);
  }

  /** Reads the object at `buf[start]` ("{"); the index after it, or -1 when `end` comes first. */
  read(buf: Buffer, start: number, end: number, file: string, line: number): number {
    this.buf = buf;
    if (this.viewOf !== buf) {
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
      this.viewOf = buf;
    }
    this.end = end;
    this.pos = start;
    this.file = file;
    this.line = line;
    this.lines = 0;
    this.depth = 0;
    this.values.reset(buf);
    try {
      this.object(this.fields.root);
      return this.pos;
    } catch (e) {
      if (e === INCOMPLETE) return -1;
      throw e;
    }
  }

  /** Records read by the last `readRun`. */
  runRecords = 0;

  /**
   * Reads the records that follow one another from `buf[start]` ("{"), separated by commas, as long as each is
   * whole, handing each to the listener; returns where it stopped, just after the last one read (`start` if
   * none was whole). `lines` is then the line breaks up to there.
   */
  readRun(
    buf: Buffer,
    start: number,
    end: number,
    file: string,
    line: number,
    listener: FieldListener,
  ): number {
    let at = start;
    let lines = 0;
    let count = 0;
    for (;;) {
      const next = this.read(buf, at, end, file, line + lines);
      if (next === -1) break;
      listener.onFields(this.values, line + lines);
      lines += this.lines;
      count++;
      at = next;
      // A comma and the next record's brace, spaces allowed around them; anything else is the caller's.
      let p = at;
      let breaks = 0;
      while (p < end && isSpace(buf[p]!)) if (buf[p++] === NEWLINE) breaks++;
      if (p >= end || buf[p] !== COMMA) break;
      p++;
      while (p < end && isSpace(buf[p]!)) if (buf[p++] === NEWLINE) breaks++;
      if (p >= end || buf[p] !== OPEN_OBJECT) break;
      lines += breaks;
      at = p;
    }
    this.lines = lines;
    this.runRecords = count;
    return at;
  }

  private fail(expected: string): never {
    const at = this.pos;
    const found =
      at >= this.end ? 'the end' : `"${this.buf.toString('utf8', at, Math.min(this.end, at + 1))}"`;
    throw new InputError(
      this.file,
      this.line + this.lines,
      `this record is not valid JSON: expected ${expected}, found ${found}`,
    );
  }

  /** Skips spaces and returns the next byte, without moving past it. */
  private space(): number {
    const buf = this.buf;
    let p = this.pos;
    for (;;) {
      if (p >= this.end) throw INCOMPLETE;
      const b = buf[p]!;
      if (b === 0x20 || b === 0x09 || b === 0x0d) p++;
      else if (b === NEWLINE) {
        this.lines++;
        p++;
      } else {
        this.pos = p;
        return b;
      }
    }
  }

  /** At an opening quote: moves past the string and returns the index of its closing quote. */
  private string(): number {
    const buf = this.buf;
    const end = this.end;
    const view = this.view;
    let p = this.pos + 1;
    let seen = 0;
    for (;;) {
      // Four bytes at a time while none of them is a quote, a backslash, a control character or past ASCII
      // (bit tricks that find a zero byte, or one below 0x20, in a word); the byte loop finds which one it is.
      while (p + 4 <= end) {
        const x = view.getInt32(p, true);
        const q = x ^ 0x22222222;
        const e = x ^ 0x5c5c5c5c;
        const below = ((x - 0x20202020) | 0) & ~x;
        const quote = ((q - 0x01010101) | 0) & ~q;
        const slash = ((e - 0x01010101) | 0) & ~e;
        if (((x | below | quote | slash) & 0x80808080) !== 0) break;
        p += 4;
      }
      let c = 0;
      while (p < end && (c = STRING_BYTE[buf[p]!]!) === ORDINARY) p++;
      if (p >= end) throw INCOMPLETE;
      if (c === CLOSING) break;
      seen |= c;
      if (c === WIDE) {
        p++;
        continue;
      }
      if (c === CONTROL) {
        this.pos = p;
        this.fail('a control character to be escaped in a string');
      }
      // A backslash: one of the escapes JSON allows.
      if (p + 1 >= end) throw INCOMPLETE;
      const e = buf[p + 1]!;
      if (ESCAPES[e] !== 1) {
        this.pos = p;
        this.fail('a valid escape after a backslash');
      }
      if (e === 0x75) {
        if (p + 5 >= end) throw INCOMPLETE;
        for (let k = p + 2; k < p + 6; k++)
          if (HEX[buf[k]!] !== 1) {
            this.pos = k;
            this.fail('four hexadecimal digits after \\u');
          }
        p += 6;
      } else p += 2;
    }
    this.seen = seen;
    this.pos = p + 1;
    return p;
  }

  private text(s: number, e: number): string {
    if (this.seen === 0) return (this.buf as Buffer & Decoders).latin1Slice(s, e);
    if ((this.seen & ESCAPE) === 0) return (this.buf as Buffer & Decoders).utf8Slice(s, e);
    return JSON.parse(this.buf.toString('utf8', s - 1, e + 1)) as string;
  }

  private object(node: FieldNode | null): void {
    if (++this.depth > MAX_DEPTH) this.fail(`no more than ${MAX_DEPTH} levels of nesting`);
    const values = this.values;
    const raw = values.raw;
    this.pos++;
    let b = this.space();
    if (b === CLOSE_OBJECT) {
      this.pos++;
      this.depth--;
      return;
    }
    let prev = -1;
    for (;;) {
      if (b !== QUOTE) this.fail('a key in double quotes');
      let child: FieldNode | undefined;
      // Exports write their keys in the same order every time: try the one that came next last time.
      const guess = node === null ? -1 : node.guess(prev);
      if (guess !== -1 && node!.children![guess]!.quotedAt(this.view, this.buf, this.pos, this.end)) {
        prev = guess;
        child = node!.children![guess];
        this.pos += child!.quoted.length;
      } else {
        const ks = this.pos + 1;
        const ke = this.string();
        if (node !== null) {
          const c =
            (this.seen & ESCAPE) !== 0 ? node.byName(this.text(ks, ke)) : node.match(this.buf, ks, ke, prev);
          if (c !== -1) {
            prev = c;
            child = node.children![c];
          }
        }
      }
      // Compact exports put nothing between the tokens: look before skipping spaces.
      if (this.pos < this.end && this.buf[this.pos] === COLON) this.pos++;
      else if (this.space() === COLON) this.pos++;
      else this.fail('":" after the key');
      b = this.pos < this.end ? this.buf[this.pos]! : -1;
      if (b === -1 || isSpace(b)) b = this.space();
      if (child === undefined) this.passOverValue(b);
      else if (child.children !== null && b === OPEN_OBJECT) {
        for (const slot of child.below) raw[slot] = undefined;
        raw[child.slot] = OBJECT;
        this.object(child);
      } else if (b === QUOTE) {
        const start = this.pos + 1;
        values.lazy(child.slot, start, this.string(), this.seen);
      } else raw[child.slot] = this.value(b);
      b = this.pos < this.end ? this.buf[this.pos]! : -1;
      if (b === -1 || isSpace(b)) b = this.space();
      if (b === COMMA) {
        this.pos++;
        b = this.pos < this.end ? this.buf[this.pos]! : -1;
        if (b === -1 || isSpace(b)) b = this.space();
        continue;
      }
      if (b !== CLOSE_OBJECT) this.fail('"," or "}" after a value');
      this.pos++;
      this.depth--;
      return;
    }
  }

  private array(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`no more than ${MAX_DEPTH} levels of nesting`);
    this.pos++;
    let b = this.space();
    if (b === CLOSE_ARRAY) {
      this.pos++;
      this.depth--;
      return;
    }
    for (;;) {
      this.passOverValue(b);
      b = this.space();
      if (b === COMMA) {
        this.pos++;
        b = this.space();
        continue;
      }
      if (b !== CLOSE_ARRAY) this.fail('"," or "]" after a value');
      this.pos++;
      this.depth--;
      return;
    }
  }

  /** A wanted value other than a string: literals and numbers converted, objects and arrays parsed whole. */
  private value(b: number): unknown {
    const s = this.pos;
    this.passOverValue(b);
    switch (b) {
      case 0x74:
        return true;
      case 0x66:
        return false;
      case 0x6e:
        return null;
      default:
        return JSON.parse(
          this.buf.toString(b === OPEN_OBJECT || b === OPEN_ARRAY ? 'utf8' : 'latin1', s, this.pos),
        );
    }
  }

  /** Checks the value that starts with `b` and moves past it. */
  private passOverValue(b: number): void {
    switch (b) {
      case QUOTE:
        this.string();
        return;
      case OPEN_OBJECT:
        this.object(null);
        return;
      case OPEN_ARRAY:
        this.array();
        return;
      case 0x74:
        return this.literal('true');
      case 0x66:
        return this.literal('false');
      case 0x6e:
        return this.literal('null');
      default:
        if (b === MINUS || (b >= 0x30 && b <= 0x39)) return this.number();
        this.fail('a value');
    }
  }

  private literal(word: string): void {
    // Four bytes at once when they are all here: `true`, `null`, and `fals` before the `e`. A record has a
    // few of these, and a character at a time was a tenth of the reading.
    const pos = this.pos;
    if (pos + 4 <= this.end) {
      const w = this.view.getInt32(pos, true);
      if (w === TRUE_WORD || w === NULL_WORD) {
        this.pos = pos + 4;
        return;
      }
      if (w === FALS_WORD && pos + 5 <= this.end && this.buf[pos + 4] === 0x65) {
        this.pos = pos + 5;
        return;
      }
    }
    for (let k = 0; k < word.length; k++) {
      if (this.pos >= this.end) throw INCOMPLETE;
      if (this.buf[this.pos] !== word.charCodeAt(k)) this.fail(`"${word}"`);
      this.pos++;
    }
  }

  private digits(): number {
    let count = 0;
    for (;;) {
      if (this.pos >= this.end) throw INCOMPLETE;
      const c = this.buf[this.pos]!;
      if (c < 0x30 || c > 0x39) return count;
      this.pos++;
      count++;
    }
  }

  /** -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
  private number(): void {
    const buf = this.buf;
    const at = () => {
      if (this.pos >= this.end) throw INCOMPLETE;
      return buf[this.pos]!;
    };
    if (at() === MINUS) this.pos++;
    if (at() === 0x30) this.pos++;
    else if (this.digits() === 0) this.fail('a digit');
    if (at() === 0x2e) {
      this.pos++;
      if (this.digits() === 0) this.fail('a digit after the decimal point');
    }
    const e = at();
    if (e === 0x65 || e === 0x45) {
      this.pos++;
      const sign = at();
      if (sign === 0x2b || sign === MINUS) this.pos++;
      if (this.digits() === 0) this.fail('a digit in the exponent');
    }
  }
}
