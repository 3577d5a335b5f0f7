// The pure heart of the access review: joins accounts to HR (employee number first, then normalised e-mail
// or UPN) and finds leavers still enabled, accounts nobody in HR owns, dormant accounts, missing MFA and role
// drift, and measures MFA and training coverage. Where the source cannot tell, it says so instead of guessing.
import { addDays, addMonths } from '../../domain/dates.ts';
import {
  normaliseEmail,
  type Account,
  type HrRecord,
  type IdpFormat,
  type MfaFormat,
  type Policy,
  type RoleMatrix,
  type SourceCapabilities,
  type TrainingRecord,
} from './model.ts';

export type FindingKind = 'leaver' | 'no-hr-match' | 'dormant' | 'no-mfa' | 'role-drift';

export interface Finding {
  kind: FindingKind;
  detail: string;
}

export interface AccountResult {
  account: Account;
  hr: HrRecord | null;
  matchedBy: 'employee-number' | 'email' | null;
  findings: Finding[];
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
  /** Completions that matched nobody in HR. */
  unmatchedCompletions: number;
  completionsRead: number;
}

export const NOT_DETERMINABLE = 'not determinable from this source';

/** Shared by every account without findings: a million empty arrays would cost tens of megabytes. */
const NO_FINDINGS: Finding[] = Object.freeze([]) as unknown as Finding[];

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
  results: AccountResult[];
  leavers: AccountResult[];
  unmatched: { members: AccountResult[]; guests: AccountResult[]; service: AccountResult[] };
  dormant: AccountResult[];
  /** Privileged accounts first. */
  noMfa: AccountResult[];
  roleDrift: AccountResult[];
  /** Why a check could not be made, by finding; absent when it was made. */
  notDeterminable: Partial<Record<'dormant' | 'no-mfa' | 'privileged' | 'role-drift' | 'training', string>>;
  mfa: { all: Coverage | null; privileged: Coverage | null };
  training: TrainingCoverage | null;
}

const LEAVER_STATUSES = /^(leaver|left|terminated|inactive|resigned|retired|dismissed|ended|former)/i;

/** True when the HR record says the person had left on `at`. */
export function hasLeft(hr: HrRecord, at: string): boolean {
  if (hr.leaveDate !== null) return hr.leaveDate <= at;
  return hr.status !== null && LEAVER_STATUSES.test(hr.status);
}

/** Working for the organisation on `at`: started, and not yet left. */
export function isActiveStaff(hr: HrRecord, at: string): boolean {
  if (hr.startDate !== null && hr.startDate > at) return false;
  return !hasLeft(hr, at);
}

/** HR looked up by employee number and by e-mail; where two rows share an e-mail, the one still employed wins. */
export interface HrIndex {
  byNumber: Map<string, HrRecord>;
  byEmail: Map<string, HrRecord>;
}

export function indexHr(hr: readonly HrRecord[], at: string, known?: Map<string, HrRecord>): HrIndex {
  const byNumber = known ?? new Map<string, HrRecord>();
  const byEmail = new Map<string, HrRecord>();
  for (const r of hr) {
    if (!known) byNumber.set(r.employeeNumber, r);
    if (r.email === null) continue;
    const had = byEmail.get(r.email);
    // A rehire keeps the same e-mail under a new employee number: prefer the current employment.
    if (had === undefined || (!isActiveStaff(had, at) && isActiveStaff(r, at))) byEmail.set(r.email, r);
  }
  return { byNumber, byEmail };
}

function match(account: Account, index: HrIndex): Pick<AccountResult, 'hr' | 'matchedBy'> {
  if (account.employeeNumber !== null) {
    const hr = index.byNumber.get(account.employeeNumber);
    if (hr) return { hr, matchedBy: 'employee-number' };
  }
  for (const key of [account.email, account.login]) {
    const hr = index.byEmail.get(normaliseEmail(key) ?? '');
    if (hr) return { hr, matchedBy: 'email' };
  }
  return { hr: null, matchedBy: null };
}

/** Course names that count as data security training when the policy names none. */
export const DATA_SECURITY_COURSE =
  /data security|information governance|data protection|cyber|\bIG\b|\bDSA\b/i;

/** Training completions counted as they stream past: only the set of trained people is kept. */
export interface TrainingTally {
  add(record: TrainingRecord): void;
  result(active: Iterable<HrRecord>): TrainingCoverage;
}

export function createTrainingTally(index: HrIndex, policy: Policy): TrainingTally {
  const from = addMonths(policy.at, -12);
  const courses = new Set(policy.courses.map((c) => c.toLowerCase()));
  // HR training exports hold every mandatory course (fire safety, manual handling...); only data security counts.
  const counts = (course: string) =>
    courses.size > 0 ? courses.has(course.toLowerCase()) : DATA_SECURITY_COURSE.test(course);
  const trained = new Set<HrRecord>();
  let unmatched = 0;
  let read = 0;
  return {
    add(r) {
      read++;
      const hr =
        (r.employeeNumber !== null ? index.byNumber.get(r.employeeNumber) : undefined) ??
        (r.email !== null ? index.byEmail.get(r.email) : undefined);
      if (hr === undefined) {
        unmatched++;
        return;
      }
      // The 12 months before the review date: after `from`, on or before `at`.
      if (r.completed <= from || r.completed > policy.at) return;
      if (!counts(r.course)) return;
      trained.add(hr);
    },
    result(active) {
      let of = 0;
      let covered = 0;
      for (const hr of active) {
        of++;
        if (trained.has(hr)) covered++;
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

function coverage(covered: number, of: number, unknown: number): Coverage {
  return { covered, of, percent: of === 0 ? null : Math.round((covered / of) * 1000) / 10, unknown };
}

export interface AnalyseInput {
  format: IdpFormat;
  capabilities: SourceCapabilities;
  mfaFormat: MfaFormat | null;
  accounts: readonly Account[];
  hr: readonly HrRecord[];
  /** Built with the same index, when a training export was given. */
  training: TrainingTally | null;
  matrix: RoleMatrix | null;
  policy: Policy;
  index?: HrIndex;
}

export function analyse(input: AnalyseInput): Analysis {
  const { policy, capabilities } = input;
  const at = policy.at;
  const index = input.index ?? indexHr(input.hr, at);
  const dormantBefore = addDays(at, -policy.dormantDays);
  const mfaKnown = capabilities.mfa || input.mfaFormat !== null;
  const counts: Analysis['counts'] = {
    accounts: input.accounts.length,
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
  const results: AccountResult[] = new Array<AccountResult>(input.accounts.length);
  const leavers: AccountResult[] = [];
  const unmatched: Analysis['unmatched'] = { members: [], guests: [], service: [] };
  const dormant: AccountResult[] = [];
  const noMfa: AccountResult[] = [];
  const roleDrift: AccountResult[] = [];
  let mfaWith = 0;
  let mfaOf = 0;
  let mfaUnknown = 0;
  let privWith = 0;
  let privOf = 0;
  let privUnknown = 0;
  let privilegedKnown = false;
  let groupsSeen = false;

  for (let i = 0; i < input.accounts.length; i++) {
    const account = input.accounts[i]!;
    const { hr, matchedBy } = match(account, index);
    const findings: Finding[] = [];
    const result: AccountResult = { account, hr, matchedBy, findings: NO_FINDINGS };
    results[i] = result;
    if (matchedBy === 'employee-number') counts.matchedByEmployeeNumber++;
    else if (matchedBy === 'email') counts.matchedByEmail++;
    if (account.privileged !== null) privilegedKnown = true;
    if (account.groups !== null) groupsSeen = true;

    if (hr !== null && hasLeft(hr, at)) {
      if (!account.enabled) counts.leaversDisabled++;
      else if (hr.leaveDate === null) {
        findings.push({
          kind: 'leaver',
          detail: `HR says "${hr.status}" with no leave date, and the account is enabled`,
        });
      } else {
        const limit = addDays(hr.leaveDate, policy.leaverGraceDays);
        if (at > limit) {
          const days = Math.round((Date.parse(at) - Date.parse(hr.leaveDate)) / 86_400_000);
          findings.push({
            kind: 'leaver',
            detail: `left on ${hr.leaveDate}, ${days} days ago, and the account is still enabled`,
          });
        } else counts.leaversWithinGrace++;
      }
    }
    if (!account.enabled) continue;

    counts.enabled++;
    if (account.kind === 'guest') counts.guests++;
    else if (account.kind === 'service') counts.service++;
    else counts.members++;
    if (account.privileged === true) counts.privileged++;

    if (hr === null) {
      findings.push({
        kind: 'no-hr-match',
        detail:
          account.kind === 'guest'
            ? 'guest account: nobody in HR sponsors it'
            : account.kind === 'service'
              ? 'service account: not a person, so it needs a named owner'
              : 'nobody in HR matches this account by employee number or e-mail',
      });
      unmatched[
        account.kind === 'guest' ? 'guests' : account.kind === 'service' ? 'service' : 'members'
      ].push(result);
    }

    if (capabilities.signIn) {
      const last = account.lastSignIn;
      if (last === null) {
        const created = account.created?.slice(0, 10);
        if (created === undefined || created < dormantBefore)
          findings.push({ kind: 'dormant', detail: 'has never signed in' });
      } else if (last.slice(0, 10) < dormantBefore) {
        findings.push({ kind: 'dormant', detail: `last successful sign-in ${last.slice(0, 10)}` });
      }
    }

    if (account.mfa === null) {
      mfaUnknown++;
      if (account.privileged === true) privUnknown++;
    } else {
      mfaOf++;
      if (account.mfa) mfaWith++;
      if (account.privileged === true) {
        privOf++;
        if (account.mfa) privWith++;
      }
      if (!account.mfa)
        findings.push({
          kind: 'no-mfa',
          detail: account.privileged ? 'privileged account without MFA' : 'no MFA method registered',
        });
    }

    if (input.matrix !== null && hr !== null && account.groups !== null) {
      const role = hr.jobRole?.toLowerCase();
      const allowed = role === undefined ? undefined : input.matrix.get(role);
      if (allowed === undefined) counts.rolesNotInMatrix++;
      else {
        const extra = account.groups.filter((g) => !allowed.has(g.toLowerCase()));
        if (extra.length > 0)
          findings.push({
            kind: 'role-drift',
            detail: `holds ${extra.join(', ')}, outside what a ${hr.jobRole} needs`,
          });
      }
    }

    if (findings.length > 0) result.findings = findings;
    for (const f of findings) {
      if (f.kind === 'leaver') leavers.push(result);
      else if (f.kind === 'dormant') dormant.push(result);
      else if (f.kind === 'no-mfa') noMfa.push(result);
      else if (f.kind === 'role-drift') roleDrift.push(result);
    }
  }
  noMfa.sort((a, b) => Number(b.account.privileged === true) - Number(a.account.privileged === true));

  const active: HrRecord[] = [];
  for (const r of input.hr) if (isActiveStaff(r, at)) active.push(r);
  counts.activeStaff = active.length;

  const notDeterminable: Analysis['notDeterminable'] = {};
  if (!capabilities.signIn)
    notDeterminable.dormant = `${NOT_DETERMINABLE}: ${input.format} has no sign-in data`;
  if (!mfaKnown)
    notDeterminable['no-mfa'] =
      `${NOT_DETERMINABLE}: ${input.format} has no MFA data (give an MFA export with --mfa)`;
  if (!privilegedKnown)
    notDeterminable.privileged = `${NOT_DETERMINABLE}: nothing says which accounts are privileged`;
  if (input.matrix !== null && !groupsSeen)
    notDeterminable['role-drift'] = `${NOT_DETERMINABLE}: ${input.format} lists no groups for its accounts`;
  if (input.training === null) notDeterminable.training = 'no training export was given';

  return {
    at,
    policy,
    source: { format: input.format, capabilities, mfaFormat: input.mfaFormat },
    counts,
    results,
    leavers,
    unmatched,
    dormant,
    noMfa,
    roleDrift,
    notDeterminable,
    mfa: {
      all: mfaKnown ? coverage(mfaWith, mfaOf, mfaUnknown) : null,
      privileged: mfaKnown && privilegedKnown ? coverage(privWith, privOf, privUnknown) : null,
    },
    training: input.training?.result(active) ?? null,
  };
}
