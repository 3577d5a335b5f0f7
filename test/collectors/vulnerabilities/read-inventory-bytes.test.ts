// Reading an inventory from its bytes must come to exactly what reading it as text comes to: the same fleet,
// in the same order, with the same problems and the same refusals. Every case here is read both ways.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  addProblem,
  createFleet,
  readBytesIntoFleet,
  readFileIntoFleet,
  readIntoFleet,
  type Fleet,
} from '../../../src/collectors/vulnerabilities/fleet.ts';
import { JsonBytes, NotReadHere } from '../../../src/collectors/vulnerabilities/json-bytes.ts';
import type { InventoryProblem } from '../../../src/collectors/vulnerabilities/inventory.ts';
import { FileNumberer, NumberedPart } from '../../../src/collectors/vulnerabilities/numbered-files.ts';

interface File {
  name: string;
  bytes: Uint8Array;
  distro?: string;
}

const encode = (text: string) => new TextEncoder().encode(text);
const file = (name: string, doc: unknown, distro?: string): File => ({
  name,
  bytes: encode(typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2)),
  ...(distro ? { distro } : {}),
});

/** A fleet as plain data, in the order it met everything, to compare two fleets whole. */
interface FleetData {
  files: number;
  components: number;
  noVersion: number;
  problemCount: number;
  problems: InventoryProblem[];
  systems: string[];
  formats: [string, number][];
  noVersionByEcosystem: [string, number][];
  /** Each package's ecosystem and name, and how many versions follow it in `versions`. */
  ecosystems: string[];
  names: string[];
  versionCounts: Int32Array;
  versions: string[];
  copies: Float64Array;
  /** Each version's systems, in the order first seen: how many, then all of them one version after another. */
  systemCounts: Int32Array;
  systemList: Int32Array;
}

function fleetData(fleet: Fleet): FleetData {
  const packages = fleet.packageOrder;
  let count = 0;
  for (const pkg of packages) count += pkg.versions.size;
  const versions = new Array<string>(count);
  const copies = new Float64Array(count);
  const systemCounts = new Int32Array(count);
  const systemList: number[] = [];
  let v = 0;
  for (const pkg of packages)
    for (const node of pkg.versions.values()) {
      versions[v] = node.version;
      copies[v] = node.copies;
      systemCounts[v] = node.systemsInto(systemList);
      v++;
    }
  return {
    files: fleet.files,
    components: fleet.components,
    noVersion: fleet.noVersion,
    problemCount: fleet.problemCount,
    problems: fleet.problems,
    systems: fleet.systems,
    formats: [...fleet.formats],
    noVersionByEcosystem: [...fleet.noVersionByEcosystem],
    ecosystems: packages.map((p) => p.ecosystem),
    names: packages.map((p) => p.name),
    versionCounts: Int32Array.from(packages, (p) => p.versions.size),
    versions,
    copies,
    systemCounts,
    systemList: Int32Array.from(systemList),
  };
}

/**
 * What a fleet holds whatever the order it met things in: each package version with its copies and systems,
 * and the counts. A fleet added to from files told by number (as worker threads tell them) is compared so.
 */
function fleetContent(fleet: Fleet) {
  const versions: string[] = [];
  for (const pkg of fleet.packages.values())
    for (const v of pkg.versions.values()) {
      const systems: number[] = [];
      v.systemsInto(systems);
      const names = systems.map((s) => fleet.systems[s]).sort();
      versions.push(`${pkg.ecosystem} ${pkg.name} ${v.version} x${v.copies} on ${names.join(',')}`);
    }
  return {
    files: fleet.files,
    components: fleet.components,
    noVersion: fleet.noVersion,
    noVersionByEcosystem: [...fleet.noVersionByEcosystem].sort(),
    formats: [...fleet.formats].sort(),
    versions: versions.sort(),
    problemCount: fleet.problemCount,
  };
}

/**
 * The files read by number, as a worker thread reads them, into a fleet of their own: what each file came to,
 * and the fleet. One numberer per Debian release assumed, as a scan's --distro gives one to every worker.
 */
function readByNumber(files: File[]) {
  const fleet = createFleet();
  const numberers = new Map<string, [FileNumberer, NumberedPart]>();
  const results = files.map((f) => {
    const options = f.distro ? { distro: f.distro } : {};
    let pair = numberers.get(f.distro ?? '');
    if (!pair)
      numberers.set(f.distro ?? '', (pair = [new FileNumberer(options), new NumberedPart(fleet, options)]));
    const told = pair[0].read(f.name, f.bytes);
    if (!told.ok)
      return told.error.message === 'the file is not UTF-8 text'
        ? { ok: false, error: 'not UTF-8' }
        : { ok: false, error: `${told.error.where}: ${told.error.message}` };
    pair[1].add(f.name, structuredClone(told.value));
    for (const problem of told.value.problems) addProblem(fleet, problem);
    return { ok: true, formatLabel: told.value.formatLabel };
  });
  for (const [numberer, part] of numberers.values()) {
    part.addCopies(structuredClone(numberer.copiesCounted()));
  }
  return { fleet, results };
}

/** The files read into one fleet as text, and into another from their bytes: what each file came to, and the fleet. */
function readBothWays(files: File[]) {
  const asText = createFleet();
  const fromBytes = createFleet();
  const textResults = [];
  const byteResults = [];
  for (const f of files) {
    const options = f.distro ? { distro: f.distro } : {};
    let text: string | undefined;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(f.bytes);
    } catch {
      text = undefined;
    }
    textResults.push(
      text === undefined
        ? { ok: false, error: 'not UTF-8' }
        : simplify(readIntoFleet(asText, f.name, text, options)),
    );
    const read = readFileIntoFleet(fromBytes, f.name, f.bytes, options);
    byteResults.push(
      read.ok || read.error.message !== 'the file is not UTF-8 text'
        ? simplify(read)
        : { ok: false, error: 'not UTF-8' },
    );
  }
  // And by number, as worker threads read them: the same answers, and the same fleet but for its order.
  const byNumber = readByNumber(files);
  expect(byNumber.results).toEqual(
    textResults.map((r) =>
      r.ok ? { ok: true, formatLabel: (r.value as { formatLabel: string }).formatLabel } : r,
    ),
  );
  expect(fleetContent(byNumber.fleet)).toEqual(fleetContent(asText));
  const problems = (fleet: Fleet) => fleet.problems.map((p) => `${p.where}: ${p.message}`).sort();
  expect(problems(byNumber.fleet)).toEqual(problems(asText));
  return { asText, fromBytes, textResults, byteResults };
}

const simplify = (r: { ok: boolean; value?: unknown; error?: { message: string; where?: string } }) =>
  r.ok ? { ok: true, value: r.value } : { ok: false, error: `${r.error!.where}: ${r.error!.message}` };

const same = (a: Fleet, b: Fleet) => {
  expect(fleetData(b)).toEqual(fleetData(a));
  expect(b.problems).toEqual(a.problems);
};

/** Whether the file is read from its bytes, rather than handed to the text reader. */
const readFromBytes = (f: File) =>
  readBytesIntoFleet(createFleet(), f.name, f.bytes, f.distro ? { distro: f.distro } : {}) !== undefined;

const cyclonedx = (components: unknown[], extra: Record<string, unknown> = {}) => ({
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  version: 1,
  ...extra,
  components,
});

const spdx = (packages: unknown[]) => ({
  spdxVersion: 'SPDX-2.3',
  SPDXID: 'SPDXRef-DOCUMENT',
  name: 'example',
  packages,
});

const purlRef = (purl: unknown, category = 'PACKAGE-MANAGER') => ({
  referenceCategory: category,
  referenceType: 'purl',
  referenceLocator: purl,
});

const lock = (packages: Record<string, unknown>, lockfileVersion = 3) => ({
  name: 'app',
  lockfileVersion,
  requires: true,
  packages: { '': { name: 'app', version: '1.0.0' }, ...packages },
});

describe('reading inventories from their bytes', () => {
  const fixtures = path.join(import.meta.dirname, '../../fixtures/vulnerabilities');
  const jsonFiles: File[] = [];
  for (const dir of [path.join(fixtures, 'sbom'), path.join(fixtures, 'own/inventories')])
    for (const name of readdirSync(dir).sort())
      jsonFiles.push({ name, bytes: readFileSync(path.join(dir, name)), distro: '12' });

  test('the sample SBOMs and our own inventories come to the same fleet, the plain ones from their bytes', () => {
    const { asText, fromBytes, textResults, byteResults } = readBothWays(jsonFiles);
    expect(byteResults).toEqual(textResults);
    same(asText, fromBytes);
    expect(fromBytes.components).toBeGreaterThan(500);
    // Our own inventories hold problems on purpose (a git dependency, a bad purl) or an old format (package-lock
    // v1): the text reader reads those, and names the problems.
    expect(jsonFiles.filter((f) => !readFromBytes(f)).map((f) => f.name)).toEqual([
      'lodash-app.package-lock.json',
      'minimist-v1.package-lock.json',
      'python-service.cdx.json',
    ]);
  });

  test.runIf(existsSync('/var/lib/dpkg/status'))(
    "this machine's own dpkg status file, from its bytes",
    () => {
      const own: File = { name: 'status', bytes: readFileSync('/var/lib/dpkg/status'), distro: '12' };
      const { asText, fromBytes, textResults, byteResults } = readBothWays([own]);
      expect(byteResults).toEqual(textResults);
      same(asText, fromBytes);
      expect(fromBytes.components).toBeGreaterThan(50);
      expect(readFromBytes(own)).toBe(true);
    },
  );

  const cases: [string, File, boolean][] = [
    [
      'CycloneDX with a nested assembly, each component before the ones inside it',
      file(
        'nested.cdx.json',
        cyclonedx([
          { name: 'outer', components: [{ purl: 'pkg:npm/inner@1.0.0' }], purl: 'pkg:npm/outer@2.0.0' },
          { name: 'no purl', version: '3' },
          { name: 'bundle', components: [{ purl: 'pkg:pypi/Requests@2.0.0' }, { components: [] }] },
          { purl: 'pkg:npm/outer@2.0.0' },
        ]),
      ),
      true,
    ],
    [
      'a purl and a name written with escapes',
      file(
        'escaped.cdx.json',
        '{"bomFormat":"CycloneDX","specVersion":"1.4","components":[{"purl":"pkg:npm/%40scope\\/name@1.0.0"},{"name":"caf\\u00e9","version":"1\\t2"},{"purl":"pkg:npm/x@1"}]}',
      ),
      true,
    ],
    [
      'non-ASCII names',
      file(
        'unicode.cdx.json',
        cyclonedx([{ name: 'Zürich—lib', version: '1.0' }, { purl: 'pkg:npm/ü@1.0.0' }]),
      ),
      true,
    ],
    [
      'a byte order mark and CRLF line ends',
      {
        name: 'bom.cdx.json',
        bytes: encode(
          '\uFEFF' + JSON.stringify(cyclonedx([{ purl: 'pkg:npm/a@1.0.0' }]), null, 1).replace(/\n/g, '\r\n'),
        ),
      },
      true,
    ],
    [
      'an invalid purl: a problem',
      file('badpurl.cdx.json', cyclonedx([{ purl: 'pkg:npm/a@1.0.0' }, { purl: 'not a purl' }])),
      false,
    ],
    ['a purl that is not a string', file('numpurl.cdx.json', cyclonedx([{ purl: 12 }])), false],
    [
      'a component that is not an object',
      file('notobject.cdx.json', cyclonedx([{ purl: 'pkg:npm/a@1' }, 'x'])),
      false,
    ],
    [
      'the components before bomFormat',
      file(
        'order.cdx.json',
        '{"components":[{"purl":"pkg:npm/a@1.0.0"}],"bomFormat":"CycloneDX","specVersion":"1.6"}',
      ),
      false,
    ],
    [
      'a duplicated purl key, where JSON keeps the last',
      file(
        'dup.cdx.json',
        '{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"purl":"pkg:npm/a@1","purl":"pkg:npm/b@2"}]}',
      ),
      false,
    ],
    [
      'a key written with escapes that spells purl',
      file(
        'escapedkey.cdx.json',
        '{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"\\u0070url":"pkg:npm/a@1"}]}',
      ),
      false,
    ],
    [
      'an unsupported CycloneDX version',
      file('old.cdx.json', { ...cyclonedx([]), specVersion: '1.1' }),
      false,
    ],
    [
      'SPDX with references before versionInfo, a purl without a version, and a package without purls',
      file(
        'refs.spdx.json',
        spdx([
          { externalRefs: [purlRef('pkg:maven/org.example/lib')], versionInfo: '2.1', name: 'lib' },
          {
            name: 'plain',
            versionInfo: '1.0',
            externalRefs: [{ referenceType: 'cpe23Type', referenceLocator: 'x' }],
          },
          {
            name: 'two',
            externalRefs: [purlRef('pkg:npm/a@1.0.0'), purlRef('pkg:npm/b@1.0.0', 'PACKAGE_MANAGER'), 'odd'],
          },
          { name: 'other category', externalRefs: [purlRef('pkg:npm/c@1.0.0', 'SECURITY')] },
        ]),
      ),
      true,
    ],
    ['SPDX 2.2', file('old.spdx.json', { ...spdx([]), spdxVersion: 'SPDX-2.2' }), false],
    [
      'an SPDX purl reference without a string',
      file('nolocator.spdx.json', spdx([{ externalRefs: [purlRef(null)] }])),
      false,
    ],
    [
      'package-lock v3 with an alias, a link, a nested path and the root',
      file(
        'package-lock.json',
        lock({
          'node_modules/a': { version: '1.0.0' },
          'node_modules/a/node_modules/@s/b': { version: '2.0.0' },
          'node_modules/alias': { name: 'real', version: 'npm:real@3.0.0' },
          'node_modules/linked': { resolved: 'packages/x', link: true },
          'packages/x': { name: 'x', version: '0.1.0' },
          'node_modules/named': { name: 'other-name', version: '4.0.0' },
        }),
      ),
      true,
    ],
    [
      'package-lock v2',
      file('v2/package-lock.json', lock({ 'node_modules/a': { version: '1.0.0' } }, 2)),
      true,
    ],
    [
      'package-lock v1',
      file('v1/package-lock.json', { lockfileVersion: 1, dependencies: { a: { version: '1.0.0' } } }),
      false,
    ],
    [
      'a git dependency: a problem',
      file('git/package-lock.json', lock({ 'node_modules/g': { version: 'git+https://x/y.git' } })),
      false,
    ],
    [
      'a path given twice',
      file(
        'twice/package-lock.json',
        '{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.0"},"node_modules/a":{"version":"2.0.0"}}}',
      ),
      false,
    ],
    [
      'JSON with a trailing comma',
      file('comma.cdx.json', '{"bomFormat":"CycloneDX","specVersion":"1.6","components":[],}'),
      false,
    ],
    [
      'a number with a leading zero',
      file('zero.cdx.json', '{"bomFormat":"CycloneDX","specVersion":"1.6","version":01}'),
      false,
    ],
    [
      'a raw tab inside a string',
      file('tab.cdx.json', '{"bomFormat":"CycloneDX","specVersion":"1.6","x":"a\tb"}'),
      false,
    ],
    [
      'a bad escape',
      file('escape.cdx.json', '{"bomFormat":"CycloneDX","specVersion":"1.6","x":"\\q"}'),
      false,
    ],
    [
      'a truncated document',
      file('cut.cdx.json', '{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"purl":"pkg:npm/a@1'),
      false,
    ],
    [
      'text after the document',
      file('after.cdx.json', '{"bomFormat":"CycloneDX","specVersion":"1.6"} x'),
      false,
    ],
    ['an empty file', file('empty.json', ''), false],
    [
      'a dpkg status file with sources, removed packages, continuations and CRLF line ends',
      file(
        'host/status',
        [
          'Package: zlib1g',
          'Status: install ok installed',
          'Source: zlib (1:1.2.13.dfsg-1)',
          'Version: 1:1.2.13.dfsg-1+b1',
          'Description: compression library',
          ' a continuation line: with a colon',
          '\t.',
          '',
          '',
          'Package: libssl3',
          'Status: install ok installed',
          'Source: openssl',
          'Version:   3.0.11-1~deb12u2  ',
          'Maintainer: Débian Team <x@example.org>',
          '',
          'Package: old',
          'Status: deinstall ok config-files',
          'Version: 1.0',
          '',
          'Package: held',
          'Status: hold ok installed',
          'Version: 2.0',
          'Package: held',
        ]
          .join('\r\n')
          .replace(/^/, '\n'),
        'bookworm',
      ),
      true,
    ],
    [
      'a dpkg status file without a release: a problem, and every package listed',
      file(
        'nodistro/status',
        'Package: a\nStatus: install ok installed\nVersion: 1\n\nPackage: a\nStatus: install ok installed\nVersion: 1\n',
      ),
      true,
    ],
    [
      "a dpkg status file with a release that is not Debian's",
      file('bad/status', 'Package: a\nVersion: 1\n', 'windows'),
      false,
    ],
    [
      'a dpkg stanza without a Package field',
      file('nopackage/status', 'Package: a\nVersion: 1\n\nStatus: install ok installed\nVersion: 1\n', '12'),
      false,
    ],
    [
      'a dpkg continuation line outside a field',
      file('cont/status', 'Package: a\nVersion: 1\n\n continued\n', '12'),
      false,
    ],
    ['a dpkg line without a colon', file('nocolon/status', 'Package: a\nVersion 1\n', '12'), false],
    ['a dpkg line starting with a colon', file('colon/status', 'Package: a\n: x: y\n', '12'), false],
    [
      'a dpkg version edged with a no-break space',
      file('nbsp/status', 'Package: a\nStatus: install ok installed\nVersion: 1.0\u00a0\n', '12'),
      false,
    ],
    [
      'bytes that are not UTF-8',
      { name: 'latin1.cdx.json', bytes: Uint8Array.from([0x7b, 0xe9, 0x7d]) },
      false,
    ],
    [
      'nesting deeper than the byte reader goes',
      file(
        'deep.cdx.json',
        `{"bomFormat":"CycloneDX","specVersion":"1.6","x":${'['.repeat(300)}${']'.repeat(300)},"components":[]}`,
      ),
      false,
    ],
  ];

  test.each(cases)('%s: the same answer and fleet either way', (_, f, fromBytes) => {
    const { asText, fromBytes: fleet, textResults, byteResults } = readBothWays([f]);
    expect(byteResults).toEqual(textResults);
    same(asText, fleet);
    expect(readFromBytes(f)).toBe(fromBytes);
  });

  test('a file read after others meets the purls they brought in, and adds its own', () => {
    const files = cases.map(([, f]) => f);
    const { asText, fromBytes, textResults, byteResults } = readBothWays([...files, ...files.reverse()]);
    expect(byteResults).toEqual(textResults);
    same(asText, fromBytes);
  });

  test('damaged copies of an inventory are refused, or read, exactly as the text reader does', () => {
    const base = JSON.stringify(
      cyclonedx([
        { name: 'a', version: '1', purl: 'pkg:npm/a@1.0.0', hashes: [{ alg: 'SHA-256', content: 'ab' }] },
        { name: 'b', purl: 'pkg:pypi/b@2.0', components: [{ purl: 'pkg:golang/github.com/x/y@v1.2.3' }] },
        { name: 'c', version: '-1.5e+3', licenses: [true, false, null, 0.25] },
      ]),
    );
    const pieces = ['"', ',', '{', '}', '[', ']', ':', '\\', ' ', '0', 'e', '-', 'n', '\u0001', 'é'];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const files: File[] = [];
    for (let i = 0; i < 400; i++) {
      let text = base;
      for (let k = 0; k <= random(3); k++) {
        const at = random(text.length);
        const cut = random(3);
        text = text.slice(0, at) + (random(2) ? pieces[random(pieces.length)] : '') + text.slice(at + cut);
      }
      files.push(file(`damaged-${i}.cdx.json`, text));
    }
    const { asText, fromBytes, textResults, byteResults } = readBothWays(files);
    expect(byteResults).toEqual(textResults);
    same(asText, fromBytes);
    // Both kinds of outcome are met: the damage is not all harmless, nor all fatal.
    expect(textResults.filter((r) => r.ok).length).toBeGreaterThan(20);
    expect(textResults.filter((r) => !r.ok).length).toBeGreaterThan(20);
  });
});

describe('JsonBytes', () => {
  const skipAll = (text: string) => {
    const j = new JsonBytes(encode(text));
    try {
      j.skipValue();
      j.finish();
      return true;
    } catch (e) {
      if (e instanceof NotReadHere) return false;
      throw e;
    }
  };

  test.each([
    '0',
    '-0.5e-7',
    '1E+2',
    '"a\\u00e9\\n"',
    'true',
    'null',
    ' [1, {"a": [false, {}]}, []] ',
    '{"":""}',
    '01',
    '1.',
    '.5',
    '-',
    '1e',
    '+1',
    '[1,]',
    '{"a":1,}',
    '{"a" 1}',
    '{a:1}',
    "'a'",
    'tru',
    'nul',
    '"\\u12G4"',
    '"\\x"',
    '[1 2]',
    '',
    '  ',
    'NaN',
    '"unterminated',
  ])('accepts %j exactly when JSON.parse does', (text) => {
    let parses = true;
    try {
      JSON.parse(text);
    } catch {
      parses = false;
    }
    expect(skipAll(text)).toBe(parses);
  });
});
