// Turns an analysis into a review: a task per reviewer (the line manager in HR, or the information asset
// owner for accounts no manager answers for), each account with a recommendation; then, from the decisions,
// the verdicts on the evidence items and CAF outcomes the review supports. Pure.
import type { CollectorVerdict } from '../../app/ports.ts';
import {
  NOT_DETERMINABLE,
  type AccountResult,
  type Analysis,
  type Coverage,
  type FindingKind,
  type Finding,
  type TrainingCoverage,
} from './analyse.ts';
import {
  normaliseEmail,
  normaliseEmployeeNumber,
  type AccountKind,
  type HrRecord,
  type Policy,
  type SourceCapabilities,
} from './model.ts';

export type Decision = 'keep' | 'remove' | 'change';
export const DECISIONS: readonly Decision[] = ['keep', 'remove', 'change'];

export interface ReviewItemDraft {
  accountId: string;
  login: string;
  displayName: string;
  kind: AccountKind;
  privileged: boolean | null;
  employeeNumber: string | null;
  hrName: string | null;
  jobRole: string | null;
  matchedBy: AccountResult['matchedBy'];
  lastSignIn: string | null;
  findings: Finding[];
  recommendation: Decision;
  reason: string;
}

export interface ReviewTaskDraft {
  reviewer: string;
  /** `manager` when HR names them, `asset-owner` otherwise. */
  reviewerKind: 'manager' | 'asset-owner';
  items: ReviewItemDraft[];
}

/** What is kept of a run besides its items: enough to write the report and the verdicts at sign-off. */
export interface ReviewSummary {
  at: string;
  policy: Policy;
  source: { format: string; capabilities: SourceCapabilities; mfaFormat: string | null };
  counts: Analysis['counts'];
  found: Record<FindingKind, number> & {
    noMfaPrivileged: number;
    unmatchedMembers: number;
    unmatchedGuests: number;
    unmatchedService: number;
  };
  notDeterminable: Analysis['notDeterminable'];
  mfa: { all: Coverage | null; privileged: Coverage | null };
  training: TrainingCoverage | null;
}

export function recommend(result: AccountResult): { recommendation: Decision; reason: string } {
  const kinds = new Set(result.findings.map((f) => f.kind));
  if (kinds.has('leaver')) return { recommendation: 'remove', reason: 'the person has left' };
  if (kinds.has('no-hr-match') && result.account.kind === 'member')
    return { recommendation: 'remove', reason: 'nobody in HR owns this account' };
  if (kinds.has('dormant')) return { recommendation: 'remove', reason: 'not used in the dormancy period' };
  if (kinds.has('role-drift'))
    return { recommendation: 'change', reason: 'remove the groups the role does not need' };
  if (kinds.has('no-mfa')) return { recommendation: 'change', reason: 'register MFA' };
  if (kinds.has('no-hr-match'))
    return {
      recommendation: 'keep',
      reason: `confirm who owns this ${result.account.kind} account and why it is needed`,
    };
  return { recommendation: 'keep', reason: 'no findings' };
}

/** Resolves HR's manager cell (an employee number, an e-mail or a name) to a person to name as reviewer. */
function reviewerIndex(hr: readonly HrRecord[]): (manager: string) => string {
  const byNumber = new Map<string, HrRecord>();
  const byEmail = new Map<string, HrRecord>();
  for (const r of hr) {
    byNumber.set(r.employeeNumber, r);
    if (r.email) byEmail.set(r.email, r);
  }
  return (manager) => {
    const person =
      byNumber.get(normaliseEmployeeNumber(manager) ?? '') ?? byEmail.get(normaliseEmail(manager) ?? '');
    if (!person) return manager.trim();
    return person.email ? `${person.name} <${person.email}>` : `${person.name} (${person.employeeNumber})`;
  };
}

export const DEFAULT_ASSET_OWNER = 'Information asset owner';

/** Every enabled account goes to a reviewer: the line manager, or the asset owner for everything else. */
export function planReview(
  analysis: Analysis,
  hr: readonly HrRecord[],
  assetOwner = DEFAULT_ASSET_OWNER,
): ReviewTaskDraft[] {
  const resolve = reviewerIndex(hr);
  const tasks = new Map<string, ReviewTaskDraft>();
  for (const result of analysis.results) {
    if (!result.account.enabled) continue;
    const manager = result.hr?.manager ?? null;
    // A leaver's manager may have left too; the asset owner answers for leavers so nothing waits on a vacancy.
    const useManager = manager !== null && !result.findings.some((f) => f.kind === 'leaver');
    const reviewer = useManager ? resolve(manager) : assetOwner;
    const key = `${useManager ? 'manager' : 'asset-owner'}\u0000${reviewer}`;
    let task = tasks.get(key);
    if (!task)
      tasks.set(key, (task = { reviewer, reviewerKind: useManager ? 'manager' : 'asset-owner', items: [] }));
    const { recommendation, reason } = recommend(result);
    const a = result.account;
    task.items.push({
      accountId: a.id,
      login: a.login,
      displayName: a.displayName,
      kind: a.kind,
      privileged: a.privileged,
      employeeNumber: a.employeeNumber,
      hrName: result.hr?.name ?? null,
      jobRole: result.hr?.jobRole ?? null,
      matchedBy: result.matchedBy,
      lastSignIn: analysis.source.capabilities.signIn ? a.lastSignIn : null,
      findings: result.findings,
      recommendation,
      reason,
    });
  }
  return [...tasks.values()].sort((a, b) =>
    a.reviewerKind === b.reviewerKind
      ? a.reviewer < b.reviewer
        ? -1
        : 1
      : a.reviewerKind === 'asset-owner'
        ? -1
        : 1,
  );
}

export function summarise(analysis: Analysis): ReviewSummary {
  const f = analysis.found;
  return {
    at: analysis.at,
    policy: analysis.policy,
    source: analysis.source,
    counts: analysis.counts,
    found: {
      leaver: f.leavers,
      'no-hr-match': f.unmatchedMembers + f.unmatchedGuests + f.unmatchedService,
      dormant: f.dormant,
      'no-mfa': f.noMfa,
      'role-drift': f.roleDrift,
      noMfaPrivileged: f.noMfaPrivileged,
      unmatchedMembers: f.unmatchedMembers,
      unmatchedGuests: f.unmatchedGuests,
      unmatchedService: f.unmatchedService,
    },
    notDeterminable: analysis.notDeterminable,
    mfa: analysis.mfa,
    training: analysis.training,
  };
}

/** Findings still standing after the decisions: a leaver is dealt with only by removal; the rest by any decision that is not a plain keep. */
export interface Outstanding {
  leaver: number;
  unmatchedMembers: number;
  dormant: number;
  noMfa: number;
  noMfaPrivileged: number;
  roleDrift: number;
}

export function resolves(kind: FindingKind, decision: Decision | null): boolean {
  if (decision === null) return false;
  switch (kind) {
    case 'leaver':
      return decision === 'remove';
    case 'no-mfa':
    case 'role-drift':
      return decision !== 'keep';
    // A reviewer who keeps a dormant or unmatched account with a justification has answered for it.
    case 'dormant':
    case 'no-hr-match':
      return true;
  }
}

/** What `outstanding` needs of a review item. */
export interface DecidedItem {
  findings: Finding[];
  kind: AccountKind;
  privileged: boolean | null;
  decision: Decision | null;
}

/**
 * Before any decision every finding stands, so what is outstanding is what was found: read from the summary,
 * not counted again over a million accounts.
 */
export function undecided(summary: ReviewSummary): Outstanding {
  const f = summary.found;
  return {
    leaver: f.leaver,
    unmatchedMembers: f.unmatchedMembers,
    dormant: f.dormant,
    noMfa: f['no-mfa'],
    noMfaPrivileged: f.noMfaPrivileged,
    roleDrift: f['role-drift'],
  };
}

export function outstanding(items: Iterable<DecidedItem>): Outstanding {
  const o: Outstanding = {
    leaver: 0,
    unmatchedMembers: 0,
    dormant: 0,
    noMfa: 0,
    noMfaPrivileged: 0,
    roleDrift: 0,
  };
  for (const item of items)
    for (const f of item.findings) {
      if (resolves(f.kind, item.decision)) continue;
      if (f.kind === 'leaver') o.leaver++;
      else if (f.kind === 'no-hr-match' && item.kind === 'member') o.unmatchedMembers++;
      else if (f.kind === 'dormant') o.dormant++;
      else if (f.kind === 'no-mfa') {
        o.noMfa++;
        if (item.privileged === true) o.noMfaPrivileged++;
      } else if (f.kind === 'role-drift') o.roleDrift++;
    }
  return o;
}

const pct = (c: Coverage) => (c.percent === null ? 'no accounts' : `${c.percent}% (${c.covered} of ${c.of})`);

/** The verdict on each item and outcome; `signedOff` says whether a reviewer has answered for every account. */
export function verdictsFor(
  summary: ReviewSummary,
  left: Outstanding,
  signedOff: boolean,
): CollectorVerdict[] {
  const v = (targetId: string, verdict: CollectorVerdict['verdict'], text: string): CollectorVerdict => ({
    targetId,
    verdict,
    summary: text,
  });
  const f = summary.found;
  const verdicts: CollectorVerdict[] = [];

  verdicts.push(
    summary.counts.hrRecords === 0
      ? v('4.1.1', 'gap', 'the HR export holds nobody')
      : left.unmatchedMembers > 0
        ? v('4.1.1', 'gap', `${left.unmatchedMembers} enabled personal accounts match nobody in the HR list`)
        : v(
            '4.1.1',
            'supports',
            `HR list of ${summary.counts.activeStaff} active staff with roles; every personal account matched or answered for (${f.unmatchedMembers} unmatched found)`,
          ),
  );
  verdicts.push(
    signedOff
      ? v('4.2.1', 'supports', `every enabled account (${summary.counts.enabled}) reviewed and signed off`)
      : v('4.2.1', 'gap', 'the review has not been signed off yet'),
  );
  verdicts.push(
    left.leaver + left.roleDrift > 0
      ? v(
          '4.2.4',
          'gap',
          `${left.leaver} leavers still enabled past ${summary.policy.leaverGraceDays} days and ${left.roleDrift} accounts with role drift not decided for removal or change`,
        )
      : v(
          '4.2.4',
          'supports',
          `${f.leaver} leavers found enabled, each decided for removal; ${summary.counts.leaversDisabled} leavers disabled in time${f['role-drift'] ? `; ${f['role-drift']} role drifts decided` : ''}`,
        ),
  );
  const mfa = summary.mfa.all;
  verdicts.push(
    mfa === null
      ? v('4.5.3', 'not-determinable', summary.notDeterminable['no-mfa'] ?? NOT_DETERMINABLE)
      : left.noMfa > 0 || mfa.unknown > 0
        ? v(
            '4.5.3',
            'gap',
            `MFA coverage ${pct(mfa)}; ${left.noMfa} accounts without MFA not decided for change${mfa.unknown ? `, ${mfa.unknown} accounts with no MFA data` : ''}`,
          )
        : v(
            '4.5.3',
            'supports',
            `MFA coverage ${pct(mfa)}; every account without MFA decided for change or removal`,
          ),
  );
  const training = summary.training;
  const trainingVerdict = (id: string) =>
    training === null
      ? v(id, 'not-determinable', 'no training export was given')
      : training.met
        ? v(
            id,
            'supports',
            `${training.percent}% of ${training.of} active staff trained between ${training.from} and ${training.to} (threshold ${training.threshold}%)`,
          )
        : v(
            id,
            'gap',
            `${training.percent ?? 0}% of ${training.of} active staff trained between ${training.from} and ${training.to}, below ${training.threshold}%`,
          );
  verdicts.push(trainingVerdict('3.2.1'));

  const priv = summary.mfa.privileged;
  verdicts.push(
    mfa === null || !summary.source.capabilities.signIn
      ? v(
          'B2.a',
          'not-determinable',
          [summary.notDeterminable['no-mfa'], summary.notDeterminable.dormant].filter(Boolean).join('; '),
        )
      : left.leaver + left.unmatchedMembers + left.dormant + left.noMfa > 0 || mfa.unknown > 0
        ? v(
            'B2.a',
            'gap',
            `outstanding: ${left.leaver} leavers, ${left.unmatchedMembers} unowned accounts, ${left.dormant} dormant, ${left.noMfa} without MFA`,
          )
        : v(
            'B2.a',
            'supports',
            `every account owned by a person in HR or answered for; MFA coverage ${pct(mfa)}`,
          ),
  );
  verdicts.push(
    priv === null
      ? v(
          'B2.c',
          'not-determinable',
          summary.notDeterminable.privileged ?? summary.notDeterminable['no-mfa'] ?? NOT_DETERMINABLE,
        )
      : left.noMfaPrivileged > 0 || priv.unknown > 0
        ? v('B2.c', 'gap', `privileged MFA coverage ${pct(priv)}`)
        : v('B2.c', 'supports', `privileged MFA coverage ${pct(priv)}; privileged accounts reviewed`),
  );
  verdicts.push(trainingVerdict('B6.b'));
  return verdicts;
}

export function metricsOf(summary: ReviewSummary, left?: Outstanding): Record<string, number> {
  const m: Record<string, number> = {
    accounts: summary.counts.accounts,
    enabledAccounts: summary.counts.enabled,
    hrRecords: summary.counts.hrRecords,
    activeStaff: summary.counts.activeStaff,
    leavers: summary.found.leaver,
    unmatchedMembers: summary.found.unmatchedMembers,
    unmatchedGuests: summary.found.unmatchedGuests,
    unmatchedService: summary.found.unmatchedService,
    dormant: summary.found.dormant,
    noMfa: summary.found['no-mfa'],
    noMfaPrivileged: summary.found.noMfaPrivileged,
    roleDrift: summary.found['role-drift'],
  };
  if (summary.mfa.all?.percent != null) m.mfaCoveragePercent = summary.mfa.all.percent;
  if (summary.mfa.privileged?.percent != null)
    m.privilegedMfaCoveragePercent = summary.mfa.privileged.percent;
  if (summary.training?.percent != null) m.trainingCoveragePercent = summary.training.percent;
  if (left)
    m.outstandingFindings = left.leaver + left.unmatchedMembers + left.dormant + left.noMfa + left.roleDrift;
  return m;
}
