// OSV records: what a bad one is told, and the evaluation rule (versions lists, ranges with introduced, fixed,
// last_affected and limit, GitHub's last-known-affected cap) and the severity worked out from each record.
import { describe, expect, test } from 'vitest';
import { matchPackage } from '../../../src/collectors/vulnerabilities/match.ts';
import { parseOsvRecord, type OsvPackage } from '../../../src/collectors/vulnerabilities/osv.ts';
import { severityOf } from '../../../src/collectors/vulnerabilities/severity.ts';
import { createComparers } from '../../../src/collectors/vulnerabilities/versions.ts';

const comparers = createComparers();

/** A record builder: one package, the given ranges and versions. */
function aRecord(affected: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    id: 'TEST-1',
    modified: '2024-01-02T00:00:00Z',
    published: '2024-01-01T00:00:00Z',
    affected: [{ package: { ecosystem: 'npm', name: 'pkg' }, ...affected }],
    ...overrides,
  };
}

function packageOf(record: unknown): OsvPackage {
  const parsed = parseOsvRecord(record, comparers);
  if (!parsed.ok) throw new Error(`${parsed.problem.where}: ${parsed.problem.message}`);
  return parsed.record.packages[0]!;
}

const range = (...events: Record<string, string>[]) => ({ ranges: [{ type: 'ECOSYSTEM', events }] });

describe('matching a version against a record', () => {
  test.each<[string, Record<string, unknown>, string, boolean, string | null]>([
    [
      'introduced 0, fixed: below the fix',
      range({ introduced: '0' }, { fixed: '1.2.0' }),
      '1.1.9',
      true,
      '1.2.0',
    ],
    ['introduced 0, fixed: at the fix', range({ introduced: '0' }, { fixed: '1.2.0' }), '1.2.0', false, null],
    [
      'introduced 0, fixed: a pre-release of the fix is still affected',
      range({ introduced: '0' }, { fixed: '1.2.0' }),
      '1.2.0-rc.1',
      true,
      '1.2.0',
    ],
    ['introduced 1.0: below it', range({ introduced: '1.0.0' }, { fixed: '1.2.0' }), '0.9.0', false, null],
    ['introduced 1.0: at it', range({ introduced: '1.0.0' }, { fixed: '1.2.0' }), '1.0.0', true, '1.2.0'],
    [
      'last_affected is inclusive',
      range({ introduced: '0' }, { last_affected: '1.2.0' }),
      '1.2.0',
      true,
      null,
    ],
    ['above last_affected', range({ introduced: '0' }, { last_affected: '1.2.0' }), '1.2.1', false, null],
    [
      'two ranges in one: the gap between them',
      range({ introduced: '0' }, { fixed: '1.0.0' }, { introduced: '2.0.0' }, { fixed: '2.1.0' }),
      '1.5.0',
      false,
      null,
    ],
    [
      'two ranges in one: the second',
      range({ introduced: '0' }, { fixed: '1.0.0' }, { introduced: '2.0.0' }, { fixed: '2.1.0' }),
      '2.0.5',
      true,
      '2.1.0',
    ],
    [
      'events given out of order are sorted',
      range({ fixed: '2.1.0' }, { introduced: '2.0.0' }),
      '2.0.5',
      true,
      '2.1.0',
    ],
    ['limit: below it', range({ introduced: '0' }, { limit: '2.0.0' }), '1.9.0', true, null],
    ['limit: at it', range({ introduced: '0' }, { limit: '2.0.0' }), '2.0.0', false, null],
    ['limit "*" caps nothing', range({ introduced: '0' }, { limit: '*' }), '99.0.0', true, null],
    ['a versions list alone', { versions: ['1.0.0', '1.0.1'] }, '1.0.1', true, null],
    ['a versions list: not listed', { versions: ['1.0.0'] }, '1.0.2', false, null],
    [
      'a listed version takes the fix from the ranges',
      { versions: ['1.0.0'], ...range({ introduced: '5.0.0' }, { fixed: '5.1.0' }) },
      '1.0.0',
      true,
      '5.1.0',
    ],
    [
      "GitHub's last_known_affected caps an open range (<=)",
      {
        ...range({ introduced: '0' }),
        database_specific: { last_known_affected_version_range: '<= 2.13.2' },
      },
      '2.13.3',
      false,
      null,
    ],
    [
      "GitHub's cap: at the last known affected version",
      {
        ...range({ introduced: '0' }),
        database_specific: { last_known_affected_version_range: '<= 2.13.2' },
      },
      '2.13.2',
      true,
      null,
    ],
    [
      "GitHub's cap (<) excludes the version named",
      { ...range({ introduced: '0' }), database_specific: { last_known_affected_version_range: '< 3.0.0' } },
      '3.0.0',
      false,
      null,
    ],
    [
      'the cap does not override a fix',
      {
        ...range({ introduced: '0' }, { fixed: '5.0.0' }),
        database_specific: { last_known_affected_version_range: '<= 1.0.0' },
      },
      '4.0.0',
      true,
      '5.0.0',
    ],
    [
      'SEMVER ranges use SemVer',
      { ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.10.0' }] }] },
      '1.9.0',
      true,
      '1.10.0',
    ],
    [
      'GIT ranges are skipped',
      { ranges: [{ type: 'GIT', repo: 'https://x', events: [{ introduced: 'abc' }] }], versions: ['1.0.0'] },
      '1.0.0',
      true,
      null,
    ],
  ])('%s', (_, affected, version, hit, fixedIn) => {
    const result = matchPackage(version, packageOf(aRecord(affected)), comparers.npm, comparers.semver);
    expect(result !== null).toBe(hit);
    if (result) expect(result.fixedIn).toBe(fixedIn);
  });

  test('Log4Shell-shaped record: several ranges for one package, Maven order', () => {
    const pkg = packageOf({
      id: 'GHSA-jfh8-shape',
      modified: '2024-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core' },
          ...range({ introduced: '2.13.0' }, { fixed: '2.15.0' }),
        },
        {
          package: { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core' },
          ...range({ introduced: '0' }, { fixed: '2.3.1' }),
        },
        {
          package: { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core' },
          ...range({ introduced: '2.4' }, { fixed: '2.12.2' }),
        },
      ],
    });
    const at = (v: string) => matchPackage(v, pkg, comparers.maven, comparers.semver)?.fixedIn;
    expect(at('2.14.1')).toBe('2.15.0');
    expect(at('2.3')).toBe('2.3.1');
    expect(at('2.3.1')).toBeUndefined();
    expect(at('2.12.1')).toBe('2.12.2');
    expect(at('2.12.2')).toBeUndefined();
    expect(at('2.15.0')).toBeUndefined();
  });

  test('PyPI names are normalised on both sides', () => {
    const parsed = parseOsvRecord(
      aRecord(
        {},
        { affected: [{ package: { ecosystem: 'PyPI', name: 'Zope.Interface' }, versions: ['1.0'] }] },
      ),
    );
    expect(parsed.ok && parsed.record.packages[0]!.name).toBe('zope-interface');
  });
});

describe('bad OSV records are named with their element', () => {
  test.each<[string, unknown, RegExp]>([
    ['no id', { modified: '2024-01-01T00:00:00Z' }, /^id:/],
    [
      'a bad timestamp',
      { id: 'X', modified: 'yesterday' },
      /^modified: "yesterday" is not an RFC 3339 timestamp/,
    ],
    [
      'an event with two keys',
      aRecord(range({ introduced: '0', fixed: '1.0.0' })),
      /^affected\[0\]\.ranges\[0\]\.events\[0\]: expected exactly one of/,
    ],
    [
      'an unknown event',
      aRecord(range({ introduced: '0' }, { patched: '1.0.0' })),
      /events\[1\]: expected exactly one of .* found patched/,
    ],
    [
      'no introduced event',
      aRecord(range({ fixed: '1.0.0' })),
      /^affected\[0\]\.ranges\[0\]\.events: has no introduced event/,
    ],
    ['no events at all', aRecord({ ranges: [{ type: 'ECOSYSTEM', events: [] }] }), /events: has no events/],
    [
      'fixed and last_affected together',
      aRecord(range({ introduced: '0' }, { fixed: '1.0.0' }, { last_affected: '0.9.0' })),
      /has both fixed and last_affected/,
    ],
    [
      'fixed before introduced',
      aRecord(range({ introduced: '2.0.0' }, { fixed: '1.0.0' })),
      /fixed 1\.0\.0 comes before introduced 2\.0\.0/,
    ],
    [
      'fixed equal to introduced',
      aRecord(range({ introduced: '1.0.0' }, { fixed: '1.0.0' })),
      /introduced and fixed are both 1\.0\.0/,
    ],
    [
      'an unreadable version',
      aRecord(range({ introduced: '0' }, { fixed: 'soon' })),
      /events\[1\]\.fixed: "soon" is not a valid npm version/,
    ],
    [
      'an unknown range type',
      aRecord({ ranges: [{ type: 'DATE', events: [{ introduced: '0' }] }] }),
      /ranges\[0\]\.type: unknown range type "DATE"/,
    ],
    [
      'a package with nothing affected',
      aRecord({}),
      /^affected\[0\]: names a package but neither versions nor ranges/,
    ],
    [
      'a Debian version with a bad epoch',
      aRecord(
        {},
        {
          affected: [
            {
              package: { ecosystem: 'Debian:12', name: 'x' },
              ...range({ introduced: '0' }, { fixed: 'a:1.0' }),
            },
          ],
        },
      ),
      /"a:1\.0" is not a valid debian version/,
    ],
  ])('%s', (_, record, message) => {
    const parsed = parseOsvRecord(record, comparers);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(`${parsed.problem.where}: ${parsed.problem.message}`).toMatch(message);
  });

  test('packages of ecosystems we cannot check are counted and left out', () => {
    const parsed = parseOsvRecord(
      aRecord(
        {},
        { affected: [{ package: { ecosystem: 'crates.io', name: 'hyper' }, versions: ['0.14.0'] }] },
      ),
    );
    expect(parsed.ok && [parsed.record.packages.length, parsed.record.otherPackages]).toEqual([0, 1]);
  });
});

describe('severity', () => {
  test.each<[string, Parameters<typeof severityOf>[0], number | null, string | null, boolean]>([
    [
      'CVSS 3.1 vector scored',
      { vectors: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' }] },
      7.2,
      'HIGH',
      true,
    ],
    [
      'CVSS 3.1 below 7',
      {
        vectors: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N' }],
        ghsaLabel: 'MODERATE',
      },
      6.1,
      'MODERATE',
      false,
    ],
    [
      'CVSS 4.0 vector scored',
      {
        vectors: [
          { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
        ],
      },
      9.3,
      'CRITICAL',
      true,
    ],
    [
      'GitHub HIGH with a lower score is high-risk',
      {
        vectors: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N' }],
        ghsaLabel: 'HIGH',
      },
      3.3,
      'HIGH',
      true,
    ],
    ['GitHub label alone', { vectors: [], ghsaLabel: 'CRITICAL' }, null, 'CRITICAL', true],
    ['Debian urgency as the fallback', { vectors: [], urgency: 'high' }, null, 'HIGH', true],
    ['Debian urgency low', { vectors: [], urgency: 'low' }, null, 'LOW', false],
    [
      'an incomplete vector gives no score',
      { vectors: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L' }] },
      null,
      null,
      false,
    ],
    ['nothing given', { vectors: [] }, null, null, false],
  ])('%s', (_, input, score, label, highRisk) => {
    expect(severityOf(input)).toMatchObject({ score, label, highRisk });
  });
});
