// The pure heart of the access review: joins accounts to HR (employee number first, then normalised e-mail
// or UPN) and finds leavers still enabled, accounts nobody in HR owns, dormant accounts, missing MFA and role
// drift, and measures MFA and training coverage. Where the source cannot tell, it says so instead of guessing.
import { addDays, addMonths } from '../../domain/dates.ts';
import type { AccountTable } from './account-table.ts';
import { HrRows } from './hr-table.ts';
import { KeyIndex, packKeys, type KeyRanges } from './key-index.ts';
import {
  normaliseEmail,
  type Account,
  type AccountKind,
  type HrRecord,
  type IdpFormat,
  type MfaFormat,
  type Policy,
  type RoleMatrix,
  type SourceCapabilities,
  type TrainingRecord,
} from './model.ts';
import { isoDateKey } from './parse-values.ts';

export type FindingKind = 'leaver' | 'no-hr-match' | 'dormant' | 'no-mfa' | 'role-drift';

export interface Finding {
  kind: FindingKind;
  detail: string;
}

/** Shared by every account without findings: a million empty arrays would cost tens of megabytes. */
const NO_FINDINGS: Finding[] = Object.freeze([]) as unknown as Finding[];

/** HR as the analysis reads it: the records, or the rows of a table that make their records when read. */
export type HrList = readonly HrRecord[] | HrRows;

export interface AccountResult {
  account: Account;
  hr: HrRecord | null;
  matchedBy: 'employee-number' | 'email' | null;
  findings: Finding[];
}

/**
 * An AccountResult whose account and HR record are made only when read: most results are counted and never
 * shown, and a million objects kept for them would be more for the collector to copy than the reading itself.
 */
class LazyResult implements AccountResult {
  readonly #accounts: AccountTable;
  readonly #index: number;
  readonly #row: number;
  readonly #hr: HrList;
  #account: Account | undefined;

  constructor(
    accounts: AccountTable,
    index: number,
    readonly matchedBy: AccountResult['matchedBy'],
    row: number,
    hr: HrList,
    readonly findings: Finding[],
  ) {
    this.#accounts = accounts;
    this.#index = index;
    this.#row = row;
    this.#hr = hr;
  }

  get account(): Account {
    return (this.#account ??= this.#accounts.at(this.#index));
  }

  get hr(): HrRecord | null {
    return this.#row === -1 ? null : this.#hr.at(this.#row)!;
  }
}

export interface Coverage {
  covered: number;
  of: number;
  /** Rounded to one decimal place; null when `of` is 0. */
  percent: number | null;
  /** Accounts in scope whose status the source does not give. */
  unknown: number;
}

export interface TrainingCoverage extends Coverage {
  threshold: number;
  met: boolean;
  from: string;
  to: string;
  /** Completions that would count (a data security course within the 12 months) but match nobody in HR. */
  unmatchedCompletions: number;
  completionsRead: number;
}

export const NOT_DETERMINABLE = 'not determinable from this source';

export interface Analysis {
  at: string;
  policy: Policy;
  source: { format: IdpFormat; capabilities: SourceCapabilities; mfaFormat: MfaFormat | null };
  counts: {
    accounts: number;
    enabled: number;
    members: number;
    guests: number;
    service: number;
    privileged: number;
    hrRecords: number;
    activeStaff: number;
    matchedByEmployeeNumber: number;
    matchedByEmail: number;
    leaversDisabled: number;
    leaversWithinGrace: number;
    rolesNotInMatrix: number;
  };
  /** How many are in each list below, known without making the lists. */
  found: {
    leavers: number;
    unmatchedMembers: number;
    unmatchedGuests: number;
    unmatchedService: number;
    dormant: number;
    noMfa: number;
    noMfaPrivileged: number;
    roleDrift: number;
  };
  /** The lists of results are made when first read: a dry run that only counts never makes them. */
  readonly results: AccountResult[];
  readonly leavers: AccountResult[];
  readonly unmatched: { members: AccountResult[]; guests: AccountResult[]; service: AccountResult[] };
  readonly dormant: AccountResult[];
  /** Privileged accounts first. */
  readonly noMfa: AccountResult[];
  readonly roleDrift: AccountResult[];
  /** Why a check could not be made, by finding; absent when it was made. */
  notDeterminable: Partial<Record<'dormant' | 'no-mfa' | 'privileged' | 'role-drift' | 'training', string>>;
  mfa: { all: Coverage | null; privileged: Coverage | null };
  training: TrainingCoverage | null;
}

const LEAVER_STATUSES = /^(leaver|left|terminated|inactive|resigned|retired|dismissed|ended|former)/i;

/** Whether a status word says the person has gone, for HR rows with no leave date. */
export function isLeaverStatus(status: string | null): boolean {
  return status !== null && LEAVER_STATUSES.test(status);
}

/** True when the HR record says the person had left on `at`. */
export function hasLeft(hr: HrRecord, at: string): boolean {
  if (hr.leaveDate !== null) return hr.leaveDate <= at;
  return isLeaverStatus(hr.status);
}

/** Working for the organisation on `at`: started, and not yet left. */
export function isActiveStaff(hr: HrRecord, at: string): boolean {
  if (hr.startDate !== null && hr.startDate > at) return false;
  return !hasLeft(hr, at);
}

/**
 * HR looked up by employee number and by e-mail, each to a row (a position in the HR records); where two rows
 * share an e-mail, the one still employed wins. `active` says, by row, who works here on the review date.
 */
export interface HrIndex {
  byNumber: KeyIndex;
  byEmail: KeyIndex;
  active: Uint8Array;
}

/**
 * The index by e-mail over keys `emails` marks in `text`: a rehire keeps the same e-mail under a new employee
 * number, so the first current employment wins, and only where there is none, the first row.
 */
export function emailIndex(text: string, emails: KeyRanges, active: Uint8Array): KeyIndex {
  const index = new KeyIndex(text, emails);
  const current = new Int32Array(active.length);
  const former = new Int32Array(active.length);
  let currents = 0;
  let formers = 0;
  for (let r = 0; r < active.length; r++)
    if (active[r] === 1) current[currents++] = r;
    else former[formers++] = r;
  index.addRows(current.subarray(0, currents));
  index.addRows(former.subarray(0, formers));
  return index;
}

export function indexHr(hr: readonly HrRecord[], at: string): HrIndex {
  const active = new Uint8Array(hr.length);
  for (let i = 0; i < hr.length; i++) active[i] = isActiveStaff(hr[i]!, at) ? 1 : 0;
  const emails = packKeys(hr.map((r) => r.email));
  return {
    byNumber: KeyIndex.of(hr.map((r) => r.employeeNumber)),
    byEmail: emailIndex(emails.text, emails.ranges, active),
    active,
  };
}

/** Course names that count as data security training when the policy names none. */
export const DATA_SECURITY_COURSE =
  /data security|information governance|data protection|cyber|\bIG\b|\bDSA\b/i;

/** Training completions counted as they stream past: only who was trained is kept, a byte per HR row. */
export interface TrainingTally {
  add(record: TrainingRecord): void;
  result(): TrainingCoverage;
}

/** Completions are looked up a batch at a time (see KeyIndex). */
const TALLY_BATCH = 4096;

export function createTrainingTally(index: HrIndex, policy: Policy): TrainingTally {
  const from = addMonths(policy.at, -12);
  const courses = new Set(policy.courses.map((c) => c.toLowerCase()));
  // HR training exports hold every mandatory course (fire safety, manual handling...); only data security
  // counts. The same few course names come on every row: decide each once.
  const decided = new Map<string, boolean>();
  const counts = (course: string) => {
    let yes = decided.get(course);
    if (yes === undefined) {
      yes = courses.size > 0 ? courses.has(course.toLowerCase()) : DATA_SECURITY_COURSE.test(course);
      decided.set(course, yes);
    }
    return yes;
  };
  const trained = new Uint8Array(index.active.length);
  let unmatched = 0;
  let read = 0;
  const numbers: (string | null)[] = new Array<string | null>(TALLY_BATCH).fill(null);
  const emails: (string | null)[] = new Array<string | null>(TALLY_BATCH).fill(null);
  const rows = new Int32Array(TALLY_BATCH);
  const byEmailRows = new Int32Array(TALLY_BATCH);
  let pending = 0;

  const flush = () => {
    index.byNumber.getMany(numbers, rows, 0, pending);
    // By e-mail only where the employee number is missing or unknown.
    for (let i = 0; i < pending; i++) if (rows[i] !== -1) emails[i] = null;
    index.byEmail.getMany(emails, byEmailRows, 0, pending);
    for (let i = 0; i < pending; i++) {
      const row = rows[i] !== -1 ? rows[i]! : byEmailRows[i]!;
      if (row === -1) unmatched++;
      else trained[row] = 1;
    }
    pending = 0;
  };

  return {
    add(r) {
      read++;
      // Only a completion that counts is looked up: the 12 months before the review date (after `from`, on or
      // before `at`), of a data security course. Most rows of a training export are neither.
      if (!(r.completed > from && r.completed <= policy.at && counts(r.course))) return;
      numbers[pending] = r.employeeNumber;
      emails[pending] = r.email;
      if (++pending === TALLY_BATCH) flush();
    },
    result() {
      flush();
      let of = 0;
      let covered = 0;
      for (let i = 0; i < index.active.length; i++)
        if (index.active[i] === 1) {
          of++;
          covered += trained[i]!;
        }
      const percent = of === 0 ? null : Math.round((covered / of) * 1000) / 10;
      return {
        covered,
        of,
        percent,
        unknown: 0,
        threshold: policy.trainingThreshold,
        // Compared unrounded, so 94.96% is not passed as 95%.
        met: of > 0 && covered * 100 >= policy.trainingThreshold * of,
        from: addDays(from, 1),
        to: policy.at,
        unmatchedCompletions: unmatched,
        completionsRead: read,
      };
    },
  };
}

/** Each account's HR row (-1 for none) and how it was found: 1 by employee number, 2 by e-mail, 0 not. */
export interface AccountMatches {
  rows: Int32Array;
  how: Uint8Array;
}

/**
 * The HR row of each account: by employee number first, then by normalised e-mail, then by login. `how` gets
 * 1 for a match by employee number and 2 for one by e-mail.
 */
export function matchAccounts(accounts: AccountTable, index: HrIndex): AccountMatches {
  const n = accounts.length;
  const rows = new Int32Array(n);
  const how = new Uint8Array(n);
  // Looked up from their bytes, as the accounts keep them: a million lookups make no strings.
  index.byNumber.getManyBytes(accounts.employeeNumbers, rows);
  const misses: number[] = [];
  for (let i = 0; i < n; i++) {
    if (rows[i] !== -1) how[i] = 1;
    else misses.push(i);
  }
  const byEmail = (i: number) => accounts.email(i);
  const byLogin = (i: number) => accounts.login(i);
  for (const column of [byEmail, byLogin]) {
    if (misses.length === 0) break;
    const found = new Int32Array(misses.length);
    index.byEmail.getMany(
      misses.map((i) => normaliseEmail(column(i))),
      found,
    );
    let left = 0;
    for (let k = 0; k < misses.length; k++) {
      const i = misses[k]!;
      if (found[k] !== -1) {
        rows[i] = found[k]!;
        how[i] = 2;
      } else misses[left++] = i;
    }
    misses.length = left;
  }
  return { rows, how };
}

function coverage(covered: number, of: number, unknown: number): Coverage {
  return { covered, of, percent: of === 0 ? null : Math.round((covered / of) * 1000) / 10, unknown };
}

export interface AnalyseInput {
  format: IdpFormat;
  capabilities: SourceCapabilities;
  mfaFormat: MfaFormat | null;
  accounts: AccountTable;
  hr: HrList;
  /** From a TrainingTally over the same HR, when a training export was given. */
  training: TrainingCoverage | null;
  matrix: RoleMatrix | null;
  policy: Policy;
  index?: HrIndex;
  /** `matchAccounts` over the same accounts and index, when already made. */
  matches?: AccountMatches;
}

/**
 * Findings are plain data, and most say the same few things: each distinct one is made once and shared, as
 * is the list of a lone finding, so a million accounts do not make a million copies of "has never signed in".
 * Both are frozen, like NO_FINDINGS.
 */
class Findings {
  private readonly made = new Map<string, Finding[]>();
  private readonly byPart = new Map<unknown, Map<unknown, Finding[]>>();

  /** The list holding just this finding. */
  one(kind: FindingKind, detail: string): Finding[] {
    const key = `${kind}\u0000${detail}`;
    let list = this.made.get(key);
    if (list === undefined) {
      list = Object.freeze([Object.freeze({ kind, detail })]) as unknown as Finding[];
      this.made.set(key, list);
    }
    return list;
  }

  /** `one(kind, detail(part))`, remembered by `part`: each distinct detail is written once. */
  of<T>(kind: FindingKind, detail: (part: T) => string, part: T): Finding[] {
    let memo = this.byPart.get(detail);
    if (memo === undefined) this.byPart.set(detail, (memo = new Map()));
    let list = memo.get(part);
    if (list === undefined) memo.set(part, (list = this.one(kind, detail(part))));
    return list;
  }

  /** A result's list with `lone`'s finding added, made its own once it holds more than one. */
  static plus(list: Finding[], lone: Finding[]): Finding[] {
    if (list.length === 0) return lone;
    return Object.isFrozen(list) ? [...list, lone[0]!] : (list.push(lone[0]!), list);
  }
}

const lastSignInDetail = (day: string) => `last successful sign-in ${day}`;

const UNOWNED: Record<AccountKind, string> = {
  guest: 'guest account: nobody in HR sponsors it',
  service: 'service account: not a person, so it needs a named owner',
  member: 'nobody in HR matches this account by employee number or e-mail',
};

/**
 * Adds the training coverage to an analysis made without it (`training: null`), once counted: the analysis of
 * the accounts need not wait for the training export, which is read alongside it.
 */
export function addTraining(analysis: Analysis, training: TrainingCoverage): void {
  analysis.training = training;
  delete analysis.notDeterminable.training;
}

export function analyse(input: AnalyseInput): Analysis {
  const { policy, capabilities } = input;
  const at = policy.at;
  const hrList = input.hr;
  const index = input.index ?? indexHr(hrList instanceof HrRows ? hrList.all() : hrList, at);
  const dormantBefore = addDays(at, -policy.dormantDays);
  const mfaKnown = capabilities.mfa || input.mfaFormat !== null;
  const accounts = input.accounts;
  const n = accounts.length;
  const counts: Analysis['counts'] = {
    accounts: n,
    enabled: 0,
    members: 0,
    guests: 0,
    service: 0,
    privileged: 0,
    hrRecords: input.hr.length,
    activeStaff: 0,
    matchedByEmployeeNumber: 0,
    matchedByEmail: 0,
    leaversDisabled: 0,
    leaversWithinGrace: 0,
    rolesNotInMatrix: 0,
  };
  // Each account's findings, and the lists as positions: the results are made only when a list is read.
  const foundOf = new Array<Finding[]>(n);
  const leavers: number[] = [];
  const unmatched = { members: [] as number[], guests: [] as number[], service: [] as number[] };
  const dormant: number[] = [];
  const noMfa: number[] = [];
  const roleDrift: number[] = [];
  let mfaWith = 0;
  let mfaOf = 0;
  let mfaUnknown = 0;
  let privWith = 0;
  let privOf = 0;
  let privUnknown = 0;
  let privilegedKnown = false;
  const findings = new Findings();
  const add = Findings.plus;
  const noLeaveDate = (status: string | null) =>
    `HR says "${status}" with no leave date, and the account is enabled`;
  // Leave dates repeat: when each one's grace ends, and how long ago it was, worked out once.
  const graceEnds = new Map<string, string>();
  const leftOn = (leaveDate: string) =>
    `left on ${leaveDate}, ${Math.round((Date.parse(at) - Date.parse(leaveDate)) / 86_400_000)} days ago, and the account is still enabled`;

  // Few status words, many rows: each one's meaning worked out once.
  const leaverWords = new Map<string | null, boolean>();
  const left = (hr: HrRecord) => {
    if (hr.leaveDate !== null) return hr.leaveDate <= at;
    let leaver = leaverWords.get(hr.status);
    if (leaver === undefined) leaverWords.set(hr.status, (leaver = isLeaverStatus(hr.status)));
    return leaver;
  };
  // A table's rows answer from their columns, without making the record.
  const atKey = isoDateKey(at, 0, 10);
  const leftRow =
    hrList instanceof HrRows ? (row: number) => hrList.left(row, atKey) : (row: number) => left(hrList[row]!);
  const leaveDateOf =
    hrList instanceof HrRows
      ? (row: number) => hrList.leaveDate(row)
      : (row: number) => hrList[row]!.leaveDate;
  const statusOf =
    hrList instanceof HrRows ? (row: number) => hrList.status(row) : (row: number) => hrList[row]!.status;
  const hrAt = (row: number) => hrList.at(row)!;
  // Sign-in times repeat (Graph's come as shared strings): whether each is dormant, and its finding, decided
  // once, for the first few thousand of them.
  const dormantAt = new Map<string, Finding[] | null>();

  const { rows, how } = input.matches ?? matchAccounts(accounts, index);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const enabled = accounts.enabled(i);
    const privileged = accounts.privileged(i);
    let found = NO_FINDINGS;
    if (how[i] === 1) counts.matchedByEmployeeNumber++;
    else if (how[i] === 2) counts.matchedByEmail++;
    if (privileged !== null) privilegedKnown = true;

    if (row !== -1 && leftRow(row)) {
      const leaveDate = leaveDateOf(row);
      if (!enabled) counts.leaversDisabled++;
      else if (leaveDate === null) {
        found = add(found, findings.of('leaver', noLeaveDate, statusOf(row)));
      } else {
        let limit = graceEnds.get(leaveDate);
        if (limit === undefined)
          graceEnds.set(leaveDate, (limit = addDays(leaveDate, policy.leaverGraceDays)));
        if (at > limit) {
          found = add(found, findings.of('leaver', leftOn, leaveDate));
        } else counts.leaversWithinGrace++;
      }
    }
    if (!enabled) {
      foundOf[i] = found;
      continue;
    }

    const kind = accounts.kind(i);
    counts.enabled++;
    if (kind === 'guest') counts.guests++;
    else if (kind === 'service') counts.service++;
    else counts.members++;
    if (privileged === true) counts.privileged++;

    if (row === -1) {
      found = add(found, findings.one('no-hr-match', UNOWNED[kind]));
      unmatched[kind === 'guest' ? 'guests' : kind === 'service' ? 'service' : 'members'].push(i);
    }

    if (capabilities.signIn) {
      // Compared as text: an ISO time sorts after its own day and before the next.
      const last = accounts.lastSignIn[i]!;
      if (last === null) {
        const created = accounts.created[i]!;
        if (created === null || created < dormantBefore)
          found = add(found, findings.one('dormant', 'has never signed in'));
      } else {
        let dormantFinding = dormantAt.get(last);
        if (dormantFinding === undefined) {
          dormantFinding =
            last < dormantBefore ? findings.of('dormant', lastSignInDetail, last.slice(0, 10)) : null;
          if (dormantAt.size < 4096) dormantAt.set(last, dormantFinding);
        }
        if (dormantFinding !== null) found = add(found, dormantFinding);
      }
    }

    const mfa = accounts.mfa(i);
    if (mfa === null) {
      mfaUnknown++;
      if (privileged === true) privUnknown++;
    } else {
      mfaOf++;
      if (mfa) mfaWith++;
      if (privileged === true) {
        privOf++;
        if (mfa) privWith++;
      }
      if (!mfa)
        found = add(
          found,
          findings.one('no-mfa', privileged ? 'privileged account without MFA' : 'no MFA method registered'),
        );
    }

    const groups = input.matrix !== null && row !== -1 ? accounts.groups(i) : null;
    if (groups !== null) {
      const hr = hrAt(row);
      const role = hr.jobRole?.toLowerCase();
      const allowed = role === undefined ? undefined : input.matrix!.get(role);
      if (allowed === undefined) counts.rolesNotInMatrix++;
      else {
        const extra = groups.filter((g) => !allowed.has(g.toLowerCase()));
        if (extra.length > 0)
          found = [
            ...found,
            { kind: 'role-drift', detail: `holds ${extra.join(', ')}, outside what a ${hr.jobRole} needs` },
          ];
      }
    }

    foundOf[i] = found;
    for (const f of found) {
      if (f.kind === 'leaver') leavers.push(i);
      else if (f.kind === 'dormant') dormant.push(i);
      else if (f.kind === 'no-mfa') noMfa.push(i);
      else if (f.kind === 'role-drift') roleDrift.push(i);
    }
  }
  // Privileged first, otherwise in file order (the sort is stable).
  noMfa.sort((a, b) => Number(accounts.privileged(b) === true) - Number(accounts.privileged(a) === true));
  const noMfaPrivileged = noMfa.filter((i) => accounts.privileged(i) === true).length;

  for (let i = 0; i < index.active.length; i++) counts.activeStaff += index.active[i]!;

  const notDeterminable: Analysis['notDeterminable'] = {};
  if (!capabilities.signIn)
    notDeterminable.dormant = `${NOT_DETERMINABLE}: ${input.format} has no sign-in data`;
  if (!mfaKnown)
    notDeterminable['no-mfa'] =
      `${NOT_DETERMINABLE}: ${input.format} has no MFA data (give an MFA export with --mfa)`;
  if (!privilegedKnown)
    notDeterminable.privileged = `${NOT_DETERMINABLE}: nothing says which accounts are privileged`;
  if (input.matrix !== null && !accounts.anyGroups)
    notDeterminable['role-drift'] = `${NOT_DETERMINABLE}: ${input.format} lists no groups for its accounts`;
  if (input.training === null) notDeterminable.training = 'no training export was given';

  // One result per account, whichever list asks for it first.
  const made = new Array<AccountResult | undefined>(n);
  const resultAt = (i: number): AccountResult =>
    (made[i] ??= new LazyResult(
      accounts,
      i,
      how[i] === 1 ? 'employee-number' : how[i] === 2 ? 'email' : null,
      rows[i]!,
      hrList,
      foundOf[i]!,
    ));
  const listed = (positions: number[]) => {
    let list: AccountResult[] | undefined;
    return () => (list ??= positions.map(resultAt));
  };
  let everyResult: AccountResult[] | undefined;
  const all = () => (everyResult ??= Array.from({ length: n }, (_, i) => resultAt(i)));
  const lists = {
    leavers: listed(leavers),
    members: listed(unmatched.members),
    guests: listed(unmatched.guests),
    service: listed(unmatched.service),
    dormant: listed(dormant),
    noMfa: listed(noMfa),
    roleDrift: listed(roleDrift),
  };

  return {
    at,
    policy,
    source: { format: input.format, capabilities, mfaFormat: input.mfaFormat },
    counts,
    found: {
      leavers: leavers.length,
      unmatchedMembers: unmatched.members.length,
      unmatchedGuests: unmatched.guests.length,
      unmatchedService: unmatched.service.length,
      dormant: dormant.length,
      noMfa: noMfa.length,
      noMfaPrivileged,
      roleDrift: roleDrift.length,
    },
    get results() {
      return all();
    },
    get leavers() {
      return lists.leavers();
    },
    unmatched: {
      get members() {
        return lists.members();
      },
      get guests() {
        return lists.guests();
      },
      get service() {
        return lists.service();
      },
    },
    get dormant() {
      return lists.dormant();
    },
    get noMfa() {
      return lists.noMfa();
    },
    get roleDrift() {
      return lists.roleDrift();
    },
    notDeterminable,
    mfa: {
      all: mfaKnown ? coverage(mfaWith, mfaOf, mfaUnknown) : null,
      privileged: mfaKnown && privilegedKnown ? coverage(privWith, privOf, privUnknown) : null,
    },
    training: input.training,
  };
}
