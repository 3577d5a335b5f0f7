// One version order per ecosystem, behind one interface. Parsed versions are cached per comparer, because a
// fleet repeats the same few versions of each package thousands of times.
import { compareDebianParsed, parseDebianVersion } from './debian-version.ts';
import { compareMavenParsed, parseMavenVersion } from './maven-version.ts';
import { comparePypiParsed, parsePypiVersion } from './pypi-version.ts';
import { compareSemverParsed, parseSemver } from './semver-version.ts';

export interface VersionComparer {
  readonly name: 'semver' | 'npm' | 'go' | 'pypi' | 'maven' | 'debian';
  /** False when the text cannot be read as a version of this ecosystem. */
  valid(version: string): boolean;
  /** Negative, zero or positive; throws only for a version `valid` rejects. */
  compare(a: string, b: string): number;
  /** The parsed form, for callers that compare one version with many: undefined when not valid. */
  parse(version: string): unknown;
  compareParsed(a: unknown, b: unknown): number;
}

function cached<T>(
  name: VersionComparer['name'],
  parse: (text: string) => T | undefined,
  compare: (a: T, b: T) => number,
): VersionComparer {
  const cache = new Map<string, T | null>();
  const get = (text: string): T | undefined => {
    let parsed = cache.get(text);
    if (parsed === undefined) {
      parsed = parse(text) ?? null;
      // A bounded cache: a pathological input must not grow memory without limit.
      if (cache.size > 200_000) cache.clear();
      cache.set(text, parsed);
    }
    return parsed ?? undefined;
  };
  return {
    name,
    parse: get,
    compareParsed: compare as (a: unknown, b: unknown) => number,
    valid: (v) => get(v) !== undefined,
    compare(a, b) {
      const x = get(a);
      const y = get(b);
      if (x === undefined || y === undefined)
        throw new RangeError(`"${x === undefined ? a : b}" is not a ${name} version`);
      return compare(x, y);
    },
  };
}

const stripV = (v: string) => (v.startsWith('v') ? v.slice(1) : v);

export function createComparers(): Record<VersionComparer['name'], VersionComparer> {
  const semver = cached('semver', parseSemver, compareSemverParsed);
  return {
    semver,
    npm: { ...semver, name: 'npm' },
    // Go module versions carry a leading "v" that OSV records leave out.
    go: cached('go', (v) => parseSemver(stripV(v)), compareSemverParsed),
    pypi: cached('pypi', parsePypiVersion, comparePypiParsed),
    maven: cached('maven', parseMavenVersion, compareMavenParsed),
    debian: cached('debian', parseDebianVersion, compareDebianParsed),
  };
}

export { CHECKED_ECOSYSTEMS, comparerNameFor } from './ecosystems.ts';
