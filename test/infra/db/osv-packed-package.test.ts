// The packed form of a record's view of a package reads back as the very object that was packed, and rows in
// the older object form still read back.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseOsvRecord, type OsvPackage } from '../../../src/collectors/vulnerabilities/osv.ts';
import { packPackage, unpackPackage } from '../../../src/infra/db/osv-packed-package.ts';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/vulnerabilities');

function fixturePackages(): OsvPackage[] {
  const packages: OsvPackage[] = [];
  for (const dir of ['osv', 'own/osv-debian', 'own/osv-maven-go'])
    for (const file of readdirSync(path.join(FIXTURES, dir)).filter((f) => f.endsWith('.json'))) {
      const parsed = parseOsvRecord(JSON.parse(readFileSync(path.join(FIXTURES, dir, file), 'utf8')));
      if (parsed.ok) packages.push(...parsed.record.packages);
    }
  return packages;
}

const roundTrip = (pkg: OsvPackage) => unpackPackage(packPackage(pkg), pkg.ecosystem, pkg.name);

describe('packed OSV packages', () => {
  test.each(fixturePackages().map((p) => [`${p.ecosystem} ${p.name}`, p] as const))(
    '%s reads back exactly, key order included',
    (_, pkg) => {
      const back = roundTrip(pkg);
      expect(back).toEqual(pkg);
      expect(JSON.stringify(back)).toBe(JSON.stringify(pkg));
    },
  );

  test('a cap, listed versions, SEMVER ranges and an empty severity read back', () => {
    const pkg: OsvPackage = {
      ecosystem: 'Go',
      name: 'example.com/mod',
      affected: [
        {
          versions: ['1.0.0', '1.0.1'],
          ranges: [
            {
              type: 'SEMVER',
              events: [
                { kind: 'introduced', version: '0' },
                { kind: 'last_affected', version: '1.2.0' },
              ],
            },
            { type: 'ECOSYSTEM', events: [{ kind: 'introduced', version: '2.0.0' }] },
          ],
          cap: { inclusive: false, version: '2.5.0' },
        },
        { versions: [], ranges: [], cap: { inclusive: true, version: '3.0.0' } },
      ],
      severity: { score: null, vector: null, label: null, basis: 'no severity given', highRisk: false },
      hasFix: false,
    };
    expect(JSON.stringify(roundTrip(pkg))).toBe(JSON.stringify(pkg));
  });

  test('is much shorter than the object as JSON', () => {
    for (const pkg of fixturePackages())
      expect(packPackage(pkg).length).toBeLessThan(JSON.stringify(pkg).length);
  });

  test('a package stored as the object, before the packed form, reads back as it is', () => {
    const [pkg] = fixturePackages();
    expect(unpackPackage(JSON.stringify(pkg), 'ignored', 'ignored')).toEqual(pkg);
  });

  test('an unknown form is refused rather than misread', () => {
    expect(() => unpackPackage('[2,[],[null,null,null,"",false],false]', 'npm', 'x')).toThrow(/unknown form/);
  });
});
