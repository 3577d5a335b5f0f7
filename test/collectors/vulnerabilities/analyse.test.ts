// The analysis over the shared samples (lodash, minimist, requests, the Maven and Go SBOMs) and this machine's
// dpkg status, with the 14-day rule, aliases merged, and new / fixed / still open between runs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  addToFleet,
  analyseFleet,
  createFleet,
  packageKey,
  readIntoFleet,
  type AnalyseOptions,
  type Finding,
  type PackageAdvisory,
  type ScanReport,
} from '../../../src/collectors/vulnerabilities/analyse.ts';
import {
  FileNumberer,
  NumberedPart,
  type ToldFile,
} from '../../../src/collectors/vulnerabilities/numbered-files.ts';
import { canonicalJson } from '../../../src/domain/canonical-json.ts';
import { ProblemsByFile } from '../../../src/collectors/vulnerabilities/problems-by-file.ts';
import { parseOsvRecord } from '../../../src/collectors/vulnerabilities/osv.ts';
import { readInventory } from '../../../src/collectors/vulnerabilities/read-inventory.ts';
import {
  evidenceJsonText,
  FINDING_COLUMNS,
  findingsFromEvidence,
  findingsFromEvidenceBytes,
  renderHtmlReport,
  verdictsFor,
} from '../../../src/collectors/vulnerabilities/report.ts';

const FIXED_COLUMNS = ['system', 'ecosystem', 'package', 'version', 'id'] as const;

/**
 * The evidence as one object, as it was built before it was written part by part: what evidenceJsonText
 * writes must be its canonical JSON.
 */
function evidenceJson(report: ScanReport): unknown {
  const byId = new Map<string, Finding>();
  for (const f of report.findings) if (!byId.has(f.id)) byId.set(f.id, f);
  // Built with every key in sorted order, which the evidence's canonical JSON then keeps as it is rather than
  // copying each of a large fleet's thousands of vulnerabilities.
  const vulnerabilities: Record<string, Pick<Finding, 'ids' | 'records' | 'severity' | 'summary'>> = {};
  for (const id of [...byId.keys()].sort()) {
    const f = byId.get(id)!;
    const s = f.severity;
    vulnerabilities[id] = {
      ids: f.ids,
      records: f.records,
      severity: { basis: s.basis, highRisk: s.highRisk, label: s.label, score: s.score, vector: s.vector },
      summary: f.summary,
    };
  }
  return {
    ...report,
    findings: {
      columns: FINDING_COLUMNS,
      // In FINDING_COLUMNS order, spelled out: a row per finding is built without a lookup per cell.
      rows: report.findings.map((f) => [
        f.system,
        f.ecosystem,
        f.package,
        f.version,
        f.id,
        f.state,
        f.fixedIn,
        f.clockStart,
        f.deadline,
        f.change,
      ]),
    },
    fixed: {
      columns: FIXED_COLUMNS,
      rows: report.fixed.map((f) => FIXED_COLUMNS.map((c) => f[c])),
    },
    vulnerabilities,
  };
}

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/vulnerabilities');

function advisoriesFrom(...dirs: string[]): Map<string, PackageAdvisory[]> {
  const index = new Map<string, PackageAdvisory[]>();
  for (const dir of dirs)
    for (const file of readdirSync(path.join(FIXTURES, dir)).filter((f) => f.endsWith('.json'))) {
      const parsed = parseOsvRecord(JSON.parse(readFileSync(path.join(FIXTURES, dir, file), 'utf8')));
      if (!parsed.ok) throw new Error(`${file}: ${parsed.problem.where}: ${parsed.problem.message}`);
      for (const pkg of parsed.record.packages) {
        const key = packageKey(pkg.ecosystem, pkg.name);
        index.set(key, [
          ...(index.get(key) ?? []),
          {
            advisory: parsed.record.advisory,
            pkg,
            fixKnownSince: pkg.hasFix ? parsed.record.advisory.published : null,
          },
        ]);
      }
    }
  return index;
}

const ALL = advisoriesFrom('osv', 'own/osv-maven-go', 'own/osv-debian');
const COVERED = new Set([...ALL.keys()].map((k) => k.split('\u0000')[0]!));

function scan(
  files: { name: string; text: string; distro?: string }[],
  options: Partial<AnalyseOptions> = {},
) {
  const fleet = createFleet();
  for (const f of files) {
    const read = readInventory(f.name, f.text, f.distro ? { distro: f.distro } : {});
    if (!read.ok) throw new Error(read.error.message);
    addToFleet(fleet, read.value);
  }
  return analyseFleet(fleet, ALL, {
    effectiveDate: '2026-05-01',
    slaDays: 14,
    coveredEcosystems: COVERED,
    ...options,
  });
}
const fixture = (file: string) => ({ name: file, text: readFileSync(path.join(FIXTURES, file), 'utf8') });
const brief = (f: Finding) => `${f.system} ${f.package} ${f.version} ${f.id} ${f.state} ${f.fixedIn ?? '-'}`;

describe('the shared samples', () => {
  test('lodash and minimist in npm lockfiles and the CERN SBOM', () => {
    const report = scan([
      fixture('own/inventories/lodash-app.package-lock.json'),
      fixture('own/inventories/minimist-v1.package-lock.json'),
      fixture('sbom/cern-lhc-vdm-editor.cdx.json'),
    ]);
    expect(report.findings.map(brief).sort()).toEqual([
      'cern-lhc-vdm-editor.cdx.json minimist 0.0.8 CVE-2021-44906 breached 0.2.4',
      'lodash-app.package-lock.json lodash 4.17.15 CVE-2021-23337 breached 4.17.21',
      'lodash-app.package-lock.json lodash 4.17.20 CVE-2021-23337 breached 4.17.21',
      'lodash-app.package-lock.json minimist 1.2.5 CVE-2021-44906 breached 1.2.6',
      'minimist-v1.package-lock.json minimist 0.0.10 CVE-2021-44906 breached 0.2.4',
      'minimist-v1.package-lock.json minimist 0.0.8 CVE-2021-44906 breached 0.2.4',
      'minimist-v1.package-lock.json minimist 1.2.5 CVE-2021-44906 breached 1.2.6',
    ]);
    const lodash = report.findings.find((f) => f.package === 'lodash')!;
    // Published 2021-05-06: the clock starts then, although lodash 4.17.21 shipped in February.
    expect(lodash).toMatchObject({
      ids: ['CVE-2021-23337', 'GHSA-35jh-r3h4-6jhm'],
      records: ['GHSA-35jh-r3h4-6jhm'],
      clockStart: '2021-05-06',
      deadline: '2021-05-20',
      severity: { score: 7.2, label: 'HIGH', highRisk: true },
    });
    expect(report.findings.find((f) => f.package === 'minimist')!.severity).toMatchObject({
      score: 9.8,
      label: 'CRITICAL',
    });
  });

  test('requests: in range, at the fix, at the introduced version, in CycloneDX and SPDX', () => {
    const report = scan([
      fixture('own/inventories/python-service.cdx.json'),
      fixture('own/inventories/requests.spdx.json'),
    ]);
    expect(
      report.findings
        .filter((f) => f.package === 'requests')
        .map(brief)
        .sort(),
    ).toEqual([
      'python-service.cdx.json requests 2.28.1 CVE-2023-32681 not-high-risk 2.31.0',
      'python-service.cdx.json requests 2.3.0 CVE-2023-32681 not-high-risk 2.31.0',
      'requests.spdx.json requests 2.30.0 CVE-2023-32681 not-high-risk 2.31.0',
    ]);
    expect(report.findings.find((f) => f.package === 'requests')!.severity).toMatchObject({
      score: 6.1,
      label: 'MODERATE',
    });
    // The nested lodash inside the bundle was flattened and found.
    expect(report.findings.some((f) => f.package === 'lodash' && f.version === '4.17.4')).toBe(true);
  });

  test('the Maven SBOM: jackson-databind 2.9.10 inside a fixed range gap, guava lower risk, logback already fixed', () => {
    const report = scan([fixture('sbom/dropwizard-1.3.15.cdx.json')]);
    expect(report.findings.map(brief)).toEqual([
      'dropwizard-1.3.15.cdx.json com.fasterxml.jackson.core:jackson-databind 2.9.10 CVE-2019-16942 breached 2.9.10.1',
      'dropwizard-1.3.15.cdx.json com.google.guava:guava 24.1.1-jre CVE-2020-8908 not-high-risk 32.0.0-android',
    ]);
    expect(report.checked).toBe(167);
  });

  test('the Go SBOM: a SEMVER range and two records of one vulnerability merged, with no fix', () => {
    const report = scan([fixture('sbom/proton-bridge-v1.8.0.cdx.json')]);
    expect(report.findings.map(brief)).toEqual([
      'proton-bridge-v1.8.0.cdx.json github.com/gin-gonic/gin 1.4.0 CVE-2020-28483 breached 1.7.7',
      'proton-bridge-v1.8.0.cdx.json github.com/dgrijalva/jwt-go 3.2.0 CVE-2020-26160 no-fix -',
    ]);
    expect(report.findings[1]!.records).toEqual(['GHSA-test-jwtg-o001', 'GO-2020-9999']);
    expect(report.totals).toMatchObject({ findings: 2, breached: 1, noFix: 1 });
  });

  test('containerd (the Go sample advisory) is MODERATE: listed, never a breach', () => {
    const sbom = JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.4',
      components: [
        { purl: 'pkg:golang/github.com/containerd/containerd@v1.6.25' },
        { purl: 'pkg:golang/github.com/containerd/containerd@v1.7.11' },
        { purl: 'pkg:golang/github.com/containerd/containerd@v1.7.0' },
      ],
    });
    const report = scan([{ name: 'node.cdx.json', text: sbom }]);
    expect(report.findings.map(brief)).toEqual([
      'node.cdx.json github.com/containerd/containerd 1.6.25 GHSA-7ww5-4wqc-m92c not-high-risk 1.6.26',
      'node.cdx.json github.com/containerd/containerd 1.7.0 GHSA-7ww5-4wqc-m92c not-high-risk 1.7.11',
    ]);
  });
});

describe('the 14-day rule', () => {
  const lodash = [fixture('own/inventories/lodash-app.package-lock.json')];
  const state = (at: string, slaDays = 14) =>
    scan(lodash, { effectiveDate: at, slaDays }).findings.find((f) => f.version === '4.17.20')!.state;
  test.each([
    ['2021-05-06', 14, 'within-sla'],
    ['2021-05-20', 14, 'within-sla'],
    ['2021-05-21', 14, 'breached'],
    ['2021-06-04', 30, 'within-sla'],
    ['2021-06-06', 30, 'breached'],
  ])('on %s with %i days: %s', (at, days, expected) => {
    expect(state(at, days)).toBe(expected);
  });

  test('a fix known only from a later version of the advisory starts the clock then', () => {
    const withLateFix = new Map(ALL);
    const key = packageKey('npm', 'lodash');
    withLateFix.set(
      key,
      ALL.get(key)!.map((a) => ({ ...a, fixKnownSince: '2021-06-01T00:00:00Z' })),
    );
    const fleet = createFleet();
    const read = readInventory('app.json', fixture('own/inventories/lodash-app.package-lock.json').text);
    if (read.ok) addToFleet(fleet, read.value);
    const report = analyseFleet(fleet, withLateFix, {
      effectiveDate: '2021-06-10',
      slaDays: 14,
      coveredEcosystems: COVERED,
    });
    expect(report.findings.find((f) => f.package === 'lodash')).toMatchObject({
      clockStart: '2021-06-01',
      state: 'within-sla',
    });
  });
});

describe('between runs', () => {
  test('new, still open and fixed', () => {
    const first = scan([fixture('own/inventories/lodash-app.package-lock.json')]);
    expect(first.totals).toMatchObject({ findings: 3, new: 3, stillOpen: 0, fixed: 0 });
    const upgraded = JSON.parse(fixture('own/inventories/lodash-app.package-lock.json').text) as {
      packages: Record<string, { version?: string }>;
    };
    upgraded.packages['node_modules/lodash']!.version = '4.17.21';
    upgraded.packages['node_modules/old-args']!.version = '1.2.8';
    const second = scan([{ name: 'lodash-app.package-lock.json', text: JSON.stringify(upgraded) }], {
      previous: { effectiveDate: first.effectiveDate, findings: first.findings },
    });
    expect(second.totals).toMatchObject({ findings: 1, new: 0, stillOpen: 1, fixed: 2 });
    expect(second.findings.map((f) => `${f.package} ${f.version} ${f.change}`)).toEqual([
      'lodash 4.17.15 still-open',
    ]);
    expect(second.fixed.map((f) => `${f.package} ${f.version}`).sort()).toEqual([
      'lodash 4.17.20',
      'minimist 1.2.5',
    ]);
    expect(second.previousRun).toBe('2026-05-01');
  });

  test('a version change that does not reach the fix leaves the finding open', () => {
    const first = scan([fixture('own/inventories/minimist-v1.package-lock.json')]);
    const bumped = fixture('own/inventories/minimist-v1.package-lock.json').text.replace(
      '"version": "1.2.5"',
      '"version": "1.2.4"',
    );
    const second = scan([{ name: 'own/inventories/minimist-v1.package-lock.json', text: bumped }], {
      previous: { effectiveDate: first.effectiveDate, findings: first.findings },
    });
    expect(second.totals).toMatchObject({ findings: 3, new: 0, stillOpen: 3, fixed: 0 });
  });
});

describe('verdicts and the HTML report', () => {
  test('a breach is a gap for 8.3.x and B4.d; the scan still supports 8.4.x; 6.3.2 needs the no-fix list accepted', () => {
    const report = scan([fixture('sbom/proton-bridge-v1.8.0.cdx.json')]);
    expect(
      verdictsFor(['8.3.1', '8.4.3', '6.3.2', 'B4.d', '1.1.1'], report).map((v) => [v.targetId, v.verdict]),
    ).toEqual([
      ['8.3.1', 'gap'],
      ['8.4.3', 'supports'],
      ['6.3.2', 'not-determinable'],
      ['B4.d', 'gap'],
      ['1.1.1', 'not-determinable'],
    ]);
    const html = renderHtmlReport(report, { odsCode: 'X1', name: 'Example <Trust>' });
    expect(html).toContain('Example &lt;Trust&gt;');
    expect(html).toContain('github.com/gin-gonic/gin 1.4.0');
    expect(html).not.toMatch(/<script/i);
  });
  test('a clean scan supports them all; a scan that checked nothing decides nothing', () => {
    const clean = scan([
      {
        name: 'a.json',
        text: '{"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21"}}}',
      },
    ]);
    expect(verdictsFor(['8.3.1', 'B4.d', '6.3.2'], clean).map((v) => v.verdict)).toEqual([
      'supports',
      'supports',
      'supports',
    ]);
    const nothing = scan(
      [
        {
          name: 'a.json',
          text: '{"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21"}}}',
        },
      ],
      {
        coveredEcosystems: new Set(),
      },
    );
    expect(nothing.checked).toBe(0);
    expect(verdictsFor(['8.3.1'], nothing)[0]!.verdict).toBe('not-determinable');
  });
});

describe('reading straight into the fleet', () => {
  const inventories = [
    'own/inventories/lodash-app.package-lock.json',
    'own/inventories/minimist-v1.package-lock.json',
    'own/inventories/python-service.cdx.json',
    'own/inventories/requests.spdx.json',
    'sbom/cern-lhc-vdm-editor.cdx.json',
    'sbom/dropwizard-1.3.15.cdx.json',
    'sbom/laravel-7.12.0.cdx-1.4.json',
    'sbom/proton-bridge-v1.8.0.cdx.json',
    'sbom/spdx-example08-maven.spdx.json',
    'sbom/spdx-example11.spdx.json',
  ].map(fixture);
  const status = {
    name: 'host-b/status',
    text: [
      'Package: libc6\r',
      'Status: install ok installed\r',
      'Source: glibc\r',
      'Version: 2.36-9\r',
      '\r',
      '   ',
      'Package: zlib1g',
      'Status: install ok installed',
      ' a continuation after a blank line of spaces',
      'Source: zlib (1:1.2.13.dfsg-1)',
      'Version: 1:1.2.13.dfsg-1+b1',
      ': no field name',
      '',
      'Status: install ok installed',
      'Version: 1.0',
    ].join('\n'),
    distro: '12',
  };
  const options = { effectiveDate: '2026-05-01', slaDays: 14, coveredEcosystems: COVERED };

  test('gives the same report as reading each inventory first, with the same problems in the same order', () => {
    const streamed = createFleet();
    for (const f of [...inventories, status] as { name: string; text: string; distro?: string }[]) {
      const read = readIntoFleet(streamed, f.name, f.text, f.distro ? { distro: f.distro } : {});
      expect(read.ok).toBe(true);
    }
    const report = analyseFleet(streamed, ALL, options);
    expect(report).toEqual(scan([...inventories, status]));
    expect(report.findings.length).toBeGreaterThan(5);
    expect(report.problems.shown.map((p) => p.where)).toContain('host-b/status:14');
  });

  test.each([1, 2, 3])(
    'files told by number by two numberers (as worker threads tell them) and added in any order make the report of the files read in turn (cut after %i)',
    (cut) => {
      type File = { name: string; text: string; distro?: string };
      // The same package versions several times in one file, as purls and as package-lock names.
      const repeats: File[] = [
        {
          name: 'host-c/bom.cdx.json',
          text: JSON.stringify({
            bomFormat: 'CycloneDX',
            specVersion: '1.5',
            components: [1, 2, 3].map((n) => ({
              type: 'library',
              name: 'lodash',
              version: '4.17.15',
              purl: n === 3 ? 'pkg:npm/minimist@1.2.0' : 'pkg:npm/lodash@4.17.15',
            })),
          }),
        },
        {
          name: 'host-c/package-lock.json',
          text: JSON.stringify({
            lockfileVersion: 3,
            packages: {
              'node_modules/lodash': { version: '4.17.15' },
              'node_modules/a/node_modules/lodash': { version: '4.17.15' },
              'node_modules/minimist': { version: '1.2.0' },
            },
          }),
        },
      ];
      const files = [...inventories, ...repeats, status] as File[];
      // One system for every file as well: then versions seen in both parts share systems, and their order
      // matters to the matching against a previous run.
      for (const system of [undefined, 'one-host']) {
        // The status file says its release in its own options, as a scan's --distro would for every file.
        const optionsOf = (f: File) => ({
          ...(f.distro ? { distro: f.distro } : {}),
          ...(system ? { system } : {}),
        });
        const whole = createFleet();
        for (const f of files) expect(readIntoFleet(whole, f.name, f.text, optionsOf(f)).ok).toBe(true);
        // Each part's worker numbers what it meets; what it tells crosses to the scan's thread as a copy.
        const tell = (part: File[]) => {
          const numberers = new Map<string, FileNumberer>();
          const told = part.map((f): [File, ToldFile] => {
            const key = f.distro ?? '';
            let numberer = numberers.get(key);
            if (!numberer) numberers.set(key, (numberer = new FileNumberer(optionsOf(f))));
            const told = numberer.read(f.name, new TextEncoder().encode(f.text));
            if (!told.ok) throw new Error(told.error.message);
            return [f, structuredClone(told.value)];
          });
          // Once its files are read, the worker hands over each number's copies and systems.
          const counted = new Map(
            [...numberers].map(([key, n]) => [key, structuredClone(n.copiesCounted())]),
          );
          return Object.assign(told, { counted });
        };
        const first = tell(files.slice(0, cut));
        const second = tell(files.slice(cut));
        const counted = [first.counted, second.counted];
        // The files in the order given; each part's copies as soon as its last file is added.
        const addAll = (order: [number, [File, ToldFile]][]) => {
          const fleet = createFleet();
          const parts = [new Map<string, NumberedPart>(), new Map<string, NumberedPart>()];
          // Each file's problems, listed in file order whichever part's files are added first.
          const problems = new ProblemsByFile();
          for (const [p, [f, told]] of order) {
            problems.add(files.indexOf(f), told.problems);
            const key = f.distro ?? '';
            let part = parts[p]!.get(key);
            if (!part) parts[p]!.set(key, (part = new NumberedPart(fleet, optionsOf(f))));
            part.add(f.name, told);
            const last = (p === 0 ? first : second).at(-1)![0];
            if (f === last) for (const [key, copies] of counted[p]!) parts[p]!.get(key)?.addCopies(copies);
          }
          problems.addTo(fleet);
          return fleet;
        };
        const inOrder = addAll([
          ...first.map((t) => [0, t] as [number, [File, ToldFile]]),
          ...second.map((t) => [1, t] as [number, [File, ToldFile]]),
        ]);
        // The later part first, then the two interleaved: the fleet meets things in another order.
        const backwards = addAll([
          ...second.map((t) => [1, t] as [number, [File, ToldFile]]),
          ...first.map((t) => [0, t] as [number, [File, ToldFile]]),
        ]);
        const interleaved = addAll(
          Array.from({ length: Math.max(first.length, second.length) }, (_, i) => [
            ...(second[i] ? [[1, second[i]] as [number, [File, ToldFile]]] : []),
            ...(first[i] ? [[0, first[i]] as [number, [File, ToldFile]]] : []),
          ]).flat(),
        );
        expect([...backwards.packages.keys()]).not.toEqual([...whole.packages.keys()]);
        // One previous finding per package and vulnerability, at a version no longer installed: it is found again
        // by package and system, where several versions now on that system can claim it, and the report's order
        // decides which.
        const once = new Map<string, Finding>();
        for (const f of analyseFleet(whole, ALL, options).findings)
          if (!once.has(`${f.system} ${f.package} ${f.id}`))
            once.set(`${f.system} ${f.package} ${f.id}`, { ...f, version: `${f.version}-old` });
        const previous = { effectiveDate: '2020-01-01', findings: [...once.values()] };
        for (const fleet of [inOrder, backwards, interleaved]) {
          expect(fleet.components).toBe(whole.components);
          expect(fleet.files).toBe(whole.files);
          expect(fleet.problems).toEqual(whole.problems);
          expect(fleet.problems.length).toBeGreaterThan(0);
          expect(analyseFleet(fleet, ALL, options)).toEqual(analyseFleet(whole, ALL, options));
          expect(analyseFleet(fleet, ALL, { ...options, previous })).toEqual(
            analyseFleet(whole, ALL, { ...options, previous }),
          );
        }
      }
    },
  );

  test('versions that cannot be read are listed by package and version, whatever the order they were met in', () => {
    const fleet = createFleet();
    const lock = (versions: Record<string, string>) =>
      JSON.stringify({
        lockfileVersion: 3,
        packages: Object.fromEntries(
          Object.entries(versions).map(([n, v]) => [`node_modules/${n}`, { version: v }]),
        ),
      });
    readIntoFleet(fleet, 'a.json', lock({ zeta: 'not-a-version', lodash: '4.17.15' }));
    readIntoFleet(fleet, 'b.json', lock({ alpha: 'also bad', zeta: 'bad again' }));
    const report = analyseFleet(fleet, ALL, options);
    expect(report.problems.shown.map((p) => `${p.where}: ${p.message}`)).toEqual([
      'npm alpha: "also bad" is not a valid npm version, so it was not checked',
      'npm zeta: "bad again" is not a valid npm version, so it was not checked',
      'npm zeta: "not-a-version" is not a valid npm version, so it was not checked',
    ]);
  });

  test('findings come worst first, then by system, ecosystem, package, version and vulnerability', () => {
    // Several systems (a system is named by its file), each holding every inventory, so that within a severity
    // the order is by system first.
    const hosts = ['host-b', 'host-a', 'host-c'].flatMap((host) =>
      inventories.map((f) => ({ ...f, name: `${host}-${path.basename(f.name)}` })),
    );
    const { findings } = scan(hosts);
    expect(new Set(findings.map((f) => f.system)).size).toBeGreaterThan(20);
    const states = ['breached', 'within-sla', 'no-fix', 'not-high-risk'];
    const labels = ['CRITICAL', 'HIGH', 'MODERATE', 'LOW', null];
    const key = (f: Finding) => [
      states.indexOf(f.state),
      f.severity.highRisk ? 0 : 1,
      -Math.round((f.severity.score ?? 0) * 10),
      labels.indexOf(f.severity.label),
      f.system,
      f.ecosystem,
      f.package,
      f.version,
      f.id,
    ];
    const before = (a: Finding, b: Finding) => {
      const [x, y] = [key(a), key(b)];
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
      return false;
    };
    expect(findings.length).toBeGreaterThan(40);
    for (let i = 1; i < findings.length; i++) expect(before(findings[i - 1]!, findings[i]!)).toBe(true);
  });

  test('on one system at one severity, findings are in order of ecosystem, package, version and vulnerability, whatever order the fleet met them in', () => {
    // Every record alike but for its ID, so that only the last keys of the order can tell the findings apart.
    const record = (id: string, ecosystem: string, name: string): PackageAdvisory => ({
      advisory: {
        id,
        modified: '2026-01-01T00:00:00Z',
        published: '2026-01-01T00:00:00Z',
        aliases: [],
        summary: '',
      },
      pkg: {
        ecosystem,
        name,
        affected: [
          {
            versions: [],
            ranges: [{ type: 'ECOSYSTEM', events: [{ kind: 'introduced', version: '0' }] }],
            cap: null,
          },
        ],
        severity: { score: 7.5, vector: null, label: 'HIGH', basis: 'test', highRisk: true },
        hasFix: false,
      },
      fixKnownSince: null,
    });
    const advisories = new Map<string, PackageAdvisory[]>();
    for (const [ecosystem, name] of [
      ['npm', 'zeta'],
      ['npm', 'alpha'],
      ['PyPI', 'mango'],
    ])
      advisories.set(packageKey(ecosystem!, name!), [
        record(`OSV-2-${name}`, ecosystem!, name!),
        record(`OSV-1-${name}`, ecosystem!, name!),
      ]);
    const fleet = createFleet();
    const sbom = (components: [string, string][]) =>
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        components: components.map(([purl, version]) => ({
          type: 'library',
          name: purl,
          version,
          purl: `${purl}@${version}`,
        })),
      });
    const read = readIntoFleet(
      fleet,
      'host.cdx.json',
      sbom([
        ['pkg:npm/zeta', '2.0.0'],
        ['pkg:npm/alpha', '1.0.0'],
        ['pkg:npm/zeta', '10.0.0'],
        ['pkg:pypi/mango', '1.0'],
      ]),
    );
    expect(read.ok).toBe(true);
    const report = analyseFleet(fleet, advisories, {
      ...options,
      coveredEcosystems: new Set(['npm', 'PyPI']),
    });
    expect(report.findings.map((f) => `${f.ecosystem} ${f.package} ${f.version} ${f.id}`)).toEqual([
      'PyPI mango 1.0 OSV-1-mango',
      'PyPI mango 1.0 OSV-2-mango',
      'npm alpha 1.0.0 OSV-1-alpha',
      'npm alpha 1.0.0 OSV-2-alpha',
      'npm zeta 10.0.0 OSV-1-zeta',
      'npm zeta 10.0.0 OSV-2-zeta',
      'npm zeta 2.0.0 OSV-1-zeta',
      'npm zeta 2.0.0 OSV-2-zeta',
    ]);
  });

  test('the evidence rows follow FINDING_COLUMNS', () => {
    const report = scan(inventories);
    const evidence = JSON.parse(evidenceJsonText(report).text) as { findings: { rows: unknown[][] } };
    expect(evidence.findings.rows).toEqual(report.findings.map((f) => FINDING_COLUMNS.map((c) => f[c])));
  });

  test('the evidence, written part by part, is the canonical JSON of the evidence as one object, fixed findings and all', () => {
    const first = scan([...inventories, status]);
    // A later run without the first inventory: what it held is fixed now, the rest still open.
    const later = createFleet();
    for (const f of [...inventories.slice(1), status] as { name: string; text: string; distro?: string }[])
      readIntoFleet(later, f.name, f.text, f.distro ? { distro: f.distro } : {});
    const second = analyseFleet(later, ALL, {
      ...options,
      previous: { effectiveDate: first.effectiveDate, findings: first.findings },
    });
    expect(second.fixed.length).toBeGreaterThan(0);
    expect(second.problems.count).toBeGreaterThan(0);
    for (const report of [first, second]) {
      const text = evidenceJsonText(report).text;
      expect(text).toBe(canonicalJson(evidenceJson(report)));
      expect(findingsFromEvidence(JSON.parse(text))?.findings.length).toBe(report.findings.length);
    }
  });

  test('the evidence is canonical whatever the IDs: one that reads as a number, one with escapes, "__proto__"', () => {
    const report = scan([...inventories, status]);
    const ids = [...new Set(report.findings.map((f) => f.id))];
    expect(ids.length).toBeGreaterThan(4);
    const renaming = (names: Map<string, string>): ScanReport => ({
      ...report,
      findings: report.findings.map((f) => ({ ...f, id: names.get(f.id) ?? f.id })),
    });
    // Two that read as numbers, whose order as numbers ("9" before "10", as canonicalJson puts such keys) is
    // not their order as text.
    const nine = [ids[0]!, '9'] as const;
    const ten = [ids[3]!, '10'] as const;
    const escaped = [ids[1]!, 'ID "quoted" \\ é ☃'] as const;
    for (const names of [new Map([nine, ten, escaped]), new Map([escaped])]) {
      const odd = renaming(names);
      const text = evidenceJsonText(odd).text;
      expect(text).toBe(canonicalJson(evidenceJson(odd)));
      for (const id of names.values()) expect(text).toContain(`${JSON.stringify(id)}:{"ids":`);
    }
    // "__proto__" is a key like any other. A plain object (the reference above) cannot hold it, so the text is
    // read back instead.
    const proto = [ids[2]!, '__proto__'] as const;
    const details = report.findings.find((f) => f.id === ids[2])!;
    for (const names of [new Map([nine, proto]), new Map([proto])]) {
      const doc = JSON.parse(evidenceJsonText(renaming(names)).text) as {
        vulnerabilities: Record<string, { ids: string[]; summary: string }>;
      };
      expect(Object.hasOwn(doc.vulnerabilities, '__proto__')).toBe(true);
      expect(doc.vulnerabilities['__proto__']).toMatchObject({ ids: details.ids, summary: details.summary });
    }
  });

  test("a later scan reads an earlier one's findings from the evidence's bytes as from the parsed JSON", async () => {
    const report = scan([...inventories, status]);
    const text = evidenceJsonText(report).text;
    const byBytes = await findingsFromEvidenceBytes(Buffer.from(text));
    expect(byBytes?.findings.length).toBe(report.findings.length);
    expect(byBytes?.findings.some((f) => f.ids.length > 1)).toBe(true);
    expect(byBytes).toEqual(findingsFromEvidence(JSON.parse(text)));
    // Names written with escapes, and characters beyond ASCII, read the same.
    const system = report.findings[0]!.system;
    const escaped = text.replaceAll(JSON.stringify(system), '"sys\\"tem \\u00e9 \\u2028 é ☃"');
    expect(escaped).not.toBe(text);
    const read = await findingsFromEvidenceBytes(Buffer.from(escaped));
    expect(read?.findings.filter((f) => f.system === 'sys"tem é \u2028 é ☃').length).toBeGreaterThan(0);
    expect(read).toEqual(findingsFromEvidence(JSON.parse(escaped)));
  });
});

describe('reading earlier findings from evidence bytes', () => {
  const row = (system: string, id: string, extra: unknown[] = []) => [
    system,
    'npm',
    'lodash',
    '4.17.20',
    id,
    'breached',
    ...extra,
  ];
  const columns = ['system', 'ecosystem', 'package', 'version', 'id', 'state'];
  const doc = (over: Record<string, unknown> = {}) => ({
    effectiveDate: '2026-06-01',
    findings: { columns, rows: [row('a', 'CVE-1'), row('b', 'GHSA-x')] },
    vulnerabilities: { 'CVE-1': { ids: ['CVE-1', 'GHSA-y'], summary: 's' }, 'GHSA-x': { summary: 't' } },
    ...over,
  });
  const cases: Record<string, string> = {
    'the usual form': JSON.stringify(doc()),
    'columns in another order, and more of them': JSON.stringify(
      doc({
        findings: {
          columns: ['state', 'id', 'version', 'package', 'ecosystem', 'system', 'extra'],
          rows: [['breached', 'CVE-1', '1.0.0', 'p', 'npm', 'a', { deep: [1, 2, { x: null }] }]],
        },
      }),
    ),
    'rows before columns': `{"effectiveDate":"2026-06-01","findings":{"rows":[${JSON.stringify(row('a', 'CVE-1'))}],"columns":${JSON.stringify(columns)}}}`,
    'a null cell': JSON.stringify(doc({ findings: { columns, rows: [[null, 'npm', 'p', '1', 'CVE-1']] } })),
    'a number cell': JSON.stringify(
      doc({ findings: { columns, rows: [['a', 'npm', 'p', 1.5e3, 'CVE-1']] } }),
    ),
    'a short row': JSON.stringify(doc({ findings: { columns, rows: [['a', 'npm']] } })),
    'a row that is not an array': JSON.stringify(doc({ findings: { columns, rows: [{ a: 1 }] } })),
    'a column missing': JSON.stringify(doc({ findings: { columns: ['system'], rows: [] } })),
    'no rows': JSON.stringify(doc({ findings: { columns } })),
    'no effective date': JSON.stringify({ findings: doc().findings }),
    'an effective date that is not text': JSON.stringify(doc({ effectiveDate: 20260601 })),
    'no vulnerabilities': JSON.stringify(doc({ vulnerabilities: undefined })),
    'a vulnerability that is not an object': JSON.stringify(doc({ vulnerabilities: { 'CVE-1': 5 } })),
    'ids that are not text': JSON.stringify(doc({ vulnerabilities: { 'CVE-1': { ids: [1, 'CVE-1'] } } })),
    'empty ids': JSON.stringify(doc({ vulnerabilities: { 'CVE-1': { ids: [] } } })),
    'a key given twice': `{"effectiveDate":"2026-01-01","effectiveDate":"2026-06-01","findings":${JSON.stringify(doc().findings)}}`,
    'a vulnerability given twice': `{"effectiveDate":"2026-06-01","findings":${JSON.stringify(doc().findings)},"vulnerabilities":{"CVE-1":{"ids":["A"]},"CVE-1":{"ids":["B"]}}}`,
    'a key written with escapes': `{"effective\u0044ate":"2026-06-01","findings":${JSON.stringify(doc().findings)}}`,
    'an ID named like a property of every object': JSON.stringify(
      doc({ findings: { columns, rows: [row('a', 'constructor'), row('a', '__proto__')] } }),
    ),
    'not an object at all': '[1, 2, 3]',
    'a byte order mark first': `\ufeff${JSON.stringify(doc())}`,
  };
  test.each(Object.entries(cases))('%s: as findingsFromEvidence of the parsed JSON', async (_, text) => {
    const bytes = Buffer.from(text);
    const parsed = (() => {
      try {
        return { value: findingsFromEvidence(JSON.parse(text)) };
      } catch (e) {
        return { error: (e as Error).message };
      }
    })();
    if ('error' in parsed) await expect(findingsFromEvidenceBytes(bytes)).rejects.toThrow(parsed.error);
    else expect(await findingsFromEvidenceBytes(bytes)).toEqual(parsed.value);
  });

  test('a document that is not JSON fails as JSON.parse fails', async () => {
    for (const text of ['{"effectiveDate":"2026-06-01",', '{"effectiveDate":"2026-06-01"}}', ''])
      await expect(findingsFromEvidenceBytes(Buffer.from(text))).rejects.toThrow(SyntaxError);
  });

  test('a large report is read a few thousand rows at a time, letting other work run between, to the same answer', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => row(`host-${i % 7}`, `CVE-${i % 9_000}`));
    const vulnerabilities = Object.fromEntries(
      Array.from({ length: 9_000 }, (_, i) => [`CVE-${i}`, { ids: [`CVE-${i}`, `GHSA-${i}`], summary: '' }]),
    );
    const text = JSON.stringify(doc({ findings: { columns, rows }, vulnerabilities }));
    // Work of this thread's own, each piece waiting its turn behind whatever is running: it gets turns only if
    // the reading pauses.
    let turns = 0;
    let reading = true;
    const other = () => {
      turns++;
      if (reading) setImmediate(other);
    };
    setImmediate(other);
    const read = await findingsFromEvidenceBytes(Buffer.from(text));
    reading = false;
    expect(turns).toBeGreaterThan(4);
    expect(read).toEqual(findingsFromEvidence(JSON.parse(text)));
    expect(read?.findings).toHaveLength(20_000);
  });
});

const DPKG_STATUS = '/var/lib/dpkg/status';
const dpkgText = existsSync(DPKG_STATUS) ? readFileSync(DPKG_STATUS, 'utf8') : '';

describe.skipIf(!/^Package: libc6$/m.test(dpkgText))(
  "this machine's dpkg status against a Debian OSV fixture",
  () => {
    test('glibc and perl (by source name) need a fix, zlib has none, bash is fixed, other releases and binary names never match', () => {
      const report = scan([{ name: DPKG_STATUS, text: dpkgText, distro: '12' }]);
      const found = report.findings.map((f) => `${f.package} ${f.id} ${f.state}`).sort();
      expect(found).toEqual(
        [
          'glibc DEBIAN-TEST-0001 breached',
          /^Package: perl-base$/m.test(dpkgText) ? 'perl DEBIAN-TEST-0005 not-high-risk' : undefined,
          /^Package: zlib1g$/m.test(dpkgText) ? 'zlib DEBIAN-TEST-0003 no-fix' : undefined,
        ].filter((x) => x !== undefined),
      );
      const installed = (dpkgText.match(/^Status: \S+ \S+ installed$/gm) ?? []).length;
      expect(report.components).toBe(installed);
      expect(report.checked).toBe(installed);
    });
  },
);
