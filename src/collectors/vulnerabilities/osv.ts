// Reads one OSV record into what matching needs, checking it on the way: every range must be possible, every
// version readable in its ecosystem's order. A bad record is named with its element, for the import to skip.
import { z } from 'zod';
import { normalisePackageName } from './ecosystems.ts';
import { severityOf, type Severity } from './severity.ts';
import { comparerNameFor, createComparers, type VersionComparer } from './versions.ts';

export type OsvEventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

export interface OsvEvent {
  kind: OsvEventKind;
  version: string;
}

export interface OsvRange {
  type: 'SEMVER' | 'ECOSYSTEM';
  /** Sorted in the range's version order, `introduced: "0"` first. */
  events: OsvEvent[];
}

export interface OsvAffected {
  versions: string[];
  ranges: OsvRange[];
  /** GitHub's `last_known_affected_version_range` ("<= 1.2.3", "< 2.0"): the only cap on an open range. */
  cap: { inclusive: boolean; version: string } | null;
}

/** What one record says about one package. */
export interface OsvPackage {
  ecosystem: string;
  name: string;
  affected: OsvAffected[];
  severity: Severity;
  /** Whether any range names a fixed version. */
  hasFix: boolean;
}

export interface OsvAdvisory {
  id: string;
  modified: string;
  published: string;
  aliases: string[];
  summary: string;
}

export interface ParsedOsvRecord {
  advisory: OsvAdvisory;
  withdrawn: boolean;
  packages: OsvPackage[];
  /** Packages of ecosystems we cannot check, left out. */
  otherPackages: number;
}

export interface OsvProblem {
  where: string;
  message: string;
}

const EVENT_KINDS: readonly string[] = ['introduced', 'fixed', 'last_affected', 'limit'];

const vectorSchema = z.object({ type: z.string(), score: z.string() });
const recordSchema = z.object({
  id: z.string().min(1),
  modified: z.string().min(1),
  published: z.string().optional(),
  withdrawn: z.string().optional(),
  aliases: z.array(z.string()).nullish(),
  summary: z.string().nullish(),
  details: z.string().nullish(),
  severity: z.array(vectorSchema).nullish(),
  affected: z
    .array(
      z.object({
        package: z.object({ ecosystem: z.string().min(1), name: z.string().min(1) }),
        severity: z.array(vectorSchema).nullish(),
        ranges: z
          .array(
            z.object({
              type: z.string(),
              events: z.array(z.record(z.string(), z.unknown())),
            }),
          )
          .nullish(),
        versions: z.array(z.string()).nullish(),
        ecosystem_specific: z.record(z.string(), z.unknown()).nullish(),
        database_specific: z.record(z.string(), z.unknown()).nullish(),
      }),
    )
    .nullish(),
  database_specific: z.record(z.string(), z.unknown()).nullish(),
});

/** The ecosystem as we key it, or undefined for ecosystems we cannot check. */
export function normaliseEcosystem(ecosystem: string): string | undefined {
  const name = comparerNameFor(ecosystem);
  if (name === undefined) return undefined;
  if (name === 'debian') {
    const release = ecosystem.split(':')[1];
    return release ? `Debian:${release}` : undefined;
  }
  return ecosystem.split(':')[0];
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[.\d]*(Z|[+-]\d{2}:\d{2})$/;

export type ParseOutcome = { ok: true; record: ParsedOsvRecord } | { ok: false; problem: OsvProblem };

export function parseOsvRecord(
  value: unknown,
  comparers: ReturnType<typeof createComparers> = createComparers(),
): ParseOutcome {
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return bad(pathOf(issue.path), issue.message.replace(/^Invalid input: /, ''));
  }
  const r = parsed.data;
  for (const [field, text] of [
    ['modified', r.modified],
    ['published', r.published],
    ['withdrawn', r.withdrawn],
  ] as const)
    if (text !== undefined && !TIMESTAMP.test(text))
      return bad(field, `"${text}" is not an RFC 3339 timestamp`);

  const packages: OsvPackage[] = [];
  let otherPackages = 0;
  const byKey = new Map<string, OsvPackage>();
  for (const [i, entry] of (r.affected ?? []).entries()) {
    const ecosystem = normaliseEcosystem(entry.package.ecosystem);
    if (ecosystem === undefined) {
      otherPackages++;
      continue;
    }
    const comparer = comparers[comparerNameFor(ecosystem)!];
    const name = normalisePackageName(ecosystem, entry.package.name);
    const ranges: OsvRange[] = [];
    for (const [j, range] of (entry.ranges ?? []).entries()) {
      const where = `affected[${i}].ranges[${j}]`;
      if (range.type === 'GIT') continue;
      if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM')
        return bad(`${where}.type`, `unknown range type "${range.type}"; expected SEMVER, ECOSYSTEM or GIT`);
      const checked = checkRange(range.events, range.type === 'SEMVER' ? comparers.semver : comparer, where);
      if (!checked.ok) return checked;
      ranges.push({ type: range.type, events: checked.events });
    }
    const versions = entry.versions ?? [];
    if (ranges.length === 0 && versions.length === 0 && (entry.ranges ?? []).length === 0)
      return bad(`affected[${i}]`, 'names a package but neither versions nor ranges');
    const affected: OsvAffected = {
      versions: ecosystem === 'Go' ? versions.map(stripV) : versions,
      ranges,
      cap: capOf(entry.database_specific?.['last_known_affected_version_range']),
    };
    const severity = severityOf({
      vectors: entry.severity && entry.severity.length > 0 ? entry.severity : (r.severity ?? []),
      ghsaLabel: r.database_specific?.['severity'],
      urgency: entry.ecosystem_specific?.['urgency'] ?? entry.database_specific?.['urgency'],
    });
    const hasFix = ranges.some((range) => range.events.some((e) => e.kind === 'fixed'));
    const key = `${ecosystem}\u0000${name}`;
    const existing = byKey.get(key);
    // A record may list a package several times (one range each): one package, several affected entries.
    if (existing) {
      existing.affected.push(affected);
      existing.hasFix ||= hasFix;
    } else {
      const pkg: OsvPackage = { ecosystem, name, affected: [affected], severity, hasFix };
      byKey.set(key, pkg);
      packages.push(pkg);
    }
  }
  return {
    ok: true,
    record: {
      advisory: {
        id: r.id,
        modified: r.modified,
        published: r.published ?? r.modified,
        aliases: [...new Set(r.aliases ?? [])].filter((a) => a !== r.id),
        summary: (r.summary ?? r.details ?? '').slice(0, 300),
      },
      withdrawn: r.withdrawn !== undefined,
      packages,
      otherPackages,
    },
  };
}

function checkRange(
  raw: Record<string, unknown>[],
  comparer: VersionComparer,
  where: string,
): { ok: true; events: OsvEvent[] } | { ok: false; problem: OsvProblem } {
  if (raw.length === 0) return bad(`${where}.events`, 'has no events');
  const events: OsvEvent[] = [];
  for (const [k, event] of raw.entries()) {
    const keys = Object.keys(event);
    const at = `${where}.events[${k}]`;
    if (keys.length !== 1 || !EVENT_KINDS.includes(keys[0]!))
      return bad(
        at,
        `expected exactly one of introduced, fixed, last_affected or limit; found ${keys.join(', ') || 'nothing'}`,
      );
    const kind = keys[0] as OsvEventKind;
    const version = event[kind];
    if (typeof version !== 'string' || version.trim() === '')
      return bad(`${at}.${kind}`, 'expected a version');
    const special = (kind === 'introduced' && version === '0') || (kind === 'limit' && version === '*');
    if (!special && !comparer.valid(version))
      return bad(`${at}.${kind}`, `"${version}" is not a valid ${comparer.name} version`);
    events.push({ kind, version });
  }
  if (!events.some((e) => e.kind === 'introduced')) return bad(`${where}.events`, 'has no introduced event');
  if (events.some((e) => e.kind === 'fixed') && events.some((e) => e.kind === 'last_affected'))
    return bad(`${where}.events`, 'has both fixed and last_affected, which the OSV schema forbids');
  const sorted = sortEvents(events, comparer);
  // A fix before anything was introduced, or a fix at the very version that introduced the flaw, is a range
  // that cannot hold: the record is wrong, so it is reported rather than silently matching nothing.
  const first = sorted[0]!;
  if (first.kind === 'fixed' || first.kind === 'last_affected') {
    const introduced = sorted.find((e) => e.kind === 'introduced')!;
    return bad(
      `${where}.events`,
      `${first.kind} ${first.version} comes before introduced ${introduced.version}`,
    );
  }
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (
      a.kind === 'introduced' &&
      b.kind === 'fixed' &&
      a.version !== '0' &&
      comparer.compare(a.version, b.version) === 0
    )
      return bad(`${where}.events`, `introduced and fixed are both ${a.version}, so no version is affected`);
  }
  return { ok: true, events: sorted };
}

/** Events in version order; `introduced: "0"` first and `limit: "*"` last, whatever the comparer says. */
export function sortEvents(events: OsvEvent[], comparer: VersionComparer): OsvEvent[] {
  const rank = (e: OsvEvent) =>
    e.kind === 'introduced' && e.version === '0' ? -1 : e.kind === 'limit' && e.version === '*' ? 1 : 0;
  return [...events].sort(
    (a, b) => rank(a) - rank(b) || (rank(a) === 0 ? comparer.compare(a.version, b.version) : 0),
  );
}

function capOf(value: unknown): OsvAffected['cap'] {
  if (typeof value !== 'string') return null;
  const m = /^\s*(<=|<)\s*(\S+)\s*$/.exec(value);
  return m ? { inclusive: m[1] === '<=', version: m[2]! } : null;
}

const stripV = (v: string) => (v.startsWith('v') ? v.slice(1) : v);

function bad(where: string, message: string): { ok: false; problem: OsvProblem } {
  return { ok: false, problem: { where: where || 'record', message } };
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}
