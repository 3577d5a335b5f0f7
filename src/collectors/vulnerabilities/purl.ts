// Package URLs to OSV terms: `pkg:npm/%40scope/name@1.0` is npm's "@scope/name", Maven joins group and
// artifact with a colon, Debian takes its release from the `distro` qualifier. The plain form that nearly every
// SBOM writes is read here directly; anything else (escapes, subpaths, odd qualifiers, other types) is left to
// packageurl-js, and a property test holds the two to the same answers.
import { PackageURL } from 'packageurl-js';
import { debianRelease } from './inventory.ts';
import { normalisePackageName } from './ecosystems.ts';

export interface PurlComponent {
  ecosystem: string;
  name: string;
  version: string;
}

const OTHER_TYPES: Record<string, string> = {
  composer: 'Packagist',
  cargo: 'crates.io',
  gem: 'RubyGems',
  nuget: 'NuGet',
  hex: 'Hex',
  pub: 'Pub',
};

/** The component a purl names, or an error message. `distro` is the fallback Debian release. */
export function componentOfPurl(text: string, distro?: string): PurlComponent | { error: string } {
  return plainComponentOfPurl(text, distro) ?? libraryComponentOfPurl(text, distro);
}

/** componentOfPurl by packageurl-js alone: the reference the plain reading is held to. */
export function libraryComponentOfPurl(text: string, distro?: string): PurlComponent | { error: string } {
  let purl: PackageURL;
  try {
    purl = PackageURL.fromString(text);
  } catch (e) {
    return { error: `invalid purl "${text}": ${(e as Error).message.replace(/^Invalid purl: /i, '')}` };
  }
  const version = purl.version ?? '';
  const ns = purl.namespace ?? '';
  switch (purl.type) {
    case 'npm':
      return { ecosystem: 'npm', name: ns ? `${ns}/${purl.name}` : purl.name, version };
    case 'pypi':
      return { ecosystem: 'PyPI', name: normalisePackageName('PyPI', purl.name), version };
    case 'maven':
      if (!ns) return { error: `Maven purl "${text}" has no group (namespace)` };
      return { ecosystem: 'Maven', name: `${ns}:${purl.name}`, version };
    case 'golang':
      return { ecosystem: 'Go', name: ns ? `${ns}/${purl.name}` : purl.name, version: goVersion(version) };
    case 'deb':
      return debComponent(ns, purl.name, version, purl.qualifiers?.['distro'], distro);
    default:
      return {
        ecosystem: OTHER_TYPES[purl.type] ?? purl.type,
        name: ns ? `${ns}/${purl.name}` : purl.name,
        version,
      };
  }
}

const goVersion = (version: string) => (version.startsWith('v') ? version.slice(1) : version);

function debComponent(
  ns: string,
  name: string,
  version: string,
  qualifier: string | undefined,
  distro: string | undefined,
): PurlComponent {
  if (ns.toLowerCase() !== 'debian') return { ecosystem: `deb/${ns || 'unknown'}`, name, version };
  const release = debianRelease(qualifier) ?? debianRelease(distro);
  return { ecosystem: release ? `Debian:${release}` : 'Debian', name, version };
}

// `pkg:type/segment/.../name@version?key=value&...` of the five types we check, in plain characters: no escape
// but a leading %40 (npm's scope) and %2B, %3A or %7E in the version, no subpath. In this form no step of
// packageurl-js's reading (URL parsing, decoding, normalising, validating) changes or refuses anything beyond
// what is done below; anything else goes to packageurl-js.
const PLAIN = /^pkg:(npm|pypi|maven|golang|deb)\/((?:%40)?[\w./-]+)@([\w.+~:%-]+)$/;
const PLAIN_QUERY = /^[\w.=&-]*$/;
const PLAIN_ESCAPES = /^(?:[^%]|%(?:2[Bb]|3[Aa]|7[Ee]))*$/;
/** An empty, `.` or `..` segment, which URL parsing and packageurl-js treat in ways of their own. */
const ODD_SEGMENT = /(?:^|\/)\.{0,2}(?:\/|$)/;
/** Versions packageurl-js accepts after a "v" for golang; it checks any other more closely. */
const PLAIN_GO_VERSION = /^v(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})$/;
/** A qualifier key that starts with a digit, which packageurl-js refuses in words of its own. */
const DIGIT_KEY = /(?:^|&)\d/;

function plainComponentOfPurl(text: string, distro: string | undefined): PurlComponent | undefined {
  const q = text.indexOf('?');
  const query = q < 0 ? undefined : text.slice(q + 1);
  if (query !== undefined && !PLAIN_QUERY.test(query)) return undefined;
  const m = PLAIN.exec(q < 0 ? text : text.slice(0, q));
  if (!m) return undefined;
  const type = m[1]!;
  let path = m[2]!;
  let version = m[3]!;
  if (ODD_SEGMENT.test(path) || (query && DIGIT_KEY.test(query))) return undefined;
  if (version.includes('%')) {
    if (!PLAIN_ESCAPES.test(version)) return undefined;
    version = decodeURIComponent(version);
  }
  if (path.startsWith('%40')) {
    if (type !== 'npm') return undefined;
    path = `@${path.slice(3)}`;
  }
  const slash = path.lastIndexOf('/');
  const ns = slash < 0 ? '' : path.slice(0, slash);
  const name = slash < 0 ? path : path.slice(slash + 1);
  switch (type) {
    case 'npm':
      // packageurl-js lowercases npm, PyPI and Debian names.
      return { ecosystem: 'npm', name: path.toLowerCase(), version };
    case 'pypi':
      return { ecosystem: 'PyPI', name: normalisePackageName('PyPI', name.toLowerCase()), version };
    case 'maven':
      return ns ? { ecosystem: 'Maven', name: `${ns}:${name}`, version } : undefined;
    case 'golang':
      if (version.startsWith('v') && !PLAIN_GO_VERSION.test(version)) return undefined;
      return { ecosystem: 'Go', name: path, version: goVersion(version) };
    default:
      return debComponent(
        ns.toLowerCase(),
        name.toLowerCase(),
        version,
        query && distroQualifier(query),
        distro,
      );
  }
}

/** The last non-empty `distro` qualifier, the one packageurl-js keeps; keys are case-insensitive. */
function distroQualifier(query: string): string | undefined {
  let found: string | undefined;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq === 6 && pair.slice(0, 6).toLowerCase() === 'distro' && eq < pair.length - 1)
      found = pair.slice(7);
  }
  return found;
}
