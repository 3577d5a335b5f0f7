// The accounts of an identity export held in columns: a million Account objects and their strings kept for the
// whole run cost the collector more in garbage collection than in reading, and most of them are only ever
// counted. An account's object is made when something asks for it (a finding shown, a review planned).
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

/** Buffer's own encoders and decoders, untyped on every Buffer: `write` and `toString` add argument checks. */
interface Codecs {
  utf8Write(text: string, offset: number, length: number): number;
  ucs2Write(text: string, offset: number, length: number): number;
  latin1Slice(start: number, end: number): string;
  ucs2Slice(start: number, end: number): string;
}

/** How a text is kept: its bytes one to a character when all are ASCII, else two (UTF-16), or no text. */
const ASCII = 0;
const UTF16 = 1;
const NONE = 2;

/**
 * Texts kept as bytes, end to end in one buffer, and made strings again only when read. A million strings that
 * live for the whole run are copied by every young collection until promoted; bytes off the heap are not.
 */
export class TextColumn {
  length = 0;
  #bytes = Buffer.allocUnsafe(1 << 16) as Buffer & Codecs;
  #used = 0;
  #ends = new Int32Array(1024);
  #kinds = new Uint8Array(1024);

  push(text: string | null): void {
    const i = this.length++;
    if (i === this.#ends.length) {
      const ends = new Int32Array(i * 2);
      ends.set(this.#ends);
      this.#ends = ends;
      const kinds = new Uint8Array(i * 2);
      kinds.set(this.#kinds);
      this.#kinds = kinds;
    }
    if (text === null) {
      this.#kinds[i] = NONE;
      this.#ends[i] = this.#used;
      return;
    }
    // Room for the text as UTF-8 at three bytes a character, the most either way takes.
    const room = this.#used + 3 * text.length;
    if (room > this.#bytes.length) {
      const bytes = Buffer.allocUnsafe(Math.max(room, 2 * this.#bytes.length)) as Buffer & Codecs;
      this.#bytes.copy(bytes, 0, 0, this.#used);
      this.#bytes = bytes;
    }
    // As UTF-8 a text takes one byte a character only when all of them are ASCII: then those bytes read back
    // exactly. Any other text is written again as UTF-16, which keeps every string as it was.
    const bytes = this.#bytes;
    const written = bytes.utf8Write(text, this.#used, bytes.length - this.#used);
    if (written === text.length) this.#kinds[i] = ASCII;
    else {
      this.#kinds[i] = UTF16;
      bytes.ucs2Write(text, this.#used, bytes.length - this.#used);
    }
    this.#used += this.#kinds[i] === ASCII ? written : 2 * text.length;
    this.#ends[i] = this.#used;
  }

  at(i: number): string | null {
    const kind = this.#kinds[i]!;
    if (kind === NONE) return null;
    const start = i === 0 ? 0 : this.#ends[i - 1]!;
    const end = this.#ends[i]!;
    return kind === ASCII ? this.#bytes.latin1Slice(start, end) : this.#bytes.ucs2Slice(start, end);
  }
}

export class AccountTable {
  length = 0;
  readonly id = new TextColumn();
  readonly login = new TextColumn();
  readonly email = new TextColumn();
  readonly displayName = new TextColumn();
  readonly employeeNumber = new TextColumn();
  readonly lastSignIn: (string | null)[] = [];
  readonly created: (string | null)[] = [];
  /** Only the accounts whose source lists groups are in here. */
  readonly #groups = new Map<number, string[]>();
  #flags = new Uint8Array(1024);
  #line = new Int32Array(1024);

  /** Keeps the account's values; the object itself is not kept. */
  push(a: Account): void {
    const i = this.length++;
    if (i === this.#flags.length) {
      const flags = new Uint8Array(i * 2);
      flags.set(this.#flags);
      this.#flags = flags;
      const line = new Int32Array(i * 2);
      line.set(this.#line);
      this.#line = line;
    }
    this.id.push(a.id);
    this.login.push(a.login);
    this.email.push(a.email);
    this.displayName.push(a.displayName);
    this.employeeNumber.push(a.employeeNumber);
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
      id: this.id.at(i)!,
      login: this.login.at(i)!,
      email: this.email.at(i),
      displayName: this.displayName.at(i)!,
      employeeNumber: this.employeeNumber.at(i),
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
