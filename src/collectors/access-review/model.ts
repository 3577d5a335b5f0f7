// The access-review collector's plain data: accounts as every identity provider is reduced to them, HR and
// training records, the policy, and what each source can and cannot tell us.
import type { IsoDate } from '../../domain/assessment.ts';

export const IDP_FORMATS = [
  'entra-users',
  'entra-csv',
  'okta-users',
  'okta-csv',
  'google-users',
  'google-csv',
  'scim',
  'generic-csv',
] as const;
export type IdpFormat = (typeof IDP_FORMATS)[number];

export const MFA_FORMATS = ['entra-mfa', 'entra-msol', 'okta-factors'] as const;
export type MfaFormat = (typeof MFA_FORMATS)[number];

/** What an identity-provider export can tell us; a false here makes the matching finding "not determinable". */
export interface SourceCapabilities {
  signIn: boolean;
  mfa: boolean;
  privileged: boolean;
  groups: boolean;
}

export const CAPABILITIES: Record<IdpFormat, SourceCapabilities> = {
  'entra-users': { signIn: true, mfa: false, privileged: false, groups: false },
  // The portal's "Download users" CSV carries profile columns only.
  'entra-csv': { signIn: false, mfa: false, privileged: false, groups: false },
  'okta-users': { signIn: true, mfa: false, privileged: false, groups: false },
  'okta-csv': { signIn: true, mfa: false, privileged: false, groups: false },
  'google-users': { signIn: true, mfa: true, privileged: true, groups: false },
  'google-csv': { signIn: true, mfa: true, privileged: false, groups: false },
  // RFC 7643 has no last-login or MFA attribute.
  scim: { signIn: false, mfa: false, privileged: false, groups: true },
  // Decided by the mapping file: see `genericCapabilities`.
  'generic-csv': { signIn: false, mfa: false, privileged: false, groups: false },
};

export type AccountKind = 'member' | 'guest' | 'service';

/** One account in the identity provider, reduced to what the review needs. */
export interface Account {
  /** The provider's own ID (object ID, Okta ID, SCIM id), or the login when the export has none. */
  id: string;
  /** UPN, Okta login, Google primary e-mail or SCIM userName. */
  login: string;
  email: string | null;
  displayName: string;
  employeeNumber: string | null;
  enabled: boolean;
  kind: AccountKind;
  /** Null when the source does not say. */
  privileged: boolean | null;
  /** ISO time of the last successful sign-in; null for never. Meaningless when the source has no sign-in data. */
  lastSignIn: string | null;
  /** The day the account was created (`YYYY-MM-DD`), if known: an account made last week is not dormant. */
  created: string | null;
  /** Null when unknown for this account (no MFA data for it). */
  mfa: boolean | null;
  /** Group or role names; null when the source does not list them. */
  groups: string[] | null;
  /** Where the account is in its file, for messages. */
  line: number;
}

export interface HrRecord {
  employeeNumber: string;
  email: string | null;
  name: string;
  status: string | null;
  startDate: IsoDate | null;
  leaveDate: IsoDate | null;
  jobRole: string | null;
  department: string | null;
  /** The line manager as the export gives them: employee number, e-mail or name. */
  manager: string | null;
  line: number;
}

/**
 * One completion, as the reader hands it over: valid only during that call, as the reader may reuse it for the
 * next row. Who completed it is worked out only when asked for, since most rows of a training export are other
 * courses or too old to count.
 */
export interface TrainingRecord {
  readonly employeeNumber: string | null;
  readonly email: string | null;
  readonly course: string;
  readonly completed: IsoDate;
  readonly line: number;
}

/** Which groups each HR job role may hold; a group outside the list is role drift. */
export type RoleMatrix = Map<string, Set<string>>;

export interface Policy {
  /** The review date: everything is judged as on this day. */
  at: IsoDate;
  /** Days after the leave date an account may stay enabled. */
  leaverGraceDays: number;
  /** Days without a successful sign-in before an account counts as dormant. */
  dormantDays: number;
  /** Share of active staff trained in the 12 months before `at`. */
  trainingThreshold: number;
  /** Course names that count as data security training; empty means any course whose name says so. */
  courses: string[];
}

export const DEFAULT_POLICY: Omit<Policy, 'at'> = {
  leaverGraceDays: 1,
  dormantDays: 90,
  trainingThreshold: 95,
  courses: [],
};

/**
 * Whether `value` is already as `normalise` would leave it: not empty, no space at either end, nothing past
 * ASCII, and no letter in the case that is changed (`from`..`to`). Most values are, and need no copy.
 */
function alreadyNormal(value: string, from: number, to: number): boolean {
  const n = value.length;
  if (n === 0 || value.charCodeAt(0) <= 0x20 || value.charCodeAt(n - 1) <= 0x20) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f || (c >= from && c <= to)) return false;
  }
  return true;
}

/** Lower-cases and trims an e-mail or UPN so that `Jo.Bloggs@Trust.nhs.uk ` and `jo.bloggs@trust.nhs.uk` meet. */
export function normaliseEmail(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (alreadyNormal(value, 0x41, 0x5a)) return value;
  const v = value.trim().toLowerCase();
  return v === '' ? null : v;
}

export function normaliseEmployeeNumber(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (alreadyNormal(value, 0x61, 0x7a)) return value;
  const v = value.trim();
  return v === '' ? null : v.toUpperCase();
}
