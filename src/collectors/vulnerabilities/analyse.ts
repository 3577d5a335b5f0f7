// The pure analysis of a fleet scan: components grouped by package and version, matched against the OSV
// records for those packages, one finding per vulnerability (aliases merged) per component, the 14-day rule,
// and what changed since the previous run. No I/O: the caller supplies the inventories and the records.
import type { IsoDate } from '../../domain/assessment.ts';
import { addDays, daysBetween } from '../../domain/dates.ts';
import type { Inventory, InventoryProblem } from './inventory.ts';
import { matchPackage } from './match.ts';
import type { OsvAdvisory, OsvPackage } from './osv.ts';
import { compareSeverity, type Severity } from './severity.ts';
import { comparerNameFor, createComparers } from './versions.ts';

/** The SLA rule, in words, for the reports. */
export const SLA_RULE =
  'A high-risk finding (CVSS 7.0 or above, or rated HIGH or CRITICAL) with a fixed version available breaches the ' +
  'patching rule when it is still installed more than the allowed number of days after the fix became known. ' +
  "OSV records carry no release date for fixes, so the clock starts on the advisory's published date; where an " +
  'earlier import of the same advisory had no fix for the package and a later one does, the clock starts at the ' +
  'later version of the advisory (its modified time), the first moment the fix is known to have existed. With ' +
  'several advisories for one vulnerability, the earliest such date counts. Findings with no fix yet cannot ' +
  'breach the rule and are listed apart.';

const MAX_PROBLEMS_KEPT = 1000;

/** Every component of the fleet, grouped so that each package version is matched once. */
export interface Fleet {
  files: number;
  components: number;
  systems: string[];
  systemIndex: Map<string, number>;
  /** `ecosystem \0 name` -> version -> the systems holding it, with how many copies each holds. */
  packages: Map<string, { ecosystem: string; name: string; versions: Map<string, Map<number, number>> }>;
  byEcosystem: Map<string, number>;
  noVersion: number;
  formats: Map<string, number>;
  problems: InventoryProblem[];
  problemCount: number;
}

export function createFleet(): Fleet {
  return {
    files: 0,
    components: 0,
    systems: [],
    systemIndex: new Map(),
    packages: new Map(),
    byEcosystem: new Map(),
    noVersion: 0,
    formats: new Map(),
    problems: [],
    problemCount: 0,
  };
}

export function addToFleet(fleet: Fleet, inventory: Inventory): void {
  fleet.files++;
  fleet.formats.set(inventory.formatLabel, (fleet.formats.get(inventory.formatLabel) ?? 0) + 1);
  for (const problem of inventory.problems) addProblem(fleet, problem);
  for (const c of inventory.components) {
    fleet.components++;
    fleet.byEcosystem.set(c.ecosystem, (fleet.byEcosystem.get(c.ecosystem) ?? 0) + 1);
    if (c.version === '') {
      fleet.noVersion++;
      continue;
    }
    let system = fleet.systemIndex.get(c.system);
    if (system === undefined) {
      system = fleet.systems.length;
      fleet.systems.push(c.system);
      fleet.systemIndex.set(c.system, system);
    }
    const key = packageKey(c.ecosystem, c.name);
    let pkg = fleet.packages.get(key);
    if (!pkg) {
      pkg = { ecosystem: c.ecosystem, name: c.name, versions: new Map() };
      fleet.packages.set(key, pkg);
    }
    let holders = pkg.versions.get(c.version);
    if (!holders) {
      holders = new Map();
      pkg.versions.set(c.version, holders);
    }
    holders.set(system, (holders.get(system) ?? 0) + 1);
  }
}

export function addProblem(fleet: Fleet, problem: InventoryProblem): void {
  fleet.problemCount++;
  if (fleet.problems.length < MAX_PROBLEMS_KEPT) fleet.problems.push(problem);
}

export const packageKey = (ecosystem: string, name: string) => `${ecosystem}\u0000${name}`;

/** The packages worth looking up: those of ecosystems we can check, by ecosystem. */
export function packagesToLookUp(fleet: Fleet): Map<string, string[]> {
  const wanted = new Map<string, string[]>();
  for (const pkg of fleet.packages.values()) {
    if (comparerNameFor(pkg.ecosystem) === undefined || pkg.ecosystem === 'Debian') continue;
    const names = wanted.get(pkg.ecosystem) ?? [];
    names.push(pkg.name);
    wanted.set(pkg.ecosystem, names);
  }
  return wanted;
}

/** One stored record's view of one package, as the index returns it. */
export interface PackageAdvisory {
  advisory: OsvAdvisory;
  pkg: OsvPackage;
  /** When the fix was first known: the published time, or a later `modified` (see SLA_RULE). */
  fixKnownSince: string | null;
}

export type FindingState = 'breached' | 'within-sla' | 'no-fix' | 'not-high-risk';

export interface Finding {
  system: string;
  ecosystem: string;
  package: string;
  version: string;
  /** The vulnerability's name: its lowest CVE where there is one, otherwise its lowest record ID. */
  id: string;
  /** Every record ID and alias merged into this finding. */
  ids: string[];
  records: string[];
  summary: string;
  severity: Severity;
  fixedIn: string | null;
  /** The date the SLA clock started, for high-risk findings with a fix. */
  clockStart: IsoDate | null;
  deadline: IsoDate | null;
  daysOpen: number | null;
  state: FindingState;
  change: 'new' | 'still-open';
}

export interface FixedFinding {
  system: string;
  ecosystem: string;
  package: string;
  version: string;
  id: string;
}

export interface CoverageLine {
  ecosystem: string;
  components: number;
  /** Whether the OSV index holds any record for this ecosystem. */
  osvData: boolean;
  checkable: boolean;
}

export interface ScanReport {
  kind: 'vulnerabilities';
  effectiveDate: IsoDate;
  slaDays: number;
  rule: string;
  files: number;
  formats: Record<string, number>;
  systems: number;
  components: number;
  /** Components matched against OSV data (an ecosystem we can check, with data, and a version). */
  checked: number;
  notChecked: number;
  coverage: CoverageLine[];
  totals: {
    findings: number;
    highRisk: number;
    breached: number;
    withinSla: number;
    noFix: number;
    notHighRisk: number;
    new: number;
    stillOpen: number;
    fixed: number;
  };
  previousRun: IsoDate | null;
  findings: Finding[];
  fixed: FixedFinding[];
  problems: { count: number; shown: InventoryProblem[] };
}

export interface AnalyseOptions {
  effectiveDate: IsoDate;
  slaDays: number;
  /** Ecosystems the OSV index holds records for. */
  coveredEcosystems: ReadonlySet<string>;
  previous?:
    | {
        effectiveDate: IsoDate;
        findings: Pick<Finding, 'system' | 'ecosystem' | 'package' | 'version' | 'id' | 'ids'>[];
      }
    | undefined;
}

export function analyseFleet(
  fleet: Fleet,
  advisories: ReadonlyMap<string, PackageAdvisory[]>,
  options: AnalyseOptions,
): ScanReport {
  const comparers = createComparers();
  const findings: Finding[] = [];
  let checked = 0;
  for (const [key, pkg] of fleet.packages) {
    const comparerName = comparerNameFor(pkg.ecosystem);
    const covered = comparerName !== undefined && options.coveredEcosystems.has(pkg.ecosystem);
    if (!covered) continue;
    const comparer = comparers[comparerName];
    const records = advisories.get(key) ?? [];
    for (const [version, holders] of pkg.versions) {
      let copies = 0;
      for (const n of holders.values()) copies += n;
      if (!comparer.valid(version)) {
        if (fleet.problems.length < MAX_PROBLEMS_KEPT)
          fleet.problems.push({
            where: `${pkg.ecosystem} ${pkg.name}`,
            message: `"${version}" is not a valid ${comparer.name} version, so it was not checked`,
          });
        fleet.problemCount++;
        continue;
      }
      checked += copies;
      if (records.length === 0) continue;
      const hits: { record: PackageAdvisory; fixedIn: string | null }[] = [];
      for (const record of records) {
        const hit = matchPackage(version, record.pkg, comparer, comparers.semver);
        if (hit) hits.push({ record, fixedIn: hit.fixedIn });
      }
      if (hits.length === 0) continue;
      for (const group of mergeAliases(hits)) {
        const base = describe(group, pkg, version, comparer.compare, options);
        for (const system of holders.keys()) findings.push({ ...base, system: fleet.systems[system]! });
      }
    }
  }

  // Between runs a finding is the same when its system, package and vulnerability match: first at the same
  // version, then at any version (an upgrade that did not reach the fix leaves the finding open).
  const previous = options.previous?.findings ?? [];
  const stillThere = new Set<number>();
  for (const withVersion of [true, false]) {
    const previousKeys = new Map<string, number[]>();
    previous.forEach((f, i) => {
      if (stillThere.has(i)) return;
      for (const id of f.ids.length > 0 ? f.ids : [f.id]) {
        const key = findingKey(f.system, f.ecosystem, f.package, withVersion ? f.version : '', id);
        previousKeys.set(key, [...(previousKeys.get(key) ?? []), i]);
      }
    });
    for (const f of findings) {
      if (f.change === 'still-open') continue;
      for (const id of f.ids) {
        const candidates = previousKeys.get(
          findingKey(f.system, f.ecosystem, f.package, withVersion ? f.version : '', id),
        );
        const i = candidates?.find((c) => !stillThere.has(c));
        if (i !== undefined) {
          f.change = 'still-open';
          stillThere.add(i);
          break;
        }
      }
    }
  }
  const fixed: FixedFinding[] = previous
    .filter((_, i) => !stillThere.has(i))
    .map((f) => ({
      system: f.system,
      ecosystem: f.ecosystem,
      package: f.package,
      version: f.version,
      id: f.id,
    }));

  // One sort key per finding, built once: a fleet can have 100,000 findings to order.
  const order: Record<FindingState, number> = {
    breached: 0,
    'within-sla': 1,
    'no-fix': 2,
    'not-high-risk': 3,
  };
  const labels = ['CRITICAL', 'HIGH', 'MODERATE', 'LOW'];
  const keyed = findings.map((f) => {
    const risk = f.severity.highRisk ? 0 : 1;
    const score = String(100 - Math.round((f.severity.score ?? 0) * 10)).padStart(3, '0');
    const label = f.severity.label === null ? 4 : labels.indexOf(f.severity.label);
    return {
      f,
      key: [
        `${order[f.state]}${risk}${score}${label}`,
        f.system,
        f.ecosystem,
        f.package,
        f.version,
        f.id,
      ].join('\u0000'),
    };
  });
  keyed.sort((a, b) => cmp(a.key, b.key));
  findings.length = 0;
  for (const k of keyed) findings.push(k.f);
  const count = (state: FindingState) => findings.filter((f) => f.state === state).length;
  const coverage: CoverageLine[] = [...fleet.byEcosystem]
    .map(([ecosystem, components]) => ({
      ecosystem,
      components,
      checkable: comparerNameFor(ecosystem) !== undefined && ecosystem !== 'Debian',
      osvData: options.coveredEcosystems.has(ecosystem),
    }))
    .sort((a, b) => b.components - a.components || cmp(a.ecosystem, b.ecosystem));
  const newCount = findings.filter((f) => f.change === 'new').length;
  return {
    kind: 'vulnerabilities',
    effectiveDate: options.effectiveDate,
    slaDays: options.slaDays,
    rule: SLA_RULE,
    files: fleet.files,
    formats: Object.fromEntries([...fleet.formats].sort()),
    systems: fleet.systems.length,
    components: fleet.components,
    checked,
    notChecked: fleet.components - checked,
    coverage,
    totals: {
      findings: findings.length,
      highRisk: findings.filter((f) => f.severity.highRisk).length,
      breached: count('breached'),
      withinSla: count('within-sla'),
      noFix: count('no-fix'),
      notHighRisk: count('not-high-risk'),
      new: newCount,
      stillOpen: findings.length - newCount,
      fixed: fixed.length,
    },
    previousRun: options.previous?.effectiveDate ?? null,
    findings,
    fixed,
    problems: { count: fleet.problemCount, shown: fleet.problems },
  };
}

type Hit = { record: PackageAdvisory; fixedIn: string | null };

/** Groups the records that name the same vulnerability (sharing an ID or alias) into one. */
function mergeAliases(hits: Hit[]): Hit[][] {
  const parent = hits.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const owner = new Map<string, number>();
  hits.forEach((h, i) => {
    for (const id of [h.record.advisory.id, ...h.record.advisory.aliases]) {
      const j = owner.get(id);
      if (j === undefined) owner.set(id, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, Hit[]>();
  hits.forEach((h, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), h]);
  });
  return [...groups.values()];
}

function describe(
  group: Hit[],
  pkg: { ecosystem: string; name: string },
  version: string,
  compare: (a: string, b: string) => number,
  options: AnalyseOptions,
): Omit<Finding, 'system'> {
  const ids = [...new Set(group.flatMap((h) => [h.record.advisory.id, ...h.record.advisory.aliases]))].sort();
  const cves = ids.filter((id) => id.startsWith('CVE-'));
  const records = group.map((h) => h.record.advisory.id).sort();
  const severity = group
    .map((h) => h.record.pkg.severity)
    .reduce((a, b) => (compareSeverity(b, a) > 0 ? b : a));
  let fixedIn: string | null = null;
  let clockStart: IsoDate | null = null;
  for (const h of group) {
    if (h.fixedIn === null) continue;
    if (fixedIn === null || compare(h.fixedIn, fixedIn) < 0) fixedIn = h.fixedIn;
    const published = h.record.advisory.published;
    const since =
      h.record.fixKnownSince && h.record.fixKnownSince > published ? h.record.fixKnownSince : published;
    const day = since.slice(0, 10);
    if (clockStart === null || day < clockStart) clockStart = day;
  }
  let state: FindingState;
  let deadline: IsoDate | null = null;
  let daysOpen: number | null = null;
  if (!severity.highRisk) state = 'not-high-risk';
  else if (fixedIn === null || clockStart === null) state = 'no-fix';
  else {
    deadline = addDays(clockStart, options.slaDays);
    daysOpen = Math.max(0, daysBetween(clockStart, options.effectiveDate));
    state = options.effectiveDate > deadline ? 'breached' : 'within-sla';
  }
  const summary = group.map((h) => h.record.advisory.summary).find((s) => s !== '') ?? '';
  return {
    ecosystem: pkg.ecosystem,
    package: pkg.name,
    version,
    id: cves[0] ?? records[0]!,
    ids,
    records,
    summary,
    severity,
    fixedIn,
    clockStart,
    deadline,
    daysOpen,
    state,
    change: 'new',
  };
}

const findingKey = (...parts: string[]) => parts.join('\u0000');

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
