// Package URLs to OSV terms: `pkg:npm/%40scope/name@1.0` is npm's "@scope/name", Maven joins group and
// artifact with a colon, Debian takes its release from the `distro` qualifier. Parsed by packageurl-js.
import { PackageURL } from 'packageurl-js';
import { debianRelease } from './inventory.ts';
import { normalisePackageName } from './osv.ts';

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
      return {
        ecosystem: 'Go',
        name: ns ? `${ns}/${purl.name}` : purl.name,
        version: version.startsWith('v') ? version.slice(1) : version,
      };
    case 'deb': {
      if (ns.toLowerCase() !== 'debian')
        return { ecosystem: `deb/${ns || 'unknown'}`, name: purl.name, version };
      const qualifiers = purl.qualifiers ?? {};
      const release = debianRelease(qualifiers['distro']) ?? debianRelease(distro);
      return { ecosystem: release ? `Debian:${release}` : 'Debian', name: purl.name, version };
    }
    default:
      return {
        ecosystem: OTHER_TYPES[purl.type] ?? purl.type,
        name: ns ? `${ns}/${purl.name}` : purl.name,
        version,
      };
  }
}
