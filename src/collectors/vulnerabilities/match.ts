// OSV's evaluation rule: a version is affected when it is listed, or when walking a range's sorted events
// leaves it "on" (introduced turns on, fixed turns off at or above, last_affected turns off above) and it is
// below a limit where there are limits.
import type { OsvAffected, OsvPackage, OsvRange } from './osv.ts';
import type { VersionComparer } from './versions.ts';

export interface MatchResult {
  /** The lowest fixed version above the installed one, for the range that holds it; null when none is known. */
  fixedIn: string | null;
}

// Each range's event versions parsed once per comparer: a popular package meets every installed version of it.
const parsedEvents = new WeakMap<OsvRange, { comparer: VersionComparer; versions: unknown[] }>();

function eventVersions(range: OsvRange, comparer: VersionComparer): unknown[] {
  let cached = parsedEvents.get(range);
  if (cached?.comparer !== comparer) {
    cached = { comparer, versions: range.events.map((e) => comparer.parse(e.version)) };
    parsedEvents.set(range, cached);
  }
  return cached.versions;
}

function inRange(version: string, range: OsvRange, comparer: VersionComparer, cap: OsvAffected['cap']) {
  let affected = false;
  let fixedIn: string | null = null;
  let limits = 0;
  let belowLimit = false;
  let closed = false;
  const v = comparer.parse(version);
  const parsed = eventVersions(range, comparer);
  for (let i = 0; i < range.events.length; i++) {
    const event = range.events[i]!;
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
  return { affected, fixedIn };
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
  let hit = false;
  let fixedIn: string | null = null;
  for (const entry of pkg.affected) {
    let entryHit = entry.versions.length > 0 && entry.versions.includes(version);
    for (const range of entry.ranges) {
      const c = range.type === 'SEMVER' ? semver : comparer;
      if (!c.valid(version)) continue;
      const r = inRange(version, range, c, entry.cap);
      if (r.affected) {
        entryHit = true;
        fixedIn = lower(r.fixedIn, fixedIn, c);
      }
    }
    if (entryHit && fixedIn === null) {
      // Listed explicitly: a fix is any fixed event above the installed version in the same entry.
      for (const range of entry.ranges) {
        const c = range.type === 'SEMVER' ? semver : comparer;
        if (!c.valid(version)) continue;
        for (const e of range.events)
          if (e.kind === 'fixed' && c.compare(e.version, version) > 0) fixedIn = lower(e.version, fixedIn, c);
      }
    }
    hit ||= entryHit;
  }
  return hit ? { fixedIn } : null;
}
