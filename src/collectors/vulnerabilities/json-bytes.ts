// A strict JSON reader over a document's UTF-8 bytes that builds nothing: the caller walks the document by
// hand, reads the few strings it needs in place and skips the rest. An inventory of two million components is
// mostly text nobody asks for (hashes, licences, references), and JSON.parse would make a string and an object
// of each part of it. Whatever the reader does not accept (a syntax error, a document nested too deep) stops
// it with NotReadHere, and the caller reads the document the ordinary way, which says what is wrong. The bytes
// must already be known to be UTF-8.

/** Thrown where the reader will not go on: the document is to be read by JSON.parse instead. */
export class NotReadHere extends Error {
  constructor() {
    super('not read from bytes');
  }
}

const NOT_READ_HERE = new NotReadHere();

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** JSON's nesting as deep as this is read by JSON.parse instead, so that skipping never runs out of stack. */
const MAX_DEPTH = 256;

const isDigit = (c: number) => c >= ZERO && c <= NINE;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/** The bytes of a key or value to look for, as `bytesOf('purl')`. ASCII only. */
export function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

/** Whether bytes [start, end) start with `word`. */
export function startsWithBytes(b: Uint8Array, word: Uint8Array, start: number, end: number): boolean {
  if (end - start < word.length) return false;
  for (let i = 0; i < word.length; i++) if (b[start + i] !== word[i]) return false;
  return true;
}

/** Whether bytes [start, end) are `word` exactly. */
export function bytesAre(b: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  return end - start === word.length && startsWithBytes(b, word, start, end);
}

export class JsonBytes {
  /** The next byte to read. */
  p = 0;
  /** The last string read: its bytes (without quotes) are [start, end), and whether it holds an escape. */
  start = 0;
  end = 0;
  escaped = false;
  private depth = 0;
  private readonly n: number;
  /** The same bytes as a Buffer, to make strings of without a view of each. */
  private readonly buffer: Buffer;

  constructor(readonly b: Uint8Array) {
    this.n = b.length;
    this.buffer = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    // A byte order mark is allowed before the document, as the readers of text allow it.
    if (this.n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.p = 3;
  }

  /** Stops the reading: the document is to be read the ordinary way. */
  fail(): never {
    throw NOT_READ_HERE;
  }

  /** Skips whitespace; the next byte, or -1 at the end. */
  peek(): number {
    const b = this.b;
    let p = this.p;
    while (p < this.n) {
      const c = b[p]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else {
        this.p = p;
        return c;
      }
    }
    this.p = p;
    return -1;
  }

  /** Reads the opening brace of an object, failing if the next value is not one. */
  openObject(): void {
    if (this.peek() !== OPEN_BRACE) this.fail();
    this.p++;
  }

  /** Reads the opening bracket of an array, failing if the next value is not one. */
  openArray(): void {
    if (this.peek() !== OPEN_BRACKET) this.fail();
    this.p++;
  }

  /**
   * Moves to an object's next member: reads its key (start, end, escaped) and the colon after it, so that its
   * value is next; false, past the closing brace, when there are no more. `first` for the first member.
   */
  nextKey(first: boolean): boolean {
    let c = this.peek();
    if (c === CLOSE_BRACE) {
      this.p++;
      return false;
    }
    if (!first) {
      if (c !== COMMA) this.fail();
      this.p++;
      c = this.peek();
    }
    if (c !== QUOTE) this.fail();
    this.string();
    if (this.peek() !== COLON) this.fail();
    this.p++;
    return true;
  }

  /** Moves to an array's next item, so that it is next; false, past the closing bracket, when there are no more. */
  nextItem(first: boolean): boolean {
    const c = this.peek();
    if (c === CLOSE_BRACKET) {
      this.p++;
      return false;
    }
    if (!first) {
      if (c !== COMMA) this.fail();
      this.p++;
    }
    return true;
  }

  /**
   * Whether the last string read is `key` exactly. A key written with escapes stops the reading: it might
   * spell a key the caller looks for.
   */
  is(key: Uint8Array): boolean {
    if (this.escaped) this.fail();
    return bytesAre(this.b, this.start, this.end, key);
  }

  /** Whether the last string read is `value` (ASCII), however it is written. */
  isString(value: Uint8Array): boolean {
    if (this.escaped) return this.text() === new TextDecoder().decode(value);
    return this.is(value);
  }

  /** The text of bytes [start, end), which hold no string's quotes or escapes (a number, say). */
  slice(start: number, end: number): string {
    return this.buffer.toString('utf8', start, end);
  }

  /** Reads the next value if it is a string (true), else skips it (false). */
  stringValue(): boolean {
    if (this.peek() === QUOTE) {
      this.string();
      return true;
    }
    this.skipValue();
    return false;
  }

  /** The last string read, as text. */
  text(): string {
    return this.textOf(this.start, this.end, this.escaped);
  }

  /** The text of a string read earlier, whose bytes are [start, end). */
  textOf(start: number, end: number, escaped: boolean): string {
    if (escaped) return JSON.parse(this.buffer.toString('utf8', start - 1, end + 1)) as string;
    return this.buffer.toString('utf8', start, end);
  }

  /** Reads a string at the next byte, which must be its opening quote. */
  private string(): void {
    const b = this.b;
    const n = this.n;
    let p = this.p + 1;
    this.start = p;
    let escaped = false;
    for (;;) {
      if (p >= n) this.fail();
      const c = b[p]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        const e = b[p + 1];
        if (e === 0x75) {
          // \uXXXX
          if (p + 5 >= n || !isHex(b[p + 2]!) || !isHex(b[p + 3]!) || !isHex(b[p + 4]!) || !isHex(b[p + 5]!))
            this.fail();
          p += 6;
        } else if (
          e === QUOTE ||
          e === BACKSLASH ||
          e === 0x2f ||
          e === 0x62 ||
          e === 0x66 ||
          e === 0x6e ||
          e === 0x72 ||
          e === 0x74
        )
          p += 2;
        else this.fail();
        continue;
      }
      if (c < 0x20) this.fail();
      p++;
    }
    this.end = p;
    this.escaped = escaped;
    this.p = p + 1;
  }

  /** Skips the next value, whatever it is, checking its syntax. */
  skipValue(): void {
    const c = this.peek();
    if (c === QUOTE) this.string();
    else if (c === OPEN_BRACE) {
      this.enter();
      this.p++;
      for (let first = true; this.nextKey(first); first = false) this.skipValue();
      this.depth--;
    } else if (c === OPEN_BRACKET) {
      this.enter();
      this.p++;
      for (let first = true; this.nextItem(first); first = false) this.skipValue();
      this.depth--;
    } else if (c === 0x74) this.literal(TRUE);
    else if (c === 0x66) this.literal(FALSE);
    else if (c === 0x6e) this.literal(NULL);
    else if (c === MINUS || isDigit(c)) this.number();
    else this.fail();
  }

  /** Counts a level of nesting entered by the caller (an object or array it walks), failing when too deep. */
  enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail();
  }

  /** Counts a level of nesting left. */
  leave(): void {
    this.depth--;
  }

  /** Checks that nothing but whitespace follows the document. */
  finish(): void {
    if (this.peek() !== -1) this.fail();
  }

  private literal(word: Uint8Array): void {
    const b = this.b;
    const p = this.p;
    if (p + word.length > this.n) this.fail();
    for (let i = 0; i < word.length; i++) if (b[p + i] !== word[i]) this.fail();
    this.p = p + word.length;
  }

  /** -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
  private number(): void {
    const b = this.b;
    let p = this.p;
    if (b[p] === MINUS) p++;
    if (b[p] === ZERO) p++;
    else if (isDigit(b[p] ?? -1)) while (isDigit(b[p] ?? -1)) p++;
    else this.fail();
    if (b[p] === DOT) {
      p++;
      if (!isDigit(b[p] ?? -1)) this.fail();
      while (isDigit(b[p] ?? -1)) p++;
    }
    if (b[p] === 0x65 || b[p] === 0x45) {
      p++;
      if (b[p] === PLUS || b[p] === MINUS) p++;
      if (!isDigit(b[p] ?? -1)) this.fail();
      while (isDigit(b[p] ?? -1)) p++;
    }
    this.p = p;
  }
}

const TRUE = bytesOf('true');
const FALSE = bytesOf('false');
const NULL = bytesOf('null');
