// SemVer order for npm, Go and OSV's SEMVER ranges. `semver` parses what it can; anything else (a missing
// component, a leading "v", numbers beyond 2^53, a fourth component) falls back to a lenient reading, as
// osv-scanner does, so that one odd version never stops a scan.
import semver from 'semver';
import { compareDigits } from './debian-version.ts';

export interface SemverVersion {
  /** Major, minor and patch as digit strings, so that any size compares exactly. */
  core: [string, string, string];
  prerelease: string[];
}

export function parseSemver(text: string): SemverVersion | undefined {
  const version = text.trim();
  const strict = semver.parse(version, { loose: true });
  if (strict)
    return {
      core: [String(strict.major), String(strict.minor), String(strict.patch)],
      prerelease: strict.prerelease.map(String),
    };
  // Lenient: a leading "v", one to three numbers (more are ignored, as build data), a pre-release after "-".
  const plus = version.indexOf('+');
  const withoutBuild = (plus >= 0 ? version.slice(0, plus) : version).replace(/^v/, '');
  const dash = withoutBuild.indexOf('-');
  const core = (dash >= 0 ? withoutBuild.slice(0, dash) : withoutBuild).split('.');
  const pre = dash >= 0 ? withoutBuild.slice(dash + 1) : '';
  if (core.some((part) => !/^\d+$/.test(part)) || !/^[0-9A-Za-z.-]*$/.test(pre)) return undefined;
  return {
    core: [core[0]!, core[1] ?? '0', core[2] ?? '0'],
    prerelease: pre ? pre.split('.') : [],
  };
}

function compareIdentifier(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Math.sign(compareDigits(a, b));
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemverParsed(a: SemverVersion, b: SemverVersion): number {
  for (let i = 0; i < 3; i++) {
    const c = compareDigits(a.core[i]!, b.core[i]!);
    if (c !== 0) return Math.sign(c);
  }
  if (a.prerelease.length === 0 || b.prerelease.length === 0)
    return a.prerelease.length === b.prerelease.length ? 0 : a.prerelease.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const l = a.prerelease[i];
    const r = b.prerelease[i];
    if (l === undefined) return -1;
    if (r === undefined) return 1;
    const c = compareIdentifier(l, r);
    if (c !== 0) return c;
  }
  return 0;
}
