// The accounts of an identity export held in columns: a million Account objects kept for the whole run cost
// the collector more in garbage collection than in reading, and most of them are only ever counted. An
// account's object is made when something asks for it (a finding shown, a review planned). Its text
// (login, ID, e-mail, display name, employee number) is kept as bytes, and becomes a string when asked
// for: five million strings that lived as long as the run were most of what the garbage collector copied.
import type { ByteKeys } from './key-index.ts';
import type { Account, AccountKind } from './model.ts';

const KINDS: readonly AccountKind[] = ['member', 'guest', 'service'];

/** A yes, no or unknown, in two bits: 0 unknown, 1 no, 2 yes. */
const tri = (value: boolean | null): number => (value === null ? 0 : value ? 2 : 1);
const fromTri = (bits: number): boolean | null => (bits === 0 ? null : bits === 2);

// Flag bits: enabled (1), kind (2 bits), privileged (2 bits), MFA (2 bits).
const ENABLED = 1;
const KIND_SHIFT = 1;
const PRIVILEGED_SHIFT = 3;
const MFA_SHIFT = 5;

/** Text is kept in blocks of this many bytes; a value never spans two. */
const BLOCK_BITS = 20;
const BLOCK = 1 << BLOCK_BITS;
const MAX_BLOCKS = 2 ** (32 - BLOCK_BITS);
/** The length of a missing value. */
const NONE = -1;
/** The length of a value kept as a string (see `TextColumn.push`). */
const AS_STRING = -2;
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Node's own Buffer methods, which `write` and `toString` reach through layers of argument checks. */
interface RawBuffer extends Buffer {
  utf8Slice(start: number, end: number): string;
  utf8Write(text: string, offset: number, length: number): number;
}

/**
 * A column of text values (or nulls), kept as UTF-8 bytes one after another in blocks of a megabyte, and
 * decoded when read. A value whose bytes would not decode to the same string (one with half a surrogate
 * pair) is kept as it is.
 */
export class TextColumn implements ByteKeys {
  length = 0;
  #blocks: RawBuffer[] = [];
  #block = Buffer.allocUnsafeSlow(0) as RawBuffer;
  /** Views for copying four bytes at a time: over the current block, and over the last buffer copied from. */
  #blockView: DataView = new DataView(new ArrayBuffer(0));
  #source: Buffer | null = null;
  #sourceView: DataView = new DataView(new ArrayBuffer(0));
  #used = 0;
  /** Where each value starts: its block number times BLOCK plus its offset (so four gigabytes at most). */
  #starts = new Uint32Array(1024);
  #lengths = new Int32Array(1024);
  readonly #strings = new Map<number, string>();

  /** Room for a value of `bytes` bytes: where it goes, in the current block. */
  #room(bytes: number): number {
    const i = this.length++;
    if (i === this.#starts.length) {
      const starts = new Uint32Array(i * 2);
      starts.set(this.#starts);
      this.#starts = starts;
      const lengths = new Int32Array(i * 2);
      lengths.set(this.#lengths);
      this.#lengths = lengths;
    }
    if (this.#used + bytes > this.#block.length) {
      if (this.#blocks.length === MAX_BLOCKS) throw new Error('more text than a column can hold');
      this.#block = Buffer.allocUnsafeSlow(BLOCK) as RawBuffer;
      this.#blockView = new DataView(this.#block.buffer, this.#block.byteOffset, BLOCK);
      this.#blocks.push(this.#block);
      this.#used = 0;
    }
    const at = this.#used;
    this.#starts[i] = ((this.#blocks.length - 1) << BLOCK_BITS) | at;
    this.#lengths[i] = bytes;
    this.#used += bytes;
    return at;
  }

  push(value: string | null): void {
    if (value === null) {
      this.#room(0);
      this.#lengths[this.length - 1] = NONE;
      return;
    }
    let ascii = true;
    for (let k = 0; k < value.length; k++)
      if (value.charCodeAt(k) > 0x7f) {
        ascii = false;
        break;
      }
    const bytes = ascii ? value.length : Buffer.byteLength(value, 'utf8');
    if (bytes > BLOCK || (!ascii && UNPAIRED_SURROGATE.test(value))) {
      this.#room(0);
      this.#lengths[this.length - 1] = AS_STRING;
      this.#strings.set(this.length - 1, value);
      return;
    }
    const at = this.#room(bytes);
    const block = this.#block;
    if (ascii) for (let k = 0; k < bytes; k++) block[at + k] = value.charCodeAt(k);
    else block.utf8Write(value, at, bytes);
  }

  /** Adds the text whose UTF-8 bytes are `bytes[start..end)`, a megabyte at most. */
  pushBytes(bytes: Buffer, start: number, end: number): void {
    if (end - start > BLOCK) return this.push(bytes.toString('utf8', start, end));
    const at = this.#room(end - start);
    if (bytes !== this.#source) {
      this.#source = bytes;
      this.#sourceView = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    }
    // Four bytes at a time, then the rest: a byte at a time was three times slower, and Buffer#copy no
    // quicker.
    const from = this.#sourceView;
    const to = this.#blockView;
    let k = start;
    let p = at;
    for (; k + 4 <= end; k += 4, p += 4) to.setInt32(p, from.getInt32(k, true), true);
    const block = this.#block;
    for (; k < end; k++, p++) block[p] = bytes[k]!;
  }

  /** The block holding value `i`'s bytes; null when it has none there (see `byteLengthOf`). */
  bufferOf(i: number): Buffer | null {
    return this.#lengths[i]! <= 0 ? null : this.#blocks[this.#starts[i]! >>> BLOCK_BITS]!;
  }

  /** Where value `i`'s bytes start in `bufferOf(i)`. */
  startOf(i: number): number {
    return this.#starts[i]! & (BLOCK - 1);
  }

  /** How many bytes value `i` has: negative when it is missing or kept as a string. */
  byteLengthOf(i: number): number {
    return this.#lengths[i]!;
  }

  at(i: number): string | null {
    const n = this.#lengths[i]!;
    if (n === NONE) return null;
    if (n === AS_STRING) return this.#strings.get(i)!;
    if (n === 0) return '';
    const start = this.#starts[i]!;
    const at = start & (BLOCK - 1);
    return this.#blocks[start >>> BLOCK_BITS]!.utf8Slice(at, at + n);
  }
}

export class AccountTable {
  length = 0;
  /** The accounts' text: see `pushOthers` for a reader that adds to these itself. */
  readonly logins = new TextColumn();
  readonly ids = new TextColumn();
  readonly emails = new TextColumn();
  readonly displayNames = new TextColumn();
  readonly employeeNumbers = new TextColumn();
  readonly lastSignIn: (string | null)[] = [];
  readonly created: (string | null)[] = [];
  /** Only the accounts whose source lists groups are in here. */
  readonly #groups = new Map<number, string[]>();
  #flags = new Uint8Array(1024);
  #line = new Int32Array(1024);

  /** Keeps the account's values; the object itself is not kept. */
  push(a: Account): void {
    this.logins.push(a.login);
    this.ids.push(a.id);
    this.emails.push(a.email);
    this.displayNames.push(a.displayName);
    this.employeeNumbers.push(a.employeeNumber);
    this.pushOthers(a);
  }

  /**
   * Keeps the values of an account whose text the reader has already added to `logins`, `ids`, `emails`,
   * `displayNames` and `employeeNumbers`: one with their bytes at hand copies those, and keeps no strings.
   */
  pushOthers(a: Omit<Account, 'login' | 'id' | 'email' | 'displayName' | 'employeeNumber'>): void {
    const i = this.length++;
    if (i === this.#flags.length) {
      const flags = new Uint8Array(i * 2);
      flags.set(this.#flags);
      this.#flags = flags;
      const line = new Int32Array(i * 2);
      line.set(this.#line);
      this.#line = line;
    }
    this.lastSignIn.push(a.lastSignIn);
    this.created.push(a.created);
    if (a.groups !== null) this.#groups.set(i, a.groups);
    this.#flags[i] =
      (a.enabled ? ENABLED : 0) |
      (KINDS.indexOf(a.kind) << KIND_SHIFT) |
      (tri(a.privileged) << PRIVILEGED_SHIFT) |
      (tri(a.mfa) << MFA_SHIFT);
    this.#line[i] = a.line;
  }

  login(i: number): string {
    return this.logins.at(i)!;
  }

  id(i: number): string {
    return this.ids.at(i)!;
  }

  email(i: number): string | null {
    return this.emails.at(i);
  }

  displayName(i: number): string {
    return this.displayNames.at(i)!;
  }

  employeeNumber(i: number): string | null {
    return this.employeeNumbers.at(i);
  }

  enabled(i: number): boolean {
    return (this.#flags[i]! & ENABLED) !== 0;
  }

  kind(i: number): AccountKind {
    return KINDS[(this.#flags[i]! >> KIND_SHIFT) & 3]!;
  }

  privileged(i: number): boolean | null {
    return fromTri((this.#flags[i]! >> PRIVILEGED_SHIFT) & 3);
  }

  mfa(i: number): boolean | null {
    return fromTri((this.#flags[i]! >> MFA_SHIFT) & 3);
  }

  groups(i: number): string[] | null {
    return this.#groups.get(i) ?? null;
  }

  /** Whether any account lists its groups. */
  get anyGroups(): boolean {
    return this.#groups.size > 0;
  }

  line(i: number): number {
    return this.#line[i]!;
  }

  /** What an MFA export says of the account: whether it has MFA and, where it says so, whether it is an admin. */
  setMfa(i: number, mfa: boolean, admin: boolean | null): void {
    let flags = (this.#flags[i]! & ~(3 << MFA_SHIFT)) | (tri(mfa) << MFA_SHIFT);
    if (admin !== null) flags = (flags & ~(3 << PRIVILEGED_SHIFT)) | (tri(admin) << PRIVILEGED_SHIFT);
    this.#flags[i] = flags;
  }

  /** The account at `i`, made afresh. */
  at(i: number): Account {
    return {
      id: this.id(i),
      login: this.login(i),
      email: this.email(i),
      displayName: this.displayName(i),
      employeeNumber: this.employeeNumber(i),
      enabled: this.enabled(i),
      kind: this.kind(i),
      privileged: this.privileged(i),
      lastSignIn: this.lastSignIn[i]!,
      created: this.created[i]!,
      mfa: this.mfa(i),
      groups: this.groups(i),
      line: this.line(i),
    };
  }
}
