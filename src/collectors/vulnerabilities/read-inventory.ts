// Reads one inventory file, whatever its format: CycloneDX JSON 1.2 to 1.6, SPDX 2.3 JSON, a Debian dpkg
// status file or an npm package-lock.json (v1 to v3). Pure: the caller reads the bytes.
import { failure, success, type Result } from '../../domain/result.ts';
import type { Component, Inventory, InventoryProblem, ReadOptions } from './inventory.ts';
import { debianRelease } from './inventory.ts';
import { jsonErrorPlace } from './json-position.ts';
import { componentOfPurl } from './purl.ts';

const CYCLONEDX_VERSIONS = ['1.2', '1.3', '1.4', '1.5', '1.6'];

export function readInventory(fileName: string, text: string, options: ReadOptions = {}): Result<Inventory> {
  const system = options.system ?? baseName(fileName);
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed === '') return failure('bad-input', 'the file is empty', fileName);
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) {
    if (/^Package:/m.test(trimmed.slice(0, 4096)) && /^Package:/.test(trimmed))
      return readDpkgStatus(fileName, text, system, options.distro);
    if (trimmed.startsWith('<'))
      return failure(
        'bad-input',
        'XML inventories are not supported: give CycloneDX or SPDX as JSON',
        fileName,
      );
    return failure(
      'bad-input',
      'unknown format: expected CycloneDX JSON, SPDX 2.3 JSON, a dpkg status file or package-lock.json',
      fileName,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(trimmed);
  } catch (e) {
    return failure('bad-input', `not valid JSON: ${jsonError(e, trimmed)}`, fileName);
  }
  if (!isObject(doc)) return failure('bad-input', 'unknown format: the JSON is not an object', fileName);
  if (doc['bomFormat'] === 'CycloneDX') return readCycloneDx(fileName, doc, system, options.distro);
  if (typeof doc['spdxVersion'] === 'string') return readSpdx(fileName, doc, system, options.distro);
  if ('@context' in doc || '@graph' in doc) {
    const context = JSON.stringify(doc['@context'] ?? '');
    if (/spdx/i.test(context))
      return failure(
        'bad-input',
        'SPDX 3.0 (JSON-LD) is not supported yet: export SPDX 2.3 JSON instead',
        fileName,
      );
  }
  if ('lockfileVersion' in doc) return readPackageLock(fileName, doc, system);
  return failure(
    'bad-input',
    'unknown format: expected CycloneDX JSON (bomFormat), SPDX 2.3 JSON (spdxVersion) or package-lock.json (lockfileVersion)',
    fileName,
  );
}

function readCycloneDx(
  fileName: string,
  doc: Record<string, unknown>,
  system: string,
  distro: string | undefined,
): Result<Inventory> {
  const version = doc['specVersion'];
  if (typeof version !== 'string' || !CYCLONEDX_VERSIONS.includes(version))
    return failure(
      'bad-input',
      `CycloneDX specVersion ${JSON.stringify(version)} is not supported: expected 1.2 to 1.6`,
      `${fileName}: specVersion`,
    );
  const components: Component[] = [];
  const problems: InventoryProblem[] = [];
  const top = doc['components'];
  if (top !== undefined && !Array.isArray(top))
    return failure('bad-input', 'expected an array of components', `${fileName}: components`);
  // Nested components (assemblies, bundled packages) are flattened: each is installed all the same.
  const stack: [unknown, string][] = ((top as unknown[] | undefined) ?? [])
    .map((c, i): [unknown, string] => [c, `components[${i}]`])
    .reverse();
  while (stack.length > 0) {
    const [c, where] = stack.pop()!;
    if (!isObject(c)) {
      problems.push({ where: `${fileName}: ${where}`, message: 'expected a component object' });
      continue;
    }
    const nested = c['components'];
    if (Array.isArray(nested))
      for (let i = nested.length - 1; i >= 0; i--) stack.push([nested[i], `${where}.components[${i}]`]);
    const purl = c['purl'];
    if (purl === undefined) {
      // No purl: the ecosystem is unknown, so the component is listed but cannot be checked.
      components.push({
        system,
        ecosystem: 'unknown',
        name: typeof c['name'] === 'string' ? c['name'] : '',
        version: typeof c['version'] === 'string' ? c['version'] : '',
      });
      continue;
    }
    addPurl(purl, `${fileName}: ${where}.purl`, system, distro, components, problems);
  }
  return success({ format: 'cyclonedx', formatLabel: `CycloneDX ${version}`, components, problems });
}

function readSpdx(
  fileName: string,
  doc: Record<string, unknown>,
  system: string,
  distro: string | undefined,
): Result<Inventory> {
  const version = doc['spdxVersion'];
  if (version !== 'SPDX-2.3')
    return failure(
      'bad-input',
      `${String(version)} is not supported: expected SPDX-2.3 (SPDX 3.0 is not supported yet)`,
      `${fileName}: spdxVersion`,
    );
  const packages = doc['packages'] ?? [];
  if (!Array.isArray(packages))
    return failure('bad-input', 'expected an array of packages', `${fileName}: packages`);
  const components: Component[] = [];
  const problems: InventoryProblem[] = [];
  for (const [i, p] of packages.entries()) {
    const where = `${fileName}: packages[${i}]`;
    if (!isObject(p)) {
      problems.push({ where, message: 'expected a package object' });
      continue;
    }
    const refs = Array.isArray(p['externalRefs']) ? (p['externalRefs'] as unknown[]) : [];
    const purlRefs = refs
      .map((r, j) => ({ r, j }))
      .filter(
        ({ r }) =>
          isObject(r) &&
          r['referenceType'] === 'purl' &&
          (r['referenceCategory'] === 'PACKAGE-MANAGER' || r['referenceCategory'] === 'PACKAGE_MANAGER'),
      );
    if (purlRefs.length === 0) {
      components.push({
        system,
        ecosystem: 'unknown',
        name: typeof p['name'] === 'string' ? p['name'] : '',
        version: typeof p['versionInfo'] === 'string' ? p['versionInfo'] : '',
      });
      continue;
    }
    for (const { r, j } of purlRefs) {
      const at = `${where}.externalRefs[${j}].referenceLocator`;
      const before = components.length;
      addPurl((r as Record<string, unknown>)['referenceLocator'], at, system, distro, components, problems);
      const added = components[before];
      if (added && added.version === '' && typeof p['versionInfo'] === 'string')
        added.version = p['versionInfo'];
    }
  }
  return success({ format: 'spdx', formatLabel: 'SPDX 2.3', components, problems });
}

function readPackageLock(fileName: string, doc: Record<string, unknown>, system: string): Result<Inventory> {
  const version = doc['lockfileVersion'];
  if (version !== 1 && version !== 2 && version !== 3)
    return failure(
      'bad-input',
      `lockfileVersion ${JSON.stringify(version)} is not supported: expected 1, 2 or 3`,
      `${fileName}: lockfileVersion`,
    );
  const components: Component[] = [];
  const problems: InventoryProblem[] = [];
  const add = (name: string, entry: Record<string, unknown>, where: string) => {
    const v = entry['version'];
    if (typeof v !== 'string' || v === '') {
      problems.push({ where, message: 'has no version' });
      return;
    }
    // Git, file and tarball dependencies are not registry versions, so OSV cannot speak about them.
    if (/^(git|git\+|github:|file:|https?:|link:)/.test(v)) {
      problems.push({ where, message: `"${v}" is not a registry version, so it cannot be checked` });
      return;
    }
    components.push({
      system,
      ecosystem: 'npm',
      name,
      version: v.startsWith('npm:') ? v.slice(v.lastIndexOf('@') + 1) : v,
    });
  };
  const packages = doc['packages'];
  if (version !== 1 && isObject(packages)) {
    for (const [path, entry] of Object.entries(packages)) {
      if (path === '' || !isObject(entry)) continue;
      // A link points at a workspace folder listed under its own path; count that one only.
      if (entry['link'] === true) continue;
      const at = path.lastIndexOf('node_modules/');
      if (at < 0) continue;
      const name =
        typeof entry['name'] === 'string' ? entry['name'] : path.slice(at + 'node_modules/'.length);
      add(name, entry, `${fileName}: packages["${path}"]`);
    }
  } else {
    const walk = (deps: unknown, where: string) => {
      if (!isObject(deps)) return;
      for (const [name, entry] of Object.entries(deps)) {
        if (!isObject(entry)) continue;
        const at = `${where}["${name}"]`;
        add(name, entry, `${fileName}: ${at}`);
        walk(entry['dependencies'], `${at}.dependencies`);
      }
    };
    walk(doc['dependencies'], 'dependencies');
  }
  return success({ format: 'package-lock', formatLabel: `package-lock v${version}`, components, problems });
}

function readDpkgStatus(
  fileName: string,
  text: string,
  system: string,
  distro: string | undefined,
): Result<Inventory> {
  const release = debianRelease(distro);
  if (distro !== undefined && release === undefined)
    return failure(
      'bad-input',
      `"${distro}" is not a Debian release: expected a number such as 12 or a name such as bookworm`,
      '--distro',
    );
  const components: Component[] = [];
  const problems: InventoryProblem[] = [];
  if (release === undefined)
    problems.push({
      where: fileName,
      message: 'the Debian release is unknown (give --distro), so its packages cannot be checked',
    });
  const lines = text.split('\n');
  let fields = new Map<string, string>();
  let start = 1;
  const flush = () => {
    if (fields.size === 0) return;
    const name = fields.get('Package');
    const status = fields.get('Status') ?? '';
    const version = fields.get('Version');
    const where = `${fileName}:${start}`;
    const sourceField = fields.get('Source');
    fields = new Map();
    if (!name) {
      problems.push({ where, message: 'a stanza without a Package field' });
      return;
    }
    // Only installed packages count: removed ones with their configuration left ("deinstall ok config-files") do not.
    if (status.split(/\s+/)[2] !== 'installed') return;
    if (!version) {
      problems.push({ where, message: `package ${name} has no Version` });
      return;
    }
    // Debian advisories name the source package; dpkg lists binaries, with `Source: name (version)` when they differ.
    const source = fieldsSource(sourceField, name, version);
    components.push({
      system,
      ecosystem: release ? `Debian:${release}` : 'Debian',
      name: source.name,
      version: source.version,
    });
  };
  let last: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') {
      flush();
      last = undefined;
      start = i + 2;
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (last === undefined)
        problems.push({ where: `${fileName}:${i + 1}`, message: 'a continuation line outside a field' });
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      problems.push({
        where: `${fileName}:${i + 1}`,
        message: `expected "Field: value", found "${line.slice(0, 60)}"`,
      });
      continue;
    }
    last = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    fields.set(last, value);
  }
  flush();
  return success({ format: 'dpkg-status', formatLabel: 'dpkg status', components, problems });
}

function fieldsSource(source: string | undefined, name: string, version: string) {
  if (!source) return { name, version };
  const [sourceName, sourceVersion] = source.split(/\s+/);
  if (!sourceName) return { name, version };
  const bracketed = sourceVersion?.startsWith('(') && sourceVersion.endsWith(')');
  return { name: sourceName, version: bracketed ? sourceVersion!.slice(1, -1) : version };
}

function addPurl(
  purl: unknown,
  where: string,
  system: string,
  distro: string | undefined,
  components: Component[],
  problems: InventoryProblem[],
) {
  if (typeof purl !== 'string') {
    problems.push({ where, message: 'expected a purl string' });
    return;
  }
  const parsed = cachedPurl(purl, distro);
  if ('error' in parsed) problems.push({ where, message: parsed.error });
  else components.push({ system, ecosystem: parsed.ecosystem, name: parsed.name, version: parsed.version });
}

// Fleets repeat the same purls across thousands of files: parse each distinct one once.
const purlCache = new Map<string, ReturnType<typeof componentOfPurl>>();
function cachedPurl(purl: string, distro: string | undefined): ReturnType<typeof componentOfPurl> {
  const key = distro === undefined ? purl : `${distro}\u0000${purl}`;
  let hit = purlCache.get(key);
  if (hit === undefined) {
    hit = componentOfPurl(purl, distro);
    if (purlCache.size >= 500_000) purlCache.clear();
    purlCache.set(key, hit);
  }
  return hit;
}

function jsonError(e: unknown, text: string): string {
  const message = (e as Error).message
    .split('\n')[0]!
    .replace(/, ".*$/, '')
    .replace(/ in JSON at position \d+.*$/, '');
  return `${message} at ${jsonErrorPlace(text)}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function baseName(fileName: string): string {
  const parts = fileName.split(/[\\/]/);
  return parts.at(-1) || fileName;
}
