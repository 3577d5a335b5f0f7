// The pure analysis of a fleet scan: components grouped by package and version, matched against the OSV
// records for those packages, one finding per vulnerability (aliases merged) per component, the 14-day rule,
// and what changed since the previous run. No I/O: the caller supplies the inventories and the records.
import type { IsoDate } from '../../domain/assessment.ts';
import { addDays, daysBetween } from '../../domain/dates.ts';
import {
  addProblem,
  componentsByEcosystem,
  type Fleet,
  type FleetPackage,
  type FleetVersion,
} from './fleet.ts';
import type { InventoryProblem } from './inventory.ts';
import { PackageMatcher } from './match.ts';
import type { OsvAdvisory, OsvPackage } from './osv.ts';
import { compareSeverity, type Severity } from './severity.ts';
import { comparerNameFor, createComparers } from './versions.ts';

export {
  addProblem,
  addToFleet,
  createFleet,
  packageKey,
  packagesToLookUp,
  readIntoFleet,
  type Fleet,
} from './fleet.ts';

/** The SLA rule, in words, for the reports. */
export const SLA_RULE =
  'A high-risk finding (CVSS 7.0 or above, or rated HIGH or CRITICAL) with a fixed version available breaches the ' +
  'patching rule when it is still installed more than the allowed number of days after the fix became known. ' +
  "OSV records carry no release date for fixes, so the clock starts on the advisory's published date; where an " +
  'earlier import of the same advisory had no fix for the package and a later one does, the clock starts at the ' +
  'later version of the advisory (its modified time), the first moment the fix is known to have existed. With ' +
  'several advisories for one vulnerability, the earliest such date counts. Findings with no fix yet cannot ' +
  'breach the rule and are listed apart.';

/**
 * One stored record's view of one package, as the index returns it. The index may work `pkg` out afresh each
 * time it is read, so that a scan does not hold every record's ranges while it reads: the analysis reads it
 * once per package and lets it go once that package is matched.
 */
export interface PackageAdvisory {
  readonly advisory: OsvAdvisory;
  readonly pkg: OsvPackage;
  /** When the fix was first known: the published time, or a later `modified` (see SLA_RULE). */
  readonly fixKnownSince: string | null;
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
  /** The index's records for each package, by `ecosystem \0 name` (FleetPackage.key). */
  advisories: { get(key: string): readonly PackageAdvisory[] | undefined },
  options: AnalyseOptions,
): ScanReport {
  const comparers = createComparers();
  const described = new Describer(options);
  // Each package version is matched once, and its findings fan out to the systems holding it.
  const bases: Base[] = [];
  const baseNodes: FleetVersion[] = [];
  const unreadable: { ecosystem: string; name: string; version: string; kind: string }[] = [];
  let checked = 0;
  for (const pkg of fleet.packages.values()) {
    const comparerName = comparerNameFor(pkg.ecosystem);
    const covered = comparerName !== undefined && options.coveredEcosystems.has(pkg.ecosystem);
    if (!covered) continue;
    const comparer = comparers[comparerName];
    const records = advisories.get(pkg.key) ?? [];
    let matchers: PackageMatcher[] | undefined;
    let severities: Severity[] = [];
    // Each record's clock start, worked out when a version first hits it: most records hit nothing.
    let clockStarts: (IsoDate | undefined)[] = [];
    let semver = false;
    // The same records hit many versions of a package: what a group of them says is worked out once.
    // Keyed by the records' indexes: one record's by its index alone, several joined.
    const groups = new Map<number | string, GroupFacts>();
    for (const node of pkg.versions.values()) {
      const version = node.version;
      const parsed = comparer.parse(version);
      if (parsed === undefined) {
        unreadable.push({ ecosystem: pkg.ecosystem, name: pkg.name, version, kind: comparer.name });
        continue;
      }
      checked += node.copies;
      if (records.length === 0) continue;
      if (!matchers) {
        const pkgs = records.map((r) => r.pkg);
        matchers = pkgs.map((p) => new PackageMatcher(p, comparer, comparers.semver));
        severities = pkgs.map((p) => p.severity);
        semver = matchers.some((m) => m.usesSemver);
        clockStarts = new Array<IsoDate | undefined>(records.length);
      }
      const semverParsed = semver ? comparers.semver.parse(version) : undefined;
      const hits: Hit[] = [];
      for (let i = 0; i < records.length; i++) {
        const hit = matchers[i]!.match(version, parsed, semverParsed);
        if (hit) hits.push({ record: records[i]!, index: i, fixedIn: hit.fixedIn, severity: severities[i]! });
      }
      if (hits.length === 0) continue;
      for (const group of mergeAliases(hits)) {
        const key = group.length === 1 ? group[0]!.index : group.map((h) => h.index).join(',');
        let facts = groups.get(key);
        if (!facts) {
          facts = groupFacts(group);
          groups.set(key, facts);
        }
        bases.push(described.finding(facts, group, clockStarts, pkg, version, comparer.compare));
        baseNodes.push(node);
      }
    }
  }
  const findings: Finding[] = [];
  const baseOf: number[] = [];
  const systemOf: number[] = [];
  const holding: number[] = [];
  for (let b = 0; b < bases.length; b++) {
    holding.length = 0;
    baseNodes[b]!.systemsInto(holding);
    for (const system of holding) {
      findings.push(findingOf(bases[b]!, fleet.systems[system]!));
      baseOf.push(b);
      systemOf.push(system);
    }
  }

  // Versions that cannot be read are listed by package and version, and the findings are put in order before they
  // are matched with the previous run's: the report is then the same whatever order the fleet met the packages
  // and systems in (worker threads add their fleets together in the order they finish).
  unreadable.sort(
    (a, b) => cmp(a.ecosystem, b.ecosystem) || cmp(a.name, b.name) || cmp(a.version, b.version),
  );
  for (const u of unreadable)
    addProblem(fleet, {
      where: `${u.ecosystem} ${u.name}`,
      message: `"${u.version}" is not a valid ${u.kind} version, so it was not checked`,
    });
  const order = sortFindings(findings, bases, baseNodes, baseOf, systemOf, fleet.systems);
  const fixed = markStillOpen(
    fleet,
    findings,
    order,
    baseNodes,
    baseOf,
    systemOf,
    options.previous?.findings ?? [],
  );
  const sorted = order.map((i) => findings[i]!);
  const totals = {
    findings: sorted.length,
    highRisk: 0,
    breached: 0,
    withinSla: 0,
    noFix: 0,
    notHighRisk: 0,
    new: 0,
    stillOpen: 0,
    fixed: fixed.length,
  };
  for (const f of sorted) {
    if (f.severity.highRisk) totals.highRisk++;
    if (f.state === 'breached') totals.breached++;
    else if (f.state === 'within-sla') totals.withinSla++;
    else if (f.state === 'no-fix') totals.noFix++;
    else totals.notHighRisk++;
    if (f.change === 'new') totals.new++;
  }
  totals.stillOpen = sorted.length - totals.new;
  const coverage: CoverageLine[] = [...componentsByEcosystem(fleet)]
    .map(([ecosystem, components]) => ({
      ecosystem,
      components,
      checkable: comparerNameFor(ecosystem) !== undefined && ecosystem !== 'Debian',
      osvData: options.coveredEcosystems.has(ecosystem),
    }))
    .sort((a, b) => b.components - a.components || cmp(a.ecosystem, b.ecosystem));
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
    totals,
    previousRun: options.previous?.effectiveDate ?? null,
    findings: sorted,
    fixed,
    problems: { count: fleet.problemCount, shown: fleet.problems },
  };
}

type Base = Omit<Finding, 'system'>;

/** A finding, built with one shape for all: a fleet can have hundreds of thousands. */
function findingOf(base: Base, system: string): Finding {
  return {
    ecosystem: base.ecosystem,
    package: base.package,
    version: base.version,
    id: base.id,
    ids: base.ids,
    records: base.records,
    summary: base.summary,
    severity: base.severity,
    fixedIn: base.fixedIn,
    clockStart: base.clockStart,
    deadline: base.deadline,
    daysOpen: base.daysOpen,
    state: base.state,
    change: base.change,
    system,
  };
}

type PreviousFinding = NonNullable<AnalyseOptions['previous']>['findings'][number];

/**
 * Between runs a finding is the same when its system, package and vulnerability match: first at the same
 * version, then at any version (an upgrade that did not reach the fix leaves the finding open). Marks the
 * findings still open, taking them in the report's order, and returns the previous ones that are gone. A
 * previous finding is found in the fleet once, by its system and package version; one on a system or package
 * the fleet no longer has is gone. Places are numbered (the package version or package, times the systems,
 * plus the system), so that each finding looks its place up once by a number rather than through a map per
 * part.
 */
function markStillOpen(
  fleet: Fleet,
  findings: Finding[],
  order: readonly number[],
  baseNodes: FleetVersion[],
  baseOf: number[],
  systemOf: number[],
  previous: readonly PreviousFinding[],
): FixedFinding[] {
  if (previous.length === 0) return [];
  // Only the package versions and packages with a finding now can hold a previous finding that is still open.
  // Each base's version and package are numbered once, for its findings to look up by the base.
  const versionNo = new Map<FleetVersion, number>();
  const packageNo = new Map<FleetPackage, number>();
  const baseVersionNo = new Int32Array(baseNodes.length);
  const basePackageNo = new Int32Array(baseNodes.length);
  baseNodes.forEach((node, b) => {
    let v = versionNo.get(node);
    if (v === undefined) versionNo.set(node, (v = versionNo.size));
    let p = packageNo.get(node.pkg);
    if (p === undefined) packageNo.set(node.pkg, (p = packageNo.size));
    baseVersionNo[b] = v;
    basePackageNo[b] = p;
  });
  const systems = fleet.systems.length;
  const previousIds = previous.map((f) => (f.ids.length > 0 ? f.ids : [f.id]));
  // Each previous finding's place at its version and at its package, -1 where the fleet has none now.
  const versionPlaces = new Float64Array(previous.length).fill(-1);
  const packagePlaces = new Float64Array(previous.length).fill(-1);
  previous.forEach((f, i) => {
    const system = fleet.systemIndex.get(f.system);
    const pkg = fleet.byName.get(f.ecosystem)?.get(f.package);
    if (system === undefined || !pkg) return;
    const node = pkg.versions.get(f.version);
    const v = node && versionNo.get(node);
    const p = packageNo.get(pkg);
    if (v !== undefined) versionPlaces[i] = v * systems + system;
    if (p !== undefined) packagePlaces[i] = p * systems + system;
  });
  const stillThere = new Uint8Array(previous.length);
  for (const withVersion of [true, false]) {
    // Place -> the previous findings there, in their order.
    const atPlace = new Map<number, number[]>();
    const places = withVersion ? versionPlaces : packagePlaces;
    const baseNo = withVersion ? baseVersionNo : basePackageNo;
    for (let i = 0; i < previous.length; i++) {
      const place = places[i]!;
      if (stillThere[i] || place < 0) continue;
      const list = atPlace.get(place);
      if (list) list.push(i);
      else atPlace.set(place, [i]);
    }
    if (atPlace.size === 0) continue;
    for (const n of order) {
      const f = findings[n]!;
      if (f.change === 'still-open') continue;
      const candidates = atPlace.get(baseNo[baseOf[n]!]! * systems + systemOf[n]!);
      if (!candidates) continue;
      // The finding's names in order, each matched with the first previous finding of that name not yet taken.
      found: for (const id of f.ids)
        for (const i of candidates)
          if (!stillThere[i] && previousIds[i]!.includes(id)) {
            f.change = 'still-open';
            stillThere[i] = 1;
            break found;
          }
    }
  }
  const fixed: FixedFinding[] = [];
  previous.forEach((f, i) => {
    if (!stillThere[i])
      fixed.push({
        system: f.system,
        ecosystem: f.ecosystem,
        package: f.package,
        version: f.version,
        id: f.id,
      });
  });
  return fixed;
}

const STATE_ORDER: Record<FindingState, number> = {
  breached: 0,
  'within-sla': 1,
  'no-fix': 2,
  'not-high-risk': 3,
};
const LABEL_ORDER = ['CRITICAL', 'HIGH', 'MODERATE', 'LOW'];

/**
 * The order of the findings (their indexes): by state, risk and severity (worst first), then system, ecosystem,
 * package, version and vulnerability, a total order. Each part is ranked once, so that a fleet's 100,000
 * findings are put in order by numbers rather than by a key string built for each: the bases (a package
 * version's finding, before it fans out to systems) are put in order once, and each finding goes, in that
 * order, to the group of its severity and system; the groups then follow one another in their own order. A
 * base holds at most one finding per system, so nothing is left tied.
 */
function sortFindings(
  findings: Finding[],
  bases: Base[],
  baseNodes: readonly FleetVersion[],
  baseOf: number[],
  systemOf: number[],
  systems: string[],
): number[] {
  const severityRank = bases.map((f) => {
    const risk = f.severity.highRisk ? 0 : 1;
    const score = 100 - Math.round((f.severity.score ?? 0) * 10);
    const label = f.severity.label === null ? 4 : LABEL_ORDER.indexOf(f.severity.label);
    return ((STATE_ORDER[f.state] * 2 + risk) * 101 + score) * 5 + label;
  });
  const baseOrder = basesInOrder(bases, baseNodes);
  const systemRank = ranks(systems, cmp);
  // Each base's findings lie side by side, in the order the bases were made.
  const firstOf = new Int32Array(bases.length + 1).fill(findings.length);
  for (let n = findings.length - 1; n >= 0; n--) firstOf[baseOf[n]!] = n;
  for (let b = bases.length - 1; b >= 0; b--) firstOf[b] = Math.min(firstOf[b]!, firstOf[b + 1]!);
  const groups = new Map<number, number[]>();
  for (const b of baseOrder)
    for (let n = firstOf[b]!; n < findings.length && baseOf[n] === b; n++) {
      const key = severityRank[b]! * systems.length + systemRank[systemOf[n]!]!;
      const group = groups.get(key);
      if (group) group.push(n);
      else groups.set(key, [n]);
    }
  const order: number[] = [];
  for (const key of [...groups.keys()].sort((a, b) => a - b)) for (const n of groups.get(key)!) order.push(n);
  return order;
}

/**
 * The bases' indexes in order of ecosystem, package, version and vulnerability. The bases come package by
 * package, so the packages are put in order, then each one's few bases: far fewer comparisons than putting every
 * base in order at once.
 */
function basesInOrder(bases: readonly Base[], baseNodes: readonly FleetVersion[]): number[] {
  const starts: number[] = [];
  for (let b = 0; b < bases.length; b++)
    if (b === 0 || baseNodes[b]!.pkg !== baseNodes[b - 1]!.pkg) starts.push(b);
  starts.sort(
    (x, y) => cmp(bases[x]!.ecosystem, bases[y]!.ecosystem) || cmp(bases[x]!.package, bases[y]!.package),
  );
  const order: number[] = [];
  for (const start of starts) {
    const first = order.length;
    const pkg = baseNodes[start]!.pkg;
    for (let b = start; b < bases.length && baseNodes[b]!.pkg === pkg; b++) order.push(b);
    if (order.length - first > 1) {
      const run = order
        .slice(first)
        .sort((x, y) => cmp(bases[x]!.version, bases[y]!.version) || cmp(bases[x]!.id, bases[y]!.id));
      for (let i = 0; i < run.length; i++) order[first + i] = run[i]!;
    }
  }
  return order;
}

/** The items' indexes in sorted order. */
function sortedOrder<T>(items: readonly T[], compare: (a: T, b: T) => number): number[] {
  return Array.from(items.keys()).sort((a, b) => compare(items[a]!, items[b]!));
}

/** Each item's place in the sorted order of all of them. */
function ranks<T>(items: readonly T[], compare: (a: T, b: T) => number): Int32Array {
  const order = sortedOrder(items, compare);
  const rank = new Int32Array(items.length);
  order.forEach((i, r) => (rank[i] = r));
  return rank;
}

type Hit = { record: PackageAdvisory; index: number; fixedIn: string | null; severity: Severity };

/** Groups the records that name the same vulnerability (sharing an ID or alias) into one. */
function mergeAliases(hits: Hit[]): Hit[][] {
  if (hits.length === 1) return [hits];
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
    const group = groups.get(root);
    if (group) group.push(h);
    else groups.set(root, [h]);
  });
  return [...groups.values()];
}

/** What a group of records says whatever the version: its names, the worst severity, a summary. */
interface GroupFacts {
  id: string;
  ids: string[];
  records: string[];
  severity: Severity;
  summary: string;
}

function groupFacts(group: Hit[]): GroupFacts {
  const ids = [...new Set(group.flatMap((h) => [h.record.advisory.id, ...h.record.advisory.aliases]))].sort();
  const records = group.map((h) => h.record.advisory.id).sort();
  const severity = group.map((h) => h.severity).reduce((a, b) => (compareSeverity(b, a) > 0 ? b : a));
  return {
    id: ids.find((id) => id.startsWith('CVE-')) ?? records[0]!,
    ids,
    records,
    severity,
    summary: group.map((h) => h.record.advisory.summary).find((s) => s !== '') ?? '',
  };
}

/** The day a record's fix became known, where the SLA clock starts if it has a fix (see SLA_RULE). */
function clockStartOf(record: PackageAdvisory): IsoDate {
  const published = record.advisory.published;
  const since = record.fixKnownSince && record.fixKnownSince > published ? record.fixKnownSince : published;
  return since.slice(0, 10);
}

/** Findings at one version, and the deadline of each clock start worked out once. */
class Describer {
  private readonly deadlines = new Map<IsoDate, { deadline: IsoDate; daysOpen: number }>();
  constructor(private readonly options: AnalyseOptions) {}

  finding(
    facts: GroupFacts,
    group: Hit[],
    clockStarts: (IsoDate | undefined)[],
    pkg: { ecosystem: string; name: string },
    version: string,
    compare: (a: string, b: string) => number,
  ): Base {
    let fixedIn: string | null = null;
    let clockStart: IsoDate | null = null;
    for (const h of group) {
      if (h.fixedIn === null) continue;
      if (fixedIn === null || compare(h.fixedIn, fixedIn) < 0) fixedIn = h.fixedIn;
      const day = (clockStarts[h.index] ??= clockStartOf(h.record));
      if (clockStart === null || day < clockStart) clockStart = day;
    }
    let state: FindingState;
    let deadline: IsoDate | null = null;
    let daysOpen: number | null = null;
    if (!facts.severity.highRisk) state = 'not-high-risk';
    else if (fixedIn === null || clockStart === null) state = 'no-fix';
    else {
      let clock = this.deadlines.get(clockStart);
      if (!clock) {
        clock = {
          deadline: addDays(clockStart, this.options.slaDays),
          daysOpen: Math.max(0, daysBetween(clockStart, this.options.effectiveDate)),
        };
        this.deadlines.set(clockStart, clock);
      }
      ({ deadline, daysOpen } = clock);
      state = this.options.effectiveDate > deadline ? 'breached' : 'within-sla';
    }
    return {
      ecosystem: pkg.ecosystem,
      package: pkg.name,
      version,
      id: facts.id,
      ids: facts.ids,
      records: facts.records,
      summary: facts.summary,
      severity: facts.severity,
      fixedIn,
      clockStart,
      deadline,
      daysOpen,
      state,
      change: 'new',
    };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
