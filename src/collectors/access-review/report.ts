// The signed-off review as evidence: a JSON record for machines and auditors, and a self-contained HTML page
// in plain English (no script, no external files) that an IG lead can read and file. Pure.
import type { CollectorVerdict } from '../../app/ports.ts';
import { formatLongDate } from '../../domain/dates.ts';
import type { Finding } from './analyse.ts';
import type { Decision, Outstanding, ReviewSummary } from './review.ts';

export interface ReportItem {
  task: number;
  login: string;
  displayName: string;
  kind: string;
  privileged: boolean | null;
  hrName: string | null;
  findings: Finding[];
  recommendation: Decision;
  decision: Decision | null;
  justification: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
}

export interface ReportInput {
  reviewId: string;
  organisation: { odsCode: string; name: string };
  summary: ReviewSummary;
  inputs: { role: string; name: string; size: number; sha256: string }[];
  tasks: { number: number; reviewer: string; items: number; decided: number }[];
  /** The items worth listing: with findings, or decided against the recommendation. */
  items: ReportItem[];
  decisions: Record<Decision, number>;
  outstanding: Outstanding;
  verdicts: CollectorVerdict[];
  signedOffBy: string;
  signedOffAt: string;
}

export function reviewReportJson(r: ReportInput): unknown {
  return {
    kind: 'access-review',
    reviewId: r.reviewId,
    organisation: r.organisation,
    effectiveDate: r.summary.at,
    signedOffBy: r.signedOffBy,
    signedOffAt: r.signedOffAt,
    inputs: r.inputs,
    policy: r.summary.policy,
    source: r.summary.source,
    counts: r.summary.counts,
    found: r.summary.found,
    notDeterminable: r.summary.notDeterminable,
    mfa: r.summary.mfa,
    training: r.summary.training,
    decisions: r.decisions,
    outstanding: r.outstanding,
    verdicts: r.verdicts,
    tasks: r.tasks,
    items: r.items,
  };
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const VERDICT_WORDS: Record<CollectorVerdict['verdict'], string> = {
  supports: 'Evidenced',
  gap: 'Gap',
  'not-determinable': 'Not determinable',
};

const FINDING_WORDS: Record<Finding['kind'], string> = {
  leaver: 'Leaver still enabled',
  'no-hr-match': 'No HR match',
  dormant: 'Dormant',
  'no-mfa': 'No MFA',
  'role-drift': 'Role drift',
};

/** Caps the listed accounts so a review of a million accounts still makes a page a browser can open. */
const MAX_LISTED = 2000;

export function reviewReportHtml(r: ReportInput): string {
  const s = r.summary;
  const e = escapeHtml;
  const c = s.counts;
  const row = (cells: string[]) => `<tr>${cells.map((x) => `<td>${x}</td>`).join('')}</tr>`;
  const head = (cells: string[]) => `<tr>${cells.map((x) => `<th scope="col">${e(x)}</th>`).join('')}</tr>`;
  const coverage = (
    label: string,
    cov: { percent: number | null; covered: number; of: number; unknown: number } | null,
    why?: string,
  ) =>
    row([
      e(label),
      cov === null
        ? e(why ?? 'not determinable from this source')
        : e(
            `${cov.percent ?? 0}% (${cov.covered} of ${cov.of})${cov.unknown ? `; no data for ${cov.unknown}` : ''}`,
          ),
    ]);
  const listed = r.items.slice(0, MAX_LISTED);
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Access review for ${e(r.organisation.name)}, ${e(formatLongDate(s.at))}</title>
<style>
body{font-family:Arial,Helvetica,sans-serif;color:#212b32;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.5}
table{border-collapse:collapse;width:100%;margin-bottom:1.5em}th,td{border-bottom:1px solid #d8dde0;text-align:left;padding:.3em .5em;vertical-align:top}
.gap{color:#d5281b;font-weight:bold}.supports{color:#007f3b;font-weight:bold}.not-determinable{color:#4c6272;font-weight:bold}
code{font-size:.9em;word-break:break-all}
</style>
</head>
<body>
<h1>Access review: ${e(r.organisation.name)} (${e(r.organisation.odsCode)})</h1>
<p>This review covers the accounts in the identity provider as they stood on <strong>${e(formatLongDate(s.at))}</strong>,
checked against the HR list. It was signed off by <strong>${e(r.signedOffBy)}</strong> on ${e(formatLongDate(r.signedOffAt.slice(0, 10)))}.</p>

<h2>What it shows for the toolkit</h2>
<table>${head(['Item or outcome', 'Result', 'Why'])}
${r.verdicts.map((v) => row([e(v.targetId), `<span class="${v.verdict}">${VERDICT_WORDS[v.verdict]}</span>`, e(v.summary)])).join('\n')}
</table>

<h2>What was checked</h2>
<table>${head(['Measure', 'Result'])}
${row(['Accounts read', String(c.accounts)])}
${row(['Enabled accounts', `${c.enabled} (${c.members} staff, ${c.guests} guests, ${c.service} service accounts)`])}
${row(['People in the HR list', `${c.hrRecords} (${c.activeStaff} working here on the review date)`])}
${row(['Accounts matched to HR', `${c.matchedByEmployeeNumber} by employee number, ${c.matchedByEmail} by e-mail`])}
${row(['Leavers whose account is still enabled', `${s.found.leaver} (more than ${s.policy.leaverGraceDays} days after leaving); ${c.leaversDisabled} leavers already disabled`])}
${row(['Enabled accounts nobody in HR owns', `${s.found.unmatchedMembers} staff-type accounts, ${s.found.unmatchedGuests} guests, ${s.found.unmatchedService} service accounts`])}
${row(['Dormant accounts', s.notDeterminable.dormant ? e(s.notDeterminable.dormant) : `${s.found.dormant} (no successful sign-in for ${s.policy.dormantDays} days)`])}
${row(['Accounts without MFA', s.notDeterminable['no-mfa'] ? e(s.notDeterminable['no-mfa']) : `${s.found['no-mfa']} (${s.found.noMfaPrivileged} of them privileged)`])}
${row(['Role drift', s.notDeterminable['role-drift'] ? e(s.notDeterminable['role-drift']) : String(s.found['role-drift'])])}
${coverage('MFA coverage, all enabled accounts', s.mfa.all, s.notDeterminable['no-mfa'])}
${coverage('MFA coverage, privileged accounts', s.mfa.privileged, s.notDeterminable.privileged ?? s.notDeterminable['no-mfa'])}
${
  s.training === null
    ? row(['Training coverage', 'no training export was given'])
    : row([
        'Training coverage',
        e(
          `${s.training.percent ?? 0}% of ${s.training.of} active staff trained between ${formatLongDate(s.training.from)} and ${formatLongDate(s.training.to)} (the threshold is ${s.training.threshold}%)`,
        ),
      ])
}
</table>

<h2>Decisions</h2>
<p>${r.decisions.keep} kept, ${r.decisions.remove} to be removed, ${r.decisions.change} to be changed.</p>
<table>${head(['Task', 'Reviewer', 'Accounts', 'Decided'])}
${r.tasks.map((t) => row([String(t.number), e(t.reviewer), String(t.items), String(t.decided)])).join('\n')}
</table>

<h2>Accounts with findings</h2>
${listed.length === 0 ? '<p>No account had a finding.</p>' : ''}
${r.items.length > MAX_LISTED ? `<p>The first ${MAX_LISTED} of ${r.items.length} are listed here; the JSON record lists them all.</p>` : ''}
${
  listed.length === 0
    ? ''
    : `<table>${head(['Account', 'Findings', 'Recommended', 'Decision', 'Why'])}
${listed
  .map((i) =>
    row([
      `${e(i.displayName)}<br><code>${e(i.login)}</code>${i.privileged ? ' (privileged)' : ''}`,
      e(i.findings.map((f) => `${FINDING_WORDS[f.kind]}: ${f.detail}`).join('; ')),
      e(i.recommendation),
      e(i.decision ?? 'not decided'),
      e(i.justification ?? ''),
    ]),
  )
  .join('\n')}
</table>`
}

<h2>Files read</h2>
<table>${head(['Role', 'File', 'Size in bytes', 'SHA-256'])}
${r.inputs.map((i) => row([e(i.role), e(i.name), String(i.size), `<code>${e(i.sha256)}</code>`])).join('\n')}
</table>
<p>Review ${e(r.reviewId)}. Made by openDSPT from the files above; the SHA-256 of each lets anyone check these are the files reviewed.</p>
</body>
</html>
`;
}
