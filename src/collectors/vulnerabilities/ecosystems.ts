// Ecosystem and package names as OSV spells them. Apart from the version orders and the OSV record schema, so
// that reading inventories (in a worker thread among others) loads neither those nor the libraries they need.
import type { VersionComparer } from './versions.ts';

/** The base ecosystems we can check, as OSV names them; Debian carries its release after a colon. */
export const CHECKED_ECOSYSTEMS = ['npm', 'PyPI', 'Maven', 'Go', 'Debian'] as const;

/** A package's key in the fleet and the OSV index: `ecosystem \0 name`. */
export const packageKey = (ecosystem: string, name: string) => `${ecosystem}\u0000${name}`;

export function comparerNameFor(ecosystem: string): VersionComparer['name'] | undefined {
  const base = ecosystem.split(':')[0];
  switch (base) {
    case 'npm':
      return 'npm';
    case 'PyPI':
      return 'pypi';
    case 'Maven':
      return 'maven';
    case 'Go':
      return 'go';
    case 'Debian':
      return 'debian';
    default:
      return undefined;
  }
}

/** Package names as OSV keys them: PyPI names are PEP 503-normalised; the rest are exact. */
export function normalisePackageName(ecosystem: string, name: string): string {
  return ecosystem === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
}
