// The accounts of an identity export held in columns: a million Account objects kept for the whole run cost
// the collector more in garbage collection than in reading, and most of them are only ever counted. An
// account's object is made when something asks for it (a finding shown, a review planned).
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

export class AccountTable {
  length = 0;
  readonly id: string[] = [];
  readonly login: string[] = [];
  readonly email: (string | null)[] = [];
  readonly displayName: string[] = [];
  readonly employeeNumber: (string | null)[] = [];
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
      id: this.id[i]!,
      login: this.login[i]!,
      email: this.email[i]!,
      displayName: this.displayName[i]!,
      employeeNumber: this.employeeNumber[i]!,
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
