// Importing OSV data on both engines: folders and zips, newer records replacing older ones, withdrawn records
// dropped, bad records skipped and counted, and a corrupt zip or zip bomb refused with nothing written.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import yazl from 'yazl';
import type { Actor } from '../../src/app/actor.ts';
import { importOsv, type OsvSourceItem } from '../../src/app/import-osv.ts';
import { readOsvDump, DEFAULT_ZIP_LIMITS } from '../../src/infra/osv-dump.ts';
import { ENGINES } from '../support/databases.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';

const operator: Actor = { kind: 'operator', name: 'test' };
const SAMPLES = path.join(import.meta.dirname, '../fixtures/vulnerabilities/osv');

async function* items(...records: [string, unknown][]): AsyncGenerator<OsvSourceItem> {
  for (const [name, value] of records)
    yield { kind: 'file', name, text: typeof value === 'string' ? value : JSON.stringify(value) };
}

const lodash = (modified: string, fixed: string | null, extra: Record<string, unknown> = {}) => ({
  id: 'GHSA-test-0001',
  modified,
  published: '2021-05-06T00:00:00Z',
  affected: [
    {
      package: { ecosystem: 'npm', name: 'lodash' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, ...(fixed ? [{ fixed }] : [])] }],
    },
  ],
  database_specific: { severity: 'HIGH' },
  ...extra,
});

export async function zipOf(entries: [string, string | Buffer][], file: string): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of entries)
    zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  await writeFile(file, Buffer.concat(chunks));
  return file;
}

describe.each(ENGINES)('importOsv on %s', (engine) => {
  let deps: TestDeps;
  let dir: string;
  beforeEach(async () => {
    deps = await testDeps(engine);
    dir = await mkdtemp(path.join(tmpdir(), 'dspt-osv-'));
  });
  afterEach(async () => {
    await deps.db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const lookUp = async (name: string) =>
    (await deps.store.osv.findByPackages('npm', [name])).get(`npm\u0000${name}`) ?? [];

  test('a folder of the shared advisories lands in the index, keyed by ecosystem and package', async () => {
    const result = await importOsv(deps, operator, { label: SAMPLES, source: readOsvDump(SAMPLES) });
    expect(result.ok && result.value).toMatchObject({ files: 4, records: 4, added: 4, skipped: 0 });
    expect(Object.fromEntries(await deps.store.osv.ecosystems())).toEqual({ npm: 3, PyPI: 1, Go: 1 });
    const [found] = await lookUp('lodash');
    expect(found).toMatchObject({
      advisory: { id: 'GHSA-35jh-r3h4-6jhm', aliases: ['CVE-2021-23337'] },
      fixKnownSince: '2021-05-06T16:05:51Z',
    });
    expect(found!.pkg.severity).toMatchObject({ score: 7.2, highRisk: true });
  });

  test('an osv.dev all.zip reads the same as the folder', async () => {
    const entries = await Promise.all(
      (await readdir(SAMPLES))
        .filter((f) => f.endsWith('.json'))
        .map(async (f): Promise<[string, string]> => [f, await readFile(path.join(SAMPLES, f), 'utf8')]),
    );
    const zip = await zipOf([...entries, ['README.txt', 'not a record']], path.join(dir, 'all.zip'));
    const result = await importOsv(deps, operator, { label: zip, source: readOsvDump(zip) });
    expect(result.ok && result.value).toMatchObject({ files: 4, added: 4 });
    expect(await lookUp('minimist')).toHaveLength(1);
  });

  test('a newer modified replaces a record; an older one changes nothing; a fix added later moves the clock', async () => {
    await importOsv(deps, operator, {
      label: 'a',
      source: items(['a.json', lodash('2021-05-06T00:00:00Z', null)]),
    });
    expect((await lookUp('lodash'))[0]!.fixKnownSince).toBeNull();
    const second = await importOsv(deps, operator, {
      label: 'b',
      source: items(['a.json', lodash('2021-06-01T12:00:00Z', '4.17.21')]),
    });
    expect(second.ok && second.value).toMatchObject({ replaced: 1, added: 0 });
    const [replaced] = await lookUp('lodash');
    expect(replaced!.advisory.modified).toBe('2021-06-01T12:00:00Z');
    // The fix was not in the first copy: it is known only from the second copy's modified time.
    expect(replaced!.fixKnownSince).toBe('2021-06-01T12:00:00Z');
    const third = await importOsv(deps, operator, {
      label: 'c',
      source: items(['a.json', lodash('2021-05-07T00:00:00Z', null)]),
    });
    expect(third.ok && third.value).toMatchObject({ unchanged: 1, replaced: 0 });
    expect((await lookUp('lodash'))[0]!.advisory.modified).toBe('2021-06-01T12:00:00Z');
  });

  test('a lookup gives each package its own records in ID order, each as it was imported', async () => {
    const record = (id: string, names: string[], fixed: string | null, summary: string) => ({
      ...lodash('2021-05-06T00:00:00Z', fixed),
      id,
      aliases: [`CVE-${id.slice(-4)}`],
      summary,
      affected: names.map((name) => ({
        package: { ecosystem: 'npm', name },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, ...(fixed ? [{ fixed }] : [])] }],
      })),
    });
    // Imported out of ID order, one record naming two packages, summaries with quotes and text beyond ASCII.
    const records: [string, unknown][] = [
      ['3.json', record('GHSA-0003', ['left-pad', 'zlib'], '1.2.0', 'a "quoted" flaw')],
      ['1.json', record('GHSA-0001', ['left-pad'], null, 'ünïcödé ✓')],
      ['2.json', record('GHSA-0002', ['zlib'], '2.0.0', '')],
      ['4.json', record('GHSA-0004', ['left-pad'], '3.0.0', 'tab\there')],
    ];
    const imported = await importOsv(deps, operator, { label: 'mixed', source: items(...records) });
    expect(imported.ok && imported.value).toMatchObject({ added: 4 });
    const found = await deps.store.osv.findByPackages('npm', ['zlib', 'not-in-the-index', 'left-pad']);
    expect([...found.keys()].sort()).toEqual(['npm\u0000left-pad', 'npm\u0000zlib']);
    expect(found.get('npm\u0000not-in-the-index')).toBeUndefined();
    const seen = (name: string) =>
      found.get(`npm\u0000${name}`)!.map((a) => ({
        id: a.advisory.id,
        summary: a.advisory.summary,
        aliases: a.advisory.aliases,
        fixKnownSince: a.fixKnownSince,
        name: a.pkg.name,
        fixed: a.pkg.affected[0]!.ranges[0]!.events.find((e) => e.kind === 'fixed')?.version ?? null,
      }));
    const since = '2021-05-06T00:00:00Z';
    expect(seen('left-pad')).toEqual([
      {
        id: 'GHSA-0001',
        summary: 'ünïcödé ✓',
        aliases: ['CVE-0001'],
        fixKnownSince: null,
        name: 'left-pad',
        fixed: null,
      },
      {
        id: 'GHSA-0003',
        summary: 'a "quoted" flaw',
        aliases: ['CVE-0003'],
        fixKnownSince: since,
        name: 'left-pad',
        fixed: '1.2.0',
      },
      {
        id: 'GHSA-0004',
        summary: 'tab\there',
        aliases: ['CVE-0004'],
        fixKnownSince: since,
        name: 'left-pad',
        fixed: '3.0.0',
      },
    ]);
    expect(seen('zlib')).toEqual([
      {
        id: 'GHSA-0002',
        summary: '',
        aliases: ['CVE-0002'],
        fixKnownSince: since,
        name: 'zlib',
        fixed: '2.0.0',
      },
      {
        id: 'GHSA-0003',
        summary: 'a "quoted" flaw',
        aliases: ['CVE-0003'],
        fixKnownSince: since,
        name: 'zlib',
        fixed: '1.2.0',
      },
    ]);
  });

  test('withdrawn records are ignored, and a newer withdrawal removes the older copy', async () => {
    await importOsv(deps, operator, {
      label: 'a',
      source: items(['a.json', lodash('2021-05-06T00:00:00Z', '4.17.21')]),
    });
    const withdrawn = await importOsv(deps, operator, {
      label: 'b',
      source: items([
        'a.json',
        lodash('2021-07-01T00:00:00Z', '4.17.21', { withdrawn: '2021-07-01T00:00:00Z' }),
      ]),
    });
    expect(withdrawn.ok && withdrawn.value).toMatchObject({ withdrawn: 1 });
    expect(await lookUp('lodash')).toEqual([]);
  });

  test('bad records are reported, skipped and counted; the good ones still land', async () => {
    const result = await importOsv(deps, operator, {
      label: 'mixed',
      source: items(
        ['good.json', lodash('2021-05-06T00:00:00Z', '4.17.21')],
        ['broken.json', '{"id": "X", "modified": '],
        [
          'impossible.json',
          {
            ...lodash('2021-05-06T00:00:00Z', null),
            id: 'BAD-1',
            affected: [
              {
                package: { ecosystem: 'npm', name: 'x' },
                ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.0.0' }, { fixed: '1.0.0' }] }],
              },
            ],
          },
        ],
        [
          'list.json',
          [lodash('2021-05-06T00:00:00Z', '4.17.21', { id: 'GHSA-test-0002' }), { id: 'NO-MODIFIED' }],
        ],
      ),
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ files: 4, records: 4, added: 2, skipped: 3 });
    expect(result.value.problems).toEqual([
      { where: 'broken.json', message: expect.stringMatching(/^not valid JSON: .* at line 1, column 25$/) },
      {
        where: 'impossible.json (BAD-1): affected[0].ranges[0].events',
        message: 'fixed 1.0.0 comes before introduced 2.0.0',
      },
      { where: 'list.json[1] (NO-MODIFIED): modified', message: expect.any(String) },
    ]);
  });

  test.each<[string, (dir: string) => Promise<string>, RegExp]>([
    [
      'a corrupt zip',
      async (d) => {
        const file = await zipOf(
          [['a.json', JSON.stringify(lodash('2021-05-06T00:00:00Z', '4.17.21'))]],
          path.join(d, 'all.zip'),
        );
        const bytes = await readFile(file);
        await writeFile(file, bytes.subarray(0, bytes.length - 30));
        return file;
      },
      /^all\.zip: not a readable zip file/,
    ],
    [
      'a file that is not a zip',
      async (d) => {
        await writeFile(path.join(d, 'all.zip'), 'hello');
        return path.join(d, 'all.zip');
      },
      /^all\.zip: not a readable zip file/,
    ],
    ['a missing path', async (d) => path.join(d, 'nowhere'), /nowhere: cannot read this path/],
  ])('%s stops the import with nothing written', async (_, make, message) => {
    const source = await make(dir);
    const result = await importOsv(deps, operator, { label: source, source: readOsvDump(source) });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(`${result.error.where}: ${result.error.message}`).toMatch(message);
    expect(await deps.store.osv.ecosystems()).toEqual(new Map());
  });

  test('a broken entry half-way rolls back the records before it', async () => {
    async function* source(): AsyncGenerator<OsvSourceItem> {
      yield* items(['a.json', lodash('2021-05-06T00:00:00Z', '4.17.21')]);
      yield { kind: 'error', where: 'all.zip: b.json', message: 'the zip is corrupt: invalid signature' };
    }
    const result = await importOsv(deps, operator, { label: 'x', source: source() });
    expect(result.ok || result.error).toMatchObject({ kind: 'bad-input', where: 'all.zip: b.json' });
    expect(await lookUp('lodash')).toEqual([]);
  });

  test('a zip bomb is refused by its declared size and its compression ratio', async () => {
    const bomb = await zipOf([['big.json', Buffer.alloc(8 * 1024 * 1024, 32)]], path.join(dir, 'bomb.zip'));
    const ratio = await importOsv(deps, operator, { label: bomb, source: readOsvDump(bomb) });
    expect(ratio.ok || ratio.error.message).toMatch(/compressed suspiciously well/);
    const size = await importOsv(deps, operator, {
      label: bomb,
      source: readOsvDump(bomb, { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: 1024 * 1024 }),
    });
    expect(size.ok || size.error.message).toMatch(
      /unpacks to 8388608 bytes; the limit for one record is 1048576/,
    );
  });

  test('only an operator may change the shared index', async () => {
    const result = await importOsv(
      deps,
      { kind: 'user', email: 'a@example.org', name: 'A' },
      { label: 'x', source: items() },
    );
    expect(result.ok || result.error.kind).toBe('forbidden');
  });
});
