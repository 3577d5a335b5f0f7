// Scanning a fleet on both engines: the run becomes dated evidence linked to the items it supports, the next
// run says what is new, fixed and still open, bad input writes nothing, and other organisations see nothing.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Actor } from '../../src/app/actor.ts';
import { addMember } from '../../src/app/add-member.ts';
import { importOsv } from '../../src/app/import-osv.ts';
import { registerOrganisation } from '../../src/app/register-organisation.ts';
import { scanVulnerabilities, type InventoryFile } from '../../src/app/scan-vulnerabilities.ts';
import { readOsvDump } from '../../src/infra/osv-dump.ts';
import { ENGINES } from '../support/databases.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';

const operator: Actor = { kind: 'operator', name: 'test' };
const FIXTURES = path.join(import.meta.dirname, '../fixtures/vulnerabilities');

const file = (relative: string): InventoryFile => ({
  name: relative,
  read: () => readFile(path.join(FIXTURES, relative)),
});
/**
 * A fixture given by its path as well, and readable at once, as the CLI gives files: worker threads then read it
 * themselves, and the scan's own thread reads its share at once.
 */
const onDisk = (relative: string): InventoryFile => ({
  ...file(relative),
  path: path.join(FIXTURES, relative),
  readNow: () => readFileSync(path.join(FIXTURES, relative)),
});
const text = (name: string, content: string): InventoryFile => ({
  name,
  read: async () => new TextEncoder().encode(content),
});

describe.each(ENGINES)('scanVulnerabilities on %s', (engine) => {
  let deps: TestDeps;
  beforeEach(async () => {
    deps = await testDeps(engine, '2026-06-01T09:00:00.000Z');
    for (const dir of ['osv', 'own/osv-maven-go']) {
      const imported = await importOsv(deps, operator, {
        label: dir,
        source: readOsvDump(path.join(FIXTURES, dir)),
      });
      if (!imported.ok) throw new Error(imported.error.message);
    }
    await registerOrganisation(deps, operator, {
      odsCode: 'A81001',
      name: 'Riverside Surgery',
      type: 'gp-practice',
    });
    await registerOrganisation(deps, operator, { odsCode: 'RXX', name: 'Northern Trust', type: 'nhs-trust' });
  });
  afterEach(async () => {
    await deps.db.drop();
  });
  const runs = async () =>
    Number(
      (await sql<{ n: number }>`select count(*) as n from collector_runs`.execute(deps.db.db)).rows[0]?.n,
    );

  test('the run is kept as evidence: inputs fingerprinted, metrics, verdicts, links only where supported', async () => {
    const result = await scanVulnerabilities(deps, operator, {
      odsCode: 'A81001',
      files: [file('own/inventories/lodash-app.package-lock.json'), file('sbom/dropwizard-1.3.15.cdx.json')],
      effectiveDate: '2026-05-20',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { report, run, linked, verdicts } = result.value;
    expect(report.totals).toMatchObject({ findings: 5, breached: 4, notHighRisk: 1 });
    expect(run.inputs.map((i) => i.name)).toEqual([
      'own/inventories/lodash-app.package-lock.json',
      'sbom/dropwizard-1.3.15.cdx.json',
    ]);
    const lockfile = await readFile(path.join(FIXTURES, 'own/inventories/lodash-app.package-lock.json'));
    expect(run.inputs[0]).toMatchObject({
      size: lockfile.byteLength,
      sha256: createHash('sha256').update(lockfile).digest('hex'),
    });
    expect(run.metrics).toMatchObject({ files: 2, components: 171, breached: 4, slaDays: 14 });
    expect(verdicts.map((v) => `${v.targetId} ${v.verdict}`)).toEqual([
      '6.3.2 supports',
      '8.3.1 gap',
      '8.4.3 supports',
      'B4.d gap',
    ]);
    // A GP practice (category 4) has 8.3.1 and 8.4.3; the breach keeps 8.3.1 unlinked.
    expect(linked).toEqual(['8.4.3']);
    const org = (await deps.store.organisations.findByOds('A81001'))!;
    const html = await deps.store.evidence.findById(org.id, run.htmlEvidenceId);
    const page = Buffer.from(await deps.blobs.get(html!.storageKey!)).toString('utf8');
    expect(page).toContain('have not been patched within 14 days');
    expect(page).not.toMatch(/<script/i);
  });

  test('it says when it moves on from reading to matching and recording; a refused file gets no stage', async () => {
    const heard: string[] = [];
    const result = await scanVulnerabilities(deps, operator, {
      odsCode: 'A81001',
      files: [file('own/inventories/lodash-app.package-lock.json'), file('sbom/dropwizard-1.3.15.cdx.json')],
      onProgress: (done, total) => heard.push(`read ${done}/${total}`),
      onStage: (stage) => heard.push(stage),
    });
    expect(result.ok).toBe(true);
    expect(heard).toEqual(['read 1/2', 'read 2/2', 'matching', 'recording']);
    heard.length = 0;
    const refused = await scanVulnerabilities(deps, operator, {
      odsCode: 'A81001',
      files: [text('notes.txt', 'hello')],
      onStage: (stage) => heard.push(stage),
    });
    expect(refused.ok).toBe(false);
    expect(heard).toEqual([]);
  });

  test('a trust on the CAF track gets B4.d', async () => {
    const clean = text(
      'app.package-lock.json',
      '{"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21"}}}',
    );
    const result = await scanVulnerabilities(deps, operator, { odsCode: 'RXX', files: [clean] });
    expect(result.ok && result.value.linked).toContain('B4.d');
  });

  test('the next run reports new, still open and fixed against the previous one', async () => {
    await scanVulnerabilities(deps, operator, {
      odsCode: 'A81001',
      files: [file('own/inventories/lodash-app.package-lock.json')],
      effectiveDate: '2026-05-01',
    });
    const patched = text(
      'own/inventories/lodash-app.package-lock.json',
      '{"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21"},"node_modules/tool/node_modules/lodash":{"version":"4.17.15"},"node_modules/x":{"name":"minimist","version":"1.2.5"},"node_modules/y":{"name":"minimist","version":"0.0.8"}}}',
    );
    const second = await scanVulnerabilities(deps, operator, {
      odsCode: 'A81001',
      files: [patched],
      effectiveDate: '2026-05-20',
    });
    expect(second.ok && second.value.report.totals).toMatchObject({ new: 1, stillOpen: 2, fixed: 1 });
    expect(second.ok && second.value.report.previousRun).toBe('2026-05-01');
  });

  test.each<[string, Partial<Parameters<typeof scanVulnerabilities>[2]>, RegExp]>([
    ['an unknown format', { files: [text('notes.txt', 'hello')] }, /^notes\.txt: unknown format/],
    [
      'SPDX 3.0',
      { files: [text('doc.spdx3.json', '{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}')] },
      /SPDX 3\.0 \(JSON-LD\) is not supported yet/,
    ],
    [
      'a date in the future',
      { files: [file('own/inventories/lodash-app.package-lock.json')], effectiveDate: '2027-01-01' },
      /^--at: the effective date 2027-01-01 is in the future/,
    ],
    [
      'a bad date',
      { files: [file('own/inventories/lodash-app.package-lock.json')], effectiveDate: '1 May' },
      /^--at: "1 May" is not a date/,
    ],
    [
      'bad SLA days',
      { files: [file('own/inventories/lodash-app.package-lock.json')], slaDays: -1 },
      /^--sla-days:/,
    ],
    ['no files', { files: [] }, /^--sbom: give at least one inventory file/],
    [
      'a binary file',
      { files: [{ name: 'x.bin', read: async () => new Uint8Array([0xff, 0xfe, 0x00]) }] },
      /^x\.bin: the file is not UTF-8 text/,
    ],
  ])('%s is refused and nothing is written', async (_, input, message) => {
    const result = await scanVulnerabilities(deps, operator, { odsCode: 'A81001', files: [], ...input });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(`${result.error.where}: ${result.error.message}`).toMatch(message);
    expect(await runs()).toBe(0);
  });

  test.each([1, 2, 3])(
    'read by %i worker threads, the scan comes to the same report and fingerprints',
    async (workers) => {
      const files = [
        file('own/inventories/lodash-app.package-lock.json'),
        file('sbom/dropwizard-1.3.15.cdx.json'),
        file('sbom/proton-bridge-v1.8.0.cdx.json'),
        file('own/inventories/python-service.cdx.json'),
        file('own/inventories/requests.spdx.json'),
      ];
      const scan = (inWorker: boolean, effectiveDate: string) =>
        scanVulnerabilities(deps, operator, { odsCode: 'A81001', files, effectiveDate, inWorker, workers });
      const here = await scan(false, '2026-05-20');
      const there = await scan(true, '2026-05-20');
      if (!here.ok || !there.ok) throw new Error('expected both scans to succeed');
      // The second run sees the first as its previous one: everything is still open.
      expect(there.value.report).toEqual({
        ...here.value.report,
        previousRun: '2026-05-20',
        totals: { ...here.value.report.totals, new: 0, stillOpen: here.value.report.totals.findings },
        findings: here.value.report.findings.map((f) => ({ ...f, change: 'still-open' })),
      });
      expect(there.value.report.findings.length).toBeGreaterThan(4);
      expect(there.value.run.inputs).toEqual(here.value.run.inputs);
    },
  );

  test.each([1, 2])(
    'read from their paths by %i worker threads, the scan comes to the same report and fingerprints',
    async (workers) => {
      const names = [
        'own/inventories/lodash-app.package-lock.json',
        'sbom/dropwizard-1.3.15.cdx.json',
        'own/inventories/python-service.cdx.json',
        'own/inventories/requests.spdx.json',
      ];
      const here = await scanVulnerabilities(deps, operator, {
        odsCode: 'A81001',
        files: names.map(file),
        effectiveDate: '2026-05-20',
        inWorker: false,
      });
      const there = await scanVulnerabilities(deps, operator, {
        odsCode: 'A81001',
        files: names.map(onDisk),
        effectiveDate: '2026-05-20',
        inWorker: true,
        workers,
      });
      if (!here.ok || !there.ok) throw new Error('expected both scans to succeed');
      expect(there.value.report.findings.length).toBeGreaterThan(4);
      expect(there.value.report.findings).toEqual(
        here.value.report.findings.map((f) => ({ ...f, change: 'still-open' })),
      );
      expect(there.value.run.inputs).toEqual(here.value.run.inputs);
      const lock = await readFile(path.join(FIXTURES, names[0]!));
      expect(there.value.run.inputs[0]).toEqual({
        name: names[0],
        size: lock.byteLength,
        sha256: createHash('sha256').update(lock).digest('hex'),
      });
    },
  );

  test('read from their paths by two worker threads and this one, a bad file after good ones is the answer, and a missing file stops the scan', async () => {
    const good = onDisk('own/inventories/lodash-app.package-lock.json');
    const bad = { ...text('notes.txt', 'hello'), path: path.join(FIXTURES, 'LICENCES.md') };
    const refused = await scanVulnerabilities(deps, operator, {
      odsCode: 'A81001',
      files: [good, good, bad, good],
      inWorker: true,
      workers: 2,
    });
    expect(!refused.ok && `${refused.error.where}: ${refused.error.message}`).toMatch(
      /^notes\.txt: unknown format/,
    );
    const missing = {
      name: 'gone.json',
      path: path.join(FIXTURES, 'no-such-file.json'),
      read: file('x').read,
    };
    await expect(
      scanVulnerabilities(deps, operator, {
        odsCode: 'A81001',
        files: [good, missing, good, good],
        inWorker: true,
        workers: 2,
      }),
    ).rejects.toThrow(/ENOENT/);
    // A bad first file is the answer, though this thread, reading from the last file backwards, meets a missing
    // one first: read in turn, the scan would have stopped before it.
    const first = await scanVulnerabilities(deps, operator, {
      odsCode: 'A81001',
      files: [bad, good, good, missing],
      inWorker: true,
      workers: 2,
    });
    expect(!first.ok && `${first.error.where}: ${first.error.message}`).toMatch(
      /^notes\.txt: unknown format/,
    );
    expect(await runs()).toBe(0);
  });

  test('read by worker threads and this one, versions of one package on one system across the files match as read in turn', async () => {
    // Every file one system, and the same packages at other versions in each file: the threads meet the same
    // packages, and the order versions were first seen decides which earlier finding each is matched with.
    const lock = (versions: string[]) =>
      JSON.stringify({
        lockfileVersion: 3,
        packages: Object.fromEntries(
          versions.map((v, i) => [`node_modules/x${i}`, { name: i % 2 ? 'minimist' : 'lodash', version: v }]),
        ),
      });
    const files = [
      text('a.package-lock.json', lock(['4.17.15', '0.0.8'])),
      text('b.package-lock.json', lock(['4.17.11', '1.2.5', '4.17.15'])),
      text('c.package-lock.json', lock(['4.17.4', '0.0.8', '4.17.20', '1.2.0'])),
      text(
        'd.package-lock.json',
        '{"lockfileVersion":3,"packages":{"node_modules/bad":{"version":"git+https://x"}}}',
      ),
    ];
    const scan = (inWorker: boolean, workers: number, effectiveDate: string) =>
      scanVulnerabilities(deps, operator, {
        odsCode: 'A81001',
        files,
        system: 'one-host',
        effectiveDate,
        inWorker,
        workers,
      });
    const first = await scan(false, 1, '2026-05-01');
    const here = await scan(false, 1, '2026-05-20');
    const one = await scan(true, 1, '2026-05-20');
    const two = await scan(true, 2, '2026-05-20');
    if (!first.ok || !here.ok || !one.ok || !two.ok) throw new Error('expected the scans to succeed');
    expect(here.value.report.totals.stillOpen).toBeGreaterThan(3);
    expect(here.value.report.problems.shown.map((p) => p.where)).toEqual([
      'd.package-lock.json: packages["node_modules/bad"]',
    ]);
    // Each later run sees the one before it, with the same findings: all still open, as in the run read here.
    for (const there of [one, two])
      expect(there.value.report).toEqual({ ...here.value.report, previousRun: '2026-05-20' });
    expect(two.value.run.inputs).toEqual(here.value.run.inputs);
  });

  test.each([
    ['the first file (and the last)', [0, 3], /^one\.txt: unknown format/],
    ['the last file only', [3], /^four\.txt: unknown format/],
  ])(
    'read by two worker threads and this one, a bad file, %s, is reported as read in turn and nothing is written',
    async (_, bad, message) => {
      const names = ['one', 'two', 'three', 'four'];
      const lockfile = await readFile(path.join(FIXTURES, 'own/inventories/lodash-app.package-lock.json'));
      const files = names.map((name, i) =>
        bad.includes(i)
          ? text(`${name}.txt`, 'hello')
          : { name: `${name}.package-lock.json`, read: async () => lockfile },
      );
      for (const inWorker of [false, true]) {
        const result = await scanVulnerabilities(deps, operator, {
          odsCode: 'A81001',
          files,
          inWorker,
          workers: 2,
        });
        expect(!result.ok && `${result.error.where}: ${result.error.message}`).toMatch(message);
      }
      expect(await runs()).toBe(0);
    },
  );

  test('read by two worker threads and this one, a file that cannot be read is the answer, not a bad one after it', async () => {
    const unreadable: InventoryFile = {
      name: 'gone.json',
      read: () => Promise.reject(new Error('ENOENT: the file went away')),
    };
    const lockfile = file('own/inventories/lodash-app.package-lock.json');
    const result = scanVulnerabilities(deps, operator, {
      odsCode: 'A81001',
      files: [lockfile, unreadable, lockfile, text('notes.txt', 'hello')],
      inWorker: true,
      workers: 2,
    });
    await expect(result).rejects.toThrow(/the file went away/);
    expect(await runs()).toBe(0);
  });

  test('in a worker thread, files that are views into one larger buffer are read as themselves', async () => {
    const lock = await readFile(path.join(FIXTURES, 'own/inventories/lodash-app.package-lock.json'));
    const shared = Buffer.concat([Buffer.from('{"not": "this"}'), lock, Buffer.from('trailing bytes')]);
    const view = shared.subarray(15, 15 + lock.length);
    const result = await scanVulnerabilities(deps, operator, {
      odsCode: 'A81001',
      files: [{ name: 'app.package-lock.json', read: async () => view }],
      effectiveDate: '2026-05-20',
      inWorker: true,
    });
    expect(result.ok && result.value.report.totals.findings).toBe(3);
    expect(result.ok && result.value.run.inputs[0]!.size).toBe(lock.length);
    expect(shared.subarray(0, 15).toString()).toBe('{"not": "this"}');
  });

  test.each([
    ['an unknown format', text('notes.txt', 'hello'), /^notes\.txt: unknown format/],
    [
      'a binary file',
      { name: 'x.bin', read: async () => new Uint8Array([0xff, 0xfe, 0x00]) },
      /^x\.bin: the file is not UTF-8 text/,
    ],
  ])('in a worker thread, %s is refused and nothing is written', async (_, bad, message) => {
    const result = await scanVulnerabilities(deps, operator, {
      odsCode: 'A81001',
      files: [file('own/inventories/lodash-app.package-lock.json'), bad],
      inWorker: true,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(`${result.error.where}: ${result.error.message}`).toMatch(message);
    expect(await runs()).toBe(0);
  });

  test.each([
    [false, 1],
    [true, 1],
    [true, 2],
  ])(
    'a bad file before one that cannot be read is what is reported (in worker threads: %s, %i)',
    async (inWorker, workers) => {
      const unreadable: InventoryFile = {
        name: 'gone.json',
        read: () => Promise.reject(new Error('ENOENT: the file went away')),
      };
      const result = await scanVulnerabilities(deps, operator, {
        odsCode: 'A81001',
        files: [text('notes.txt', 'hello'), unreadable],
        inWorker,
        workers,
      });
      expect(!result.ok && `${result.error.where}: ${result.error.message}`).toMatch(
        /^notes\.txt: unknown format/,
      );
      expect(await runs()).toBe(0);
    },
  );

  /**
   * A fleet of small package-locks, more than the workers are given at once, so that the scan's own thread
   * reads some of them too (from the last backwards): each file has one good component and `bad` components
   * whose versions are not versions, each a problem naming its file.
   */
  const lockFleet = (count: number, bad: number, readNow: boolean): InventoryFile[] =>
    Array.from({ length: count }, (_, i) => {
      const packages: Record<string, object> = { 'node_modules/lodash': { version: '4.17.15' } };
      for (let b = 0; b < bad; b++) packages[`node_modules/bad-${b}`] = { version: `git+https://x/${i}` };
      const bytes = new TextEncoder().encode(JSON.stringify({ lockfileVersion: 3, packages }));
      return {
        name: `host-${String(i).padStart(3, '0')}/package-lock.json`,
        read: async () => bytes,
        ...(readNow ? { readNow: () => bytes } : {}),
      };
    });

  test.each([
    [1, false],
    [1, true],
    [2, true],
  ])(
    'read by this thread and %i worker threads (read at once: %s), the problems are listed and counted in file order',
    async (workers, readNow) => {
      // 3,000 problems: more than are listed (1,000), and more than twice that, so some are let go early.
      const files = lockFleet(300, 10, readNow);
      const scan = (inWorker: boolean) =>
        scanVulnerabilities(deps, operator, {
          odsCode: 'A81001',
          files,
          effectiveDate: '2026-05-20',
          inWorker,
          workers,
        });
      const here = await scan(false);
      const there = await scan(true);
      if (!here.ok || !there.ok) throw new Error('expected both scans to succeed');
      expect(here.value.report.problems.count).toBe(3000);
      expect(here.value.report.problems.shown).toHaveLength(1000);
      expect(here.value.report.problems.shown[0]!.where).toMatch(/^host-000\//);
      expect(there.value.report.problems).toEqual(here.value.report.problems);
      expect(there.value.report.findings).toEqual(
        here.value.report.findings.map((f) => ({ ...f, change: 'still-open' })),
      );
      expect(there.value.run.inputs).toEqual(here.value.run.inputs);
    },
  );

  test.each([
    ['two refused files: the earlier is the answer', [150, 290], [], /^host-150\/notes\.txt: unknown format/],
    [
      'a refused file before an unreadable one near the end',
      [100],
      [295],
      /^host-100\/notes\.txt: unknown format/,
    ],
    ['an unreadable file before a refused one near the end', [290], [100], /went away/],
  ])('read by this thread and a worker, %s, as when read in turn', async (_, refused, unreadable, answer) => {
    const files = lockFleet(300, 0, true).map((f, i): InventoryFile => {
      if (refused.includes(i)) return text(f.name.replace('package-lock.json', 'notes.txt'), 'hello');
      if (unreadable.includes(i)) {
        const gone = () => {
          throw new Error('ENOENT: the file went away');
        };
        return { name: f.name, read: async () => gone(), readNow: gone };
      }
      return f;
    });
    for (const inWorker of [false, true]) {
      const scanned = scanVulnerabilities(deps, operator, {
        odsCode: 'A81001',
        files,
        inWorker,
        workers: 1,
      });
      if (unreadable[0]! < refused[0]!) await expect(scanned).rejects.toThrow(answer);
      else {
        const result = await scanned;
        expect(!result.ok && `${result.error.where}: ${result.error.message}`).toMatch(answer);
      }
    }
    expect(await runs()).toBe(0);
  });

  test('a member of another organisation is told it does not exist', async () => {
    await addMember(deps, operator, {
      odsCode: 'RXX',
      email: 'ciso@trust.example',
      name: 'C',
      role: 'administrator',
    });
    const result = await scanVulnerabilities(
      deps,
      { kind: 'user', email: 'ciso@trust.example', name: 'C' },
      {
        odsCode: 'A81001',
        files: [file('own/inventories/lodash-app.package-lock.json')],
      },
    );
    expect(result.ok || result.error.kind).toBe('not-found');
    expect(await runs()).toBe(0);
  });
});
