// What a scan says about the evidence items and CAF outcome it supports, and the scan as a plain-English HTML
// page (self-contained, no script) to keep as evidence beside the JSON.
import { isUtf8 } from 'node:buffer';
import { canonicalJson, CanonicalJsonText } from '../../domain/canonical-json.ts';
import { formatLongDate } from '../../domain/dates.ts';
import type { Finding, ScanReport } from './analyse.ts';
import { bytesOf, JsonBytes, NotReadHere } from './json-bytes.ts';

export interface Verdict {
  targetId: string;
  verdict: 'supports' | 'gap' | 'not-determinable';
  summary: string;
}

/** The CAF outcome for vulnerability management, which every scan speaks to. */
export const CAF_OUTCOME = 'B4.d';

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/**
 * A verdict for each target: 8.3.x (updates applied in time) and B4.d hang on breaches of the 14-day rule,
 * 8.4.x (weaknesses looked for) on the scan having checked something, 6.3.2 (unfixable weaknesses accepted) on
 * whether any high-risk finding has no fix. A scan that checked nothing decides nothing.
 */
export function verdictsFor(targets: readonly string[], report: ScanReport): Verdict[] {
  const { breached, noFix } = report.totals;
  const checkedNothing = report.checked === 0;
  const breaches = `${plural(breached, 'high-risk finding')} still unpatched more than ${report.slaDays} days after a fix was available`;
  return targets.map((targetId): Verdict => {
    if (checkedNothing)
      return {
        targetId,
        verdict: 'not-determinable',
        summary: 'no component could be checked: import OSV data for the ecosystems in the inventories',
      };
    if (targetId.startsWith('8.3.') || targetId === CAF_OUTCOME)
      return breached > 0
        ? { targetId, verdict: 'gap', summary: breaches }
        : {
            targetId,
            verdict: 'supports',
            summary: `no high-risk finding is past the ${report.slaDays}-day patching deadline (${plural(report.checked, 'component')} checked)`,
          };
    if (targetId.startsWith('8.4.'))
      return {
        targetId,
        verdict: 'supports',
        summary: `${plural(report.checked, 'component')} on ${plural(report.systems, 'system')} checked against OSV data on ${report.effectiveDate}: ${plural(report.totals.findings, 'finding')}`,
      };
    if (targetId === '6.3.2')
      return noFix > 0
        ? {
            targetId,
            verdict: 'not-determinable',
            summary: `${plural(noFix, 'high-risk finding')} with no fix yet: each needs a risk-register entry accepted at senior level`,
          }
        : { targetId, verdict: 'supports', summary: 'no high-risk finding is waiting for a fix' };
    return { targetId, verdict: 'not-determinable', summary: 'the scan does not speak to this item' };
  });
}

export function summaryOf(report: ScanReport): string {
  return (
    `${plural(report.components, 'component')} on ${plural(report.systems, 'system')}: ` +
    `${plural(report.totals.findings, 'finding')}, ${plural(report.totals.breached, 'breach', 'breaches')} of the ${report.slaDays}-day rule, ` +
    `${plural(report.totals.noFix, 'high-risk finding')} with no fix yet`
  );
}

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** Rows beyond this go to the JSON report only, so the page stays readable for a large fleet. */
const MAX_ROWS = 500;

function table(
  { shown, count }: { shown: Finding[]; count: number },
  caption: string,
  withDeadline: boolean,
): string {
  if (count === 0) return `<h2>${escape(caption)}</h2><p>None.</p>`;
  const rows = shown
    .slice(0, MAX_ROWS)
    .map(
      (f) =>
        `<tr><td>${escape(f.system)}</td><td>${escape(f.ecosystem)}</td><td>${escape(f.package)} ${escape(f.version)}</td>` +
        `<td>${escape(f.id)}${f.ids.length > 1 ? `<br><small>${escape(f.ids.filter((i) => i !== f.id).join(', '))}</small>` : ''}</td>` +
        `<td>${escape(f.severity.label ?? 'unknown')}${f.severity.score !== null ? ` (${f.severity.score.toFixed(1)})` : ''}</td>` +
        `<td>${escape(f.fixedIn ?? 'no fix yet')}</td>` +
        (withDeadline ? `<td>${f.clockStart ?? ''}</td><td>${f.deadline ?? ''}</td>` : '') +
        `<td>${f.change === 'new' ? 'new' : 'still open'}</td></tr>`,
    )
    .join('\n');
  const more =
    count > MAX_ROWS ? `<p>${plural(count - MAX_ROWS, 'more finding')} in the JSON report.</p>` : '';
  return (
    `<h2>${escape(caption)} (${count.toLocaleString('en-GB')})</h2>\n<table><thead><tr><th>System</th><th>Ecosystem</th><th>Package</th>` +
    `<th>Vulnerability</th><th>Severity</th><th>Fixed in</th>${withDeadline ? '<th>Fix known since</th><th>Deadline</th>' : ''}` +
    `<th>Since last scan</th></tr></thead><tbody>\n${rows}\n</tbody></table>${more}`
  );
}

export function renderHtmlReport(
  report: ScanReport,
  organisation: { odsCode: string; name: string },
): string {
  // One pass over the findings, keeping only the rows a table shows (and how many there are).
  const byState: Record<Finding['state'], { shown: Finding[]; count: number }> = {
    breached: { shown: [], count: 0 },
    'within-sla': { shown: [], count: 0 },
    'no-fix': { shown: [], count: 0 },
    'not-high-risk': { shown: [], count: 0 },
  };
  for (const f of report.findings) {
    const group = byState[f.state];
    if (group.count++ < MAX_ROWS) group.shown.push(f);
  }
  const by = (state: Finding['state']) => byState[state];
  const t = report.totals;
  const verdictLine =
    t.breached > 0
      ? `<p class="bad"><strong>${plural(t.breached, 'high-risk finding')} ${t.breached === 1 ? 'has' : 'have'} not been patched within ${report.slaDays} days of a fix being available.</strong></p>`
      : `<p class="good"><strong>No high-risk finding is past the ${report.slaDays}-day patching deadline.</strong></p>`;
  const coverage = report.coverage
    .map(
      (c) =>
        `<tr><td>${escape(c.ecosystem)}</td><td>${c.components.toLocaleString('en-GB')}</td><td>${
          !c.checkable
            ? c.ecosystem === 'Debian'
              ? 'not checked: the Debian release is unknown (give --distro)'
              : 'not checked: no version order for this ecosystem yet'
            : c.osvData
              ? 'checked'
              : 'not checked: no OSV data imported'
        }</td></tr>`,
    )
    .join('\n');
  const fixed = report.fixed
    .slice(0, MAX_ROWS)
    .map((f) => `<li>${escape(f.system)}: ${escape(f.package)} ${escape(f.version)}, ${escape(f.id)}</li>`)
    .join('\n');
  const problems = report.problems.shown
    .slice(0, 100)
    .map((p) => `<li>${escape(p.where)}: ${escape(p.message)}</li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Vulnerability and patching scan, ${escape(organisation.odsCode)}, ${report.effectiveDate}</title>
<style>
body { font-family: Arial, sans-serif; margin: 2rem; color: #0b0c0c; max-width: 75rem; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
th, td { border-bottom: 1px solid #b1b4b6; padding: .4rem; text-align: left; vertical-align: top; }
.bad { color: #d5281b; } .good { color: #007f3b; }
</style>
</head>
<body>
<h1>Vulnerability and patching scan</h1>
<p>${escape(organisation.name)} (${escape(organisation.odsCode)}), as at ${formatLongDate(report.effectiveDate)}.</p>
${verdictLine}
<p>${escape(summaryOf(report))}. ${plural(report.checked, 'component')} were checked against OSV data; ${plural(report.notChecked, 'component')} could not be checked (see coverage below).</p>
<p>Since the ${report.previousRun ? `previous scan on ${formatLongDate(report.previousRun)}` : 'start (this is the first scan)'}: ${plural(t.new, 'new finding')}, ${plural(t.stillOpen, 'finding')} still open, ${plural(t.fixed, 'finding')} fixed.</p>
<h2>The rule</h2>
<p>${escape(report.rule)} Allowed days: ${report.slaDays}.</p>
${table(by('breached'), `Past the ${report.slaDays}-day deadline`, true)}
${table(by('within-sla'), 'High-risk, fix available, still within the deadline', true)}
${table(by('no-fix'), 'High-risk, no fix available yet (record in the risk register)', false)}
${table(by('not-high-risk'), 'Lower-risk findings', false)}
<h2>Fixed since the previous scan (${t.fixed.toLocaleString('en-GB')})</h2>
${fixed ? `<ul>${fixed}</ul>` : '<p>None.</p>'}
<h2>Coverage</h2>
<table><thead><tr><th>Ecosystem</th><th>Components</th><th>Checked</th></tr></thead><tbody>
${coverage}
</tbody></table>
<p>Inputs: ${plural(report.files, 'file')} (${escape(
    Object.entries(report.formats)
      .map(([f, n]) => `${f}: ${n}`)
      .join(', '),
  )}) describing ${plural(report.systems, 'system')}.</p>
<h2>Problems (${report.problems.count.toLocaleString('en-GB')})</h2>
${problems ? `<ul>${problems}</ul>` : '<p>None: every component was read.</p>'}
</body>
</html>
`;
}

/** The columns of a finding in the JSON evidence, one array per finding: a fleet can have 100,000 of them. */
export const FINDING_COLUMNS = [
  'system',
  'ecosystem',
  'package',
  'version',
  'id',
  'state',
  'fixedIn',
  'clockStart',
  'deadline',
  'change',
] as const;
const FIXED_COLUMNS = ['system', 'ecosystem', 'package', 'version', 'id'] as const;

/**
 * The report as kept in evidence, as canonical JSON: findings as rows under named columns, and each
 * vulnerability's details (aliases, records, severity, summary) once rather than once per component. Written
 * out part by part rather than built as one object to be put in canonical order: the rows hold only strings and
 * nulls, and each vulnerability's details are made with their keys in order, so JSON.stringify writes each part
 * as canonicalJson would, without a walk over a large fleet's hundreds of thousands of values.
 */
export function evidenceJsonText(report: ScanReport): CanonicalJsonText {
  const { findings, fixed, ...rest } = report;
  const byId = new Map<string, Finding>();
  for (const f of findings) if (!byId.has(f.id)) byId.set(f.id, f);
  // Every vulnerability's details in one object, written by one JSON.stringify rather than one call each (a
  // large fleet has tens of thousands). Its keys come out in the order canonicalJson gives any object's: sorted,
  // except that keys reading as array indexes come first, in number order, as JavaScript keeps them. Without a
  // prototype, so that an ID such as "__proto__" is a key like any other.
  const all = Object.create(null) as Record<string, unknown>;
  for (const id of [...byId.keys()].sort()) {
    const f = byId.get(id)!;
    const s = f.severity;
    all[id] = {
      ids: f.ids,
      records: f.records,
      severity: { basis: s.basis, highRisk: s.highRisk, label: s.label, score: s.score, vector: s.vector },
      summary: f.summary,
    };
  }
  const vulnerabilities = JSON.stringify(all);
  const members: Record<string, string> = {
    // In FINDING_COLUMNS order, spelled out: a row per finding is built without a lookup per cell.
    findings: rowsText(
      FINDING_COLUMNS,
      findings.map((f) => [
        f.system,
        f.ecosystem,
        f.package,
        f.version,
        f.id,
        f.state,
        f.fixedIn,
        f.clockStart,
        f.deadline,
        f.change,
      ]),
    ),
    fixed: rowsText(
      FIXED_COLUMNS,
      fixed.map((f) => FIXED_COLUMNS.map((c) => f[c])),
    ),
    vulnerabilities,
  };
  for (const [key, value] of Object.entries(rest))
    if (value !== undefined) members[key] = canonicalJson(value);
  // Left as parts: the evidence's bytes are written from them without a copy of the whole text.
  const parts = ['{'];
  for (const key of Object.keys(members).sort())
    parts.push(parts.length > 1 ? ',' : '', JSON.stringify(key), ':', members[key]!);
  parts.push('}');
  return new CanonicalJsonText(parts);
}

const rowsText = (columns: readonly string[], rows: (string | null)[][]) =>
  `{"columns":${JSON.stringify(columns)},"rows":${JSON.stringify(rows)}}`;

export interface PreviousFinding {
  system: string;
  ecosystem: string;
  package: string;
  version: string;
  id: string;
  ids: string[];
}

/** The findings of an earlier run, read back from its evidence JSON; undefined when it is not in that form. */
export function findingsFromEvidence(
  json: unknown,
): { effectiveDate: string; findings: PreviousFinding[] } | undefined {
  const doc = json as {
    effectiveDate?: unknown;
    findings?: { columns?: unknown; rows?: unknown };
    vulnerabilities?: Record<string, { ids?: string[] }>;
  };
  if (
    typeof doc?.effectiveDate !== 'string' ||
    !Array.isArray(doc.findings?.columns) ||
    !Array.isArray(doc.findings?.rows)
  )
    return undefined;
  const columns = doc.findings.columns as string[];
  const at = (name: string) => columns.indexOf(name);
  const [system, ecosystem, pkg, version, id] = ['system', 'ecosystem', 'package', 'version', 'id'].map(
    at,
  ) as number[];
  if ([system, ecosystem, pkg, version, id].some((i) => i === -1)) return undefined;
  const findings = (doc.findings.rows as unknown[][]).map((row) => {
    const vid = String(row[id!]);
    return {
      system: String(row[system!]),
      ecosystem: String(row[ecosystem!]),
      package: String(row[pkg!]),
      version: String(row[version!]),
      id: vid,
      ids: doc.vulnerabilities?.[vid]?.ids ?? [vid],
    };
  });
  return { effectiveDate: doc.effectiveDate, findings };
}

/**
 * As findingsFromEvidence(JSON.parse(text)), read straight from the evidence's bytes: only the few cells of each
 * row a later scan compares with, and each vulnerability's names. A large fleet's evidence is tens of megabytes,
 * most of it details no comparison needs, and parsing it whole into objects cost a later scan a second. Anything
 * out of the ordinary (a cell that is not a string, a key given twice or written with escapes, columns after
 * the rows) is left to findingsFromEvidence, so the answer is the same either way.
 */
export async function findingsFromEvidenceBytes(
  bytes: Uint8Array,
): Promise<ReturnType<typeof findingsFromEvidence>> {
  // The byte reader would pass over a byte order mark, which JSON.parse refuses.
  const marked = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if (!marked && isUtf8(bytes))
    try {
      return await readEvidenceFindings(new JsonBytes(bytes));
    } catch (e) {
      if (!(e instanceof NotReadHere)) throw e;
    }
  return findingsFromEvidence(JSON.parse(Buffer.from(bytes).toString('utf8')));
}

/**
 * Rows or names read between two pauses: a scan reads the previous run's findings while it reads the inventories
 * on the same thread, and half a second without a pause left the worker threads without files.
 */
const READ_BETWEEN_PAUSES = 4096;

/** Lets whatever else this thread has to do run before the reading goes on. */
const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

const KEY = {
  effectiveDate: bytesOf('effectiveDate'),
  findings: bytesOf('findings'),
  vulnerabilities: bytesOf('vulnerabilities'),
  columns: bytesOf('columns'),
  rows: bytesOf('rows'),
  ids: bytesOf('ids'),
};
const NEEDED = ['system', 'ecosystem', 'package', 'version', 'id'] as const;

async function readEvidenceFindings(j: JsonBytes): Promise<ReturnType<typeof findingsFromEvidence>> {
  let effectiveDate: string | undefined;
  let rows: string[][] | undefined;
  let names: Map<string, string[]> | undefined;
  j.openObject();
  j.enter();
  for (let first = true; j.nextKey(first); first = false) {
    if (j.is(KEY.effectiveDate)) {
      if (effectiveDate !== undefined || !j.stringValue()) j.fail();
      effectiveDate = j.text();
    } else if (j.is(KEY.findings)) {
      if (rows) j.fail();
      rows = await readRows(j);
    } else if (j.is(KEY.vulnerabilities)) {
      if (names) j.fail();
      names = await readNames(j);
    } else j.skipValue();
  }
  j.leave();
  j.finish();
  if (effectiveDate === undefined || !rows) j.fail();
  return {
    effectiveDate,
    findings: rows.map(([system, ecosystem, pkg, version, id]) => ({
      system: system!,
      ecosystem: ecosystem!,
      package: pkg!,
      version: version!,
      id: id!,
      ids: names?.get(id!) ?? [id!],
    })),
  };
}

/** The findings' columns and rows: of each row, the NEEDED cells in that order. */
async function readRows(j: JsonBytes): Promise<string[][]> {
  let at: number[] | undefined;
  let rows: string[][] | undefined;
  j.openObject();
  j.enter();
  for (let first = true; j.nextKey(first); first = false) {
    if (j.is(KEY.columns)) {
      if (at) j.fail();
      const columns = readStrings(j);
      at = NEEDED.map((name) => columns.indexOf(name));
      if (at.includes(-1)) j.fail();
    } else if (j.is(KEY.rows)) {
      if (!at || rows) j.fail();
      rows = [];
      const last = Math.max(...at);
      // Which NEEDED cell each column fills, or -1.
      const cellOf = new Int32Array(last + 1).fill(-1);
      at.forEach((column, cell) => (cellOf[column] = cell));
      j.openArray();
      j.enter();
      for (let f = true; j.nextItem(f); f = false) {
        const row = new Array<string>(NEEDED.length);
        let column = 0;
        j.openArray();
        j.enter();
        for (let g = true; j.nextItem(g); g = false, column++) {
          const cell = column <= last ? cellOf[column]! : -1;
          if (cell < 0) j.skipValue();
          else if (j.stringValue()) row[cell] = j.text();
          else j.fail();
        }
        j.leave();
        if (column <= last) j.fail();
        rows.push(row);
        if (rows.length % READ_BETWEEN_PAUSES === 0) await pause();
      }
      j.leave();
    } else j.skipValue();
  }
  j.leave();
  if (!rows) j.fail();
  return rows;
}

/** Each vulnerability's names (`ids`), by its ID. */
async function readNames(j: JsonBytes): Promise<Map<string, string[]>> {
  const names = new Map<string, string[]>();
  j.openObject();
  j.enter();
  for (let first = true; j.nextKey(first); first = false) {
    const id = j.text();
    if (names.has(id)) j.fail();
    j.openObject();
    j.enter();
    let ids: string[] | undefined;
    for (let f = true; j.nextKey(f); f = false) {
      if (!j.is(KEY.ids)) {
        j.skipValue();
        continue;
      }
      if (ids) j.fail();
      ids = readStrings(j);
    }
    j.leave();
    if (ids) names.set(id, ids);
    if (names.size % READ_BETWEEN_PAUSES === 0) await pause();
  }
  j.leave();
  return names;
}

/** An array of strings, each as text; anything else in it stops the reading. */
function readStrings(j: JsonBytes): string[] {
  const strings: string[] = [];
  j.openArray();
  j.enter();
  for (let first = true; j.nextItem(first); first = false) {
    if (!j.stringValue()) j.fail();
    strings.push(j.text());
  }
  j.leave();
  return strings;
}
