// OSV's evaluation rule: a version is affected when it is listed, or when walking a range's sorted events
// leaves it "on" (introduced turns on, fixed turns off at or above, last_affected turns off above) and it is
// below a limit where there are limits.
import type { OsvAffected, OsvEvent, OsvPackage } from './osv.ts';
import type { VersionComparer } from './versions.ts';

export interface MatchResult {
  /** The lowest fixed version above the installed one, for the range that holds it; null when none is known. */
  fixedIn: string | null;
}

interface ReadyRange {
  semver: boolean;
  comparer: VersionComparer;
  events: OsvEvent[];
  /** Each event's version in the comparer's parsed form. */
  parsed: unknown[];
}

interface ReadyEntry {
  listed: ReadonlySet<string> | readonly string[];
  ranges: ReadyRange[];
  cap: OsvAffected['cap'];
}

/**
 * One record's view of one package, made ready to match many versions: each range's event versions are parsed
 * once, and a version is parsed once by its caller however many records it meets.
 */
export class PackageMatcher {
  private readonly entries: ReadyEntry[];
  /** Whether any range is a SEMVER one, read in SemVer order whatever the ecosystem. */
  readonly usesSemver: boolean;

  constructor(pkg: OsvPackage, comparer: VersionComparer, semver: VersionComparer) {
    let usesSemver = false;
    this.entries = pkg.affected.map((entry) => ({
      // Records that list every affected version can list hundreds.
      listed: entry.versions.length > 8 ? new Set(entry.versions) : entry.versions,
      cap: entry.cap,
      ranges: entry.ranges.map((range) => {
        const isSemver = range.type === 'SEMVER';
        usesSemver ||= isSemver;
        const c = isSemver ? semver : comparer;
        return {
          semver: isSemver,
          comparer: c,
          events: range.events,
          parsed: range.events.map((e) => c.parse(e.version)),
        };
      }),
    }));
    this.usesSemver = usesSemver;
  }

  /**
   * Whether `version` is affected, and the fix if one is known. `parsed` and `semverParsed` are the version as
   * the ecosystem's comparer and the SemVer one read it, undefined where it is not valid in that order.
   */
  match(version: string, parsed: unknown, semverParsed: unknown): MatchResult | null {
    let hit = false;
    let fixedIn: string | null = null;
    for (const entry of this.entries) {
      let entryHit = isListed(entry.listed, version);
      for (const range of entry.ranges) {
        const v = range.semver ? semverParsed : parsed;
        if (v === undefined) continue;
        const fix = inRange(version, v, range, entry.cap);
        if (fix !== NOT_AFFECTED) {
          entryHit = true;
          fixedIn = lower(fix, fixedIn, range.comparer);
        }
      }
      if (entryHit && fixedIn === null) {
        // Listed explicitly: a fix is any fixed event above the installed version in the same entry.
        for (const range of entry.ranges) {
          const v = range.semver ? semverParsed : parsed;
          if (v === undefined) continue;
          for (let i = 0; i < range.events.length; i++) {
            const e = range.events[i]!;
            if (e.kind === 'fixed' && range.comparer.compareParsed(range.parsed[i], v) > 0)
              fixedIn = lower(e.version, fixedIn, range.comparer);
          }
        }
      }
      hit ||= entryHit;
    }
    return hit ? { fixedIn } : null;
  }
}

function isListed(listed: ReadonlySet<string> | readonly string[], version: string): boolean {
  return Array.isArray(listed) ? listed.includes(version) : (listed as ReadonlySet<string>).has(version);
}

/** What inRange says of a version the range does not affect. */
const NOT_AFFECTED = undefined;

/** The fix for `version` in this range (null when none is known), or NOT_AFFECTED. */
function inRange(
  version: string,
  v: unknown,
  range: ReadyRange,
  cap: OsvAffected['cap'],
): string | null | typeof NOT_AFFECTED {
  const { comparer, events, parsed } = range;
  let affected = false;
  let fixedIn: string | null = null;
  let limits = 0;
  let belowLimit = false;
  let closed = false;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const e = parsed[i];
    switch (event.kind) {
      case 'introduced':
        if (event.version === '0' || comparer.compareParsed(v, e) >= 0) affected = true;
        break;
      case 'fixed':
        closed = true;
        if (comparer.compareParsed(v, e) >= 0) affected = false;
        else if (affected && fixedIn === null) fixedIn = event.version;
        break;
      case 'last_affected':
        closed = true;
        if (comparer.compareParsed(v, e) > 0) affected = false;
        break;
      case 'limit':
        limits++;
        if (event.version === '*' || comparer.compareParsed(v, e) < 0) belowLimit = true;
        break;
    }
  }
  if (limits > 0 && !belowLimit) affected = false;
  // GitHub's last-known-affected cap bounds a range that was left open; it is not a fix.
  if (affected && !closed && cap) {
    const c = comparer.compare(version, cap.version);
    if (cap.inclusive ? c > 0 : c >= 0) affected = false;
  }
  return affected ? fixedIn : NOT_AFFECTED;
}

function lower(candidate: string | null, current: string | null, comparer: VersionComparer): string | null {
  if (candidate === null) return current;
  return current === null || comparer.compare(candidate, current) < 0 ? candidate : current;
}

/** Whether `version` of the package is affected by this record, and the fix if one is known. */
export function matchPackage(
  version: string,
  pkg: OsvPackage,
  comparer: VersionComparer,
  semver: VersionComparer,
): MatchResult | null {
  return new PackageMatcher(pkg, comparer, semver).match(
    version,
    comparer.parse(version),
    semver.parse(version),
  );
}
