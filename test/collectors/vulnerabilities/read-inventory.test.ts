// The inventory readers: CycloneDX (nested components flattened), SPDX 2.3, dpkg status (installed only,
// binary to source) and package-lock v1 to v3; and bad input named by file, line and element.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { debianRelease, releaseFromOsRelease } from '../../../src/collectors/vulnerabilities/inventory.ts';
import { readInventory } from '../../../src/collectors/vulnerabilities/read-inventory.ts';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/vulnerabilities');
const read = (file: string) => readFileSync(path.join(FIXTURES, file), 'utf8');

function inventory(file: string, options = {}) {
  const result = readInventory(file, read(file), options);
  if (!result.ok) throw new Error(`${result.error.where}: ${result.error.message}`);
  return result.value;
}

describe('CycloneDX', () => {
  test('the shared samples read whole, each component with its system', () => {
    const maven = inventory('sbom/dropwizard-1.3.15.cdx.json');
    expect(maven.formatLabel).toBe('CycloneDX 1.2');
    expect(maven.components).toHaveLength(167);
    expect(maven.problems).toEqual([]);
    expect(maven.components).toContainEqual({
      system: 'dropwizard-1.3.15.cdx.json',
      ecosystem: 'Maven',
      name: 'com.fasterxml.jackson.core:jackson-databind',
      version: '2.9.10',
    });
    const go = inventory('sbom/proton-bridge-v1.8.0.cdx.json', { system: 'bridge' });
    expect(go.components).toHaveLength(201);
    expect(go.components).toContainEqual({
      system: 'bridge',
      ecosystem: 'Go',
      name: 'github.com/gin-gonic/gin',
      version: '1.4.0',
    });
    expect(inventory('sbom/laravel-7.12.0.cdx-1.4.json').components[0]).toMatchObject({
      ecosystem: 'Packagist',
      name: 'asm89/stack-cors',
    });
  });

  test('nested components are flattened; a bad purl is a counted problem, not a stop', () => {
    const inv = inventory('own/inventories/python-service.cdx.json');
    expect(inv.formatLabel).toBe('CycloneDX 1.5');
    expect(inv.components.map((c) => `${c.ecosystem} ${c.name} ${c.version}`)).toEqual([
      'PyPI requests 2.28.1',
      'PyPI requests 2.31.0',
      'PyPI urllib3 2.0.0',
      'unknown bundle ',
      'PyPI requests 2.3.0',
      'npm lodash 4.17.4',
      'unknown no-purl 1.0',
    ]);
    expect(inv.problems).toEqual([
      {
        where: 'own/inventories/python-service.cdx.json: components[4].purl',
        message: expect.stringMatching(/^invalid purl "pkg:"/),
      },
    ]);
  });
});

describe('SPDX 2.3', () => {
  test('purls from both spellings of the package-manager category; versionInfo when the purl has none', () => {
    const inv = inventory('own/inventories/requests.spdx.json');
    expect(inv.components.map((c) => `${c.name}@${c.version}`)).toEqual([
      'requests@2.30.0',
      'urllib3@1.26.0',
    ]);
  });
  test('the shared samples', () => {
    expect(inventory('sbom/spdx-example08-maven.spdx.json').formatLabel).toBe('SPDX 2.3');
    const eleven = inventory('sbom/spdx-example11.spdx.json', { distro: 'bookworm' });
    expect(eleven.components).toContainEqual(
      expect.objectContaining({ ecosystem: 'Debian:12', name: 'libselinux1-dev', version: '3.1-3' }),
    );
    expect(eleven.components).toContainEqual(
      expect.objectContaining({ ecosystem: 'crates.io', name: 'tokio' }),
    );
  });
});

describe('npm package-lock', () => {
  test('v3: names from the path or the alias, links and git dependencies left out', () => {
    const inv = inventory('own/inventories/lodash-app.package-lock.json');
    expect(inv.formatLabel).toBe('package-lock v3');
    expect(inv.components.map((c) => `${c.name}@${c.version}`).sort()).toEqual([
      'lodash-es@4.17.21',
      'lodash@4.17.15',
      'lodash@4.17.20',
      'minimist@1.2.5',
    ]);
    expect(inv.problems.map((p) => p.where)).toEqual([
      'own/inventories/lodash-app.package-lock.json: packages["node_modules/from-git"]',
    ]);
  });
  test('v1: the nested dependencies tree', () => {
    const inv = inventory('own/inventories/minimist-v1.package-lock.json');
    expect(inv.components.map((c) => `${c.name}@${c.version}`).sort()).toEqual([
      'minimist@0.0.10',
      'minimist@0.0.8',
      'minimist@1.2.5',
      'mkdirp@0.5.1',
      'optimist@0.6.1',
    ]);
  });
});

describe('dpkg status', () => {
  const status = [
    'Package: libc6',
    'Status: install ok installed',
    'Architecture: amd64',
    'Source: glibc',
    'Version: 2.36-9+deb12u4',
    'Description: GNU C Library',
    ' continuation line',
    '',
    'Package: bash',
    'Status: install ok installed',
    'Source: bash (5.2.15-2)',
    'Version: 5.2.15-2+b8',
    '',
    'Package: old-thing',
    'Status: deinstall ok config-files',
    'Version: 1.0',
    '',
    'Package: held',
    'Status: hold ok installed',
    'Version: 2.0-1',
    '',
  ].join('\n');

  test('installed packages only, by source name and source version, in the release given', () => {
    const result = readInventory('host-a/status', status, { distro: 'bookworm' });
    expect(result.ok && result.value.components).toEqual([
      { system: 'status', ecosystem: 'Debian:12', name: 'glibc', version: '2.36-9+deb12u4' },
      { system: 'status', ecosystem: 'Debian:12', name: 'bash', version: '5.2.15-2' },
      { system: 'status', ecosystem: 'Debian:12', name: 'held', version: '2.0-1' },
    ]);
  });
  test('without a release the packages are listed but flagged', () => {
    const result = readInventory('status', status, {});
    expect(result.ok && result.value.problems[0]!.message).toMatch(/Debian release is unknown/);
    expect(result.ok && result.value.components[0]!.ecosystem).toBe('Debian');
  });
  test('a malformed line is named by line number', () => {
    const result = readInventory(
      'status',
      'Package: a\nStatus: install ok installed\nVersion: 1\nnot a field\n',
      { distro: '12' },
    );
    expect(result.ok && result.value.problems).toEqual([
      { where: 'status:4', message: 'expected "Field: value", found "not a field"' },
    ]);
  });
  test.each([
    ['12', '12'],
    ['12.5', '12'],
    ['bookworm', '12'],
    ['debian-11', '11'],
    ['sid', 'sid'],
    ['windows', undefined],
  ])('release %s is %s', (text, release) => {
    expect(debianRelease(text)).toBe(release);
  });
  test('os-release gives the release only for Debian', () => {
    expect(releaseFromOsRelease('ID=debian\nVERSION_ID="12"\n')).toBe('12');
    expect(releaseFromOsRelease('ID=debian\nVERSION_CODENAME=trixie\n')).toBe('13');
    expect(releaseFromOsRelease('ID=ubuntu\nVERSION_ID="22.04"\n')).toBeUndefined();
  });
});

describe('bad inventories are refused, naming the file and the element', () => {
  test.each<[string, string, RegExp]>([
    ['empty.json', '', /^empty\.json: the file is empty/],
    [
      'bad.json',
      '{\n  "bomFormat": "CycloneDX",\n  "specVersion": "1.4",\n  "components": [,]\n}',
      /^bad\.json: not valid JSON: .* at line 4/,
    ],
    [
      'cdx17.json',
      '{"bomFormat":"CycloneDX","specVersion":"1.7","components":[]}',
      /^cdx17\.json: specVersion: CycloneDX specVersion "1\.7" is not supported: expected 1\.2 to 1\.6/,
    ],
    [
      'cdx.json',
      '{"bomFormat":"CycloneDX","specVersion":"1.4","components":{}}',
      /^cdx\.json: components: expected an array/,
    ],
    [
      'spdx22.json',
      '{"spdxVersion":"SPDX-2.2","packages":[]}',
      /^spdx22\.json: spdxVersion: SPDX-2\.2 is not supported: expected SPDX-2\.3/,
    ],
    [
      'spdx3.json',
      '{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[]}',
      /^spdx3\.json: SPDX 3\.0 \(JSON-LD\) is not supported yet/,
    ],
    [
      'lock.json',
      '{"lockfileVersion":4,"packages":{}}',
      /^lock\.json: lockfileVersion: lockfileVersion 4 is not supported/,
    ],
    ['bom.xml', '<?xml version="1.0"?><bom/>', /^bom\.xml: XML inventories are not supported/],
    ['other.json', '{"hello":"world"}', /^other\.json: unknown format/],
    ['notes.txt', 'just some text', /^notes\.txt: unknown format/],
    ['status', 'Package: a\nVersion: 1\n', /^--distro: "mars" is not a Debian release/],
  ])('%s', (file, text, message) => {
    const result = readInventory(file, text, file === 'status' ? { distro: 'mars' } : {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(`${result.error.where}: ${result.error.message}`).toMatch(message);
  });
});
