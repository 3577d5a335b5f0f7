// Reads one inventory file, whatever its format: CycloneDX JSON 1.2 to 1.6, SPDX 2.3 JSON, a Debian dpkg
// status file or an npm package-lock.json (v1 to v3). Pure: the caller reads the bytes. The readers hand each
// component to a sink as they meet it, so a scan keeps no object per component; where a problem is in the file
// is spelled out only when there is a problem.
import { failure, success, type Result } from '../../domain/result.ts';
import type { Component, Inventory, InventoryFormat, InventoryProblem, ReadOptions } from './inventory.ts';
import { debianRelease } from './inventory.ts';
import { jsonErrorPlace } from './json-position.ts';
import { componentOfPurl } from './purl.ts';

const CYCLONEDX_VERSIONS = ['1.2', '1.3', '1.4', '1.5', '1.6'];

/** What a reader found in a file besides its components. */
export interface InventoryShape {
  format: InventoryFormat;
  /** For example "CycloneDX 1.4" or "package-lock v3". */
  formatLabel: string;
}

/** Where a reader puts what it finds. */
export interface InventorySink {
  /** A component in OSV's terms; an empty version when the inventory gives none. */
  component(ecosystem: string, name: string, version: string): void;
  /**
   * A component named by a purl, with the version the inventory gives beside it (SPDX's versionInfo) for a
   * purl that has none. Returns why the purl cannot be read, or undefined.
   */
  purl(purl: string, versionInfo: string | undefined): string | undefined;
  problem(where: string, message: string): void;
}

/** The system a file's components belong to: the one given, else the file's own name. */
export function systemOf(fileName: string, options: ReadOptions): string {
  return options.system ?? baseName(fileName);
}

/** Reads a file into a list of components and problems. */
export function readInventory(fileName: string, text: string, options: ReadOptions = {}): Result<Inventory> {
  const system = systemOf(fileName, options);
  const components: Component[] = [];
  const problems: InventoryProblem[] = [];
  const read = readInventoryInto(fileName, text, options, {
    component: (ecosystem, name, version) => components.push({ system, ecosystem, name, version }),
    purl(purl, versionInfo) {
      const parsed = componentOfPurl(purl, options.distro);
      if ('error' in parsed) return parsed.error;
      components.push({
        system,
        ecosystem: parsed.ecosystem,
        name: parsed.name,
        version: parsed.version === '' && versionInfo !== undefined ? versionInfo : parsed.version,
      });
      return undefined;
    },
    problem: (where, message) => problems.push({ where, message }),
  });
  return read.ok ? success({ ...read.value, components, problems }) : read;
}

/** Reads a file, handing each component and problem to the sink; fails, before any component, on a bad file. */
export function readInventoryInto(
  fileName: string,
  text: string,
  options: ReadOptions,
  sink: InventorySink,
): Result<InventoryShape> {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed === '') return failure('bad-input', 'the file is empty', fileName);
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) {
    if (/^Package:/m.test(trimmed.slice(0, 4096)) && /^Package:/.test(trimmed))
      return readDpkgStatus(fileName, text, options.distro, sink);
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
  if (doc['bomFormat'] === 'CycloneDX') return readCycloneDx(fileName, doc, sink);
  if (typeof doc['spdxVersion'] === 'string') return readSpdx(fileName, doc, sink);
  if ('@context' in doc || '@graph' in doc) {
    const context = JSON.stringify(doc['@context'] ?? '');
    if (/spdx/i.test(context))
      return failure(
        'bad-input',
        'SPDX 3.0 (JSON-LD) is not supported yet: export SPDX 2.3 JSON instead',
        fileName,
      );
  }
  if ('lockfileVersion' in doc) return readPackageLock(fileName, doc, sink);
  return failure(
    'bad-input',
    'unknown format: expected CycloneDX JSON (bomFormat), SPDX 2.3 JSON (spdxVersion) or package-lock.json (lockfileVersion)',
    fileName,
  );
}

/** One level of nested CycloneDX components, and the component it is nested in. */
interface Level {
  items: unknown[];
  next: number;
  parent: Level | undefined;
}

/** `components[3].components[0]`: the path of the component a level last handed out. */
function pathOf(level: Level): string {
  let path = `components[${level.next - 1}]`;
  for (let l = level.parent; l; l = l.parent) path = `components[${l.next - 1}].${path}`;
  return path;
}

function readCycloneDx(
  fileName: string,
  doc: Record<string, unknown>,
  sink: InventorySink,
): Result<InventoryShape> {
  const version = doc['specVersion'];
  if (typeof version !== 'string' || !CYCLONEDX_VERSIONS.includes(version))
    return failure(
      'bad-input',
      `CycloneDX specVersion ${JSON.stringify(version)} is not supported: expected 1.2 to 1.6`,
      `${fileName}: specVersion`,
    );
  const top = doc['components'];
  if (top !== undefined && !Array.isArray(top))
    return failure('bad-input', 'expected an array of components', `${fileName}: components`);
  // Nested components (assemblies, bundled packages) are flattened, each before the ones inside it: each is
  // installed all the same. Levels are kept by hand, so a deeply nested document cannot exhaust the stack.
  let level: Level | undefined = top ? { items: top as unknown[], next: 0, parent: undefined } : undefined;
  while (level) {
    if (level.next >= level.items.length) {
      level = level.parent;
      continue;
    }
    const here: Level = level;
    const c = here.items[here.next++];
    if (!isObject(c)) {
      sink.problem(`${fileName}: ${pathOf(here)}`, 'expected a component object');
      continue;
    }
    const nested = c['components'];
    if (Array.isArray(nested)) level = { items: nested, next: 0, parent: here };
    const purl = c['purl'];
    if (purl === undefined) {
      // No purl: the ecosystem is unknown, so the component is listed but cannot be checked.
      sink.component(
        'unknown',
        typeof c['name'] === 'string' ? c['name'] : '',
        typeof c['version'] === 'string' ? c['version'] : '',
      );
      continue;
    }
    const error = typeof purl === 'string' ? sink.purl(purl, undefined) : 'expected a purl string';
    if (error !== undefined) sink.problem(`${fileName}: ${pathOf(here)}.purl`, error);
  }
  return success({ format: 'cyclonedx', formatLabel: `CycloneDX ${version}` });
}

const isPurlRef = (r: unknown): r is Record<string, unknown> =>
  isObject(r) &&
  r['referenceType'] === 'purl' &&
  (r['referenceCategory'] === 'PACKAGE-MANAGER' || r['referenceCategory'] === 'PACKAGE_MANAGER');

function readSpdx(
  fileName: string,
  doc: Record<string, unknown>,
  sink: InventorySink,
): Result<InventoryShape> {
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
  for (let i = 0; i < packages.length; i++) {
    const p: unknown = packages[i];
    if (!isObject(p)) {
      sink.problem(`${fileName}: packages[${i}]`, 'expected a package object');
      continue;
    }
    const refs = Array.isArray(p['externalRefs']) ? (p['externalRefs'] as unknown[]) : [];
    const versionInfo = typeof p['versionInfo'] === 'string' ? p['versionInfo'] : undefined;
    let purls = 0;
    for (let j = 0; j < refs.length; j++) {
      const r = refs[j];
      if (!isPurlRef(r)) continue;
      purls++;
      const purl = r['referenceLocator'];
      const error = typeof purl === 'string' ? sink.purl(purl, versionInfo) : 'expected a purl string';
      if (error !== undefined)
        sink.problem(`${fileName}: packages[${i}].externalRefs[${j}].referenceLocator`, error);
    }
    if (purls === 0)
      sink.component('unknown', typeof p['name'] === 'string' ? p['name'] : '', versionInfo ?? '');
  }
  return success({ format: 'spdx', formatLabel: 'SPDX 2.3' });
}

/**
 * How git, file and tarball dependencies begin: they are not registry versions, so OSV cannot speak about them.
 * ("git" covers git+https: and github: too.)
 */
export const NOT_REGISTRY_PREFIXES = ['git', 'file:', 'http:', 'https:', 'link:'];

function readPackageLock(
  fileName: string,
  doc: Record<string, unknown>,
  sink: InventorySink,
): Result<InventoryShape> {
  const version = doc['lockfileVersion'];
  if (version !== 1 && version !== 2 && version !== 3)
    return failure(
      'bad-input',
      `lockfileVersion ${JSON.stringify(version)} is not supported: expected 1, 2 or 3`,
      `${fileName}: lockfileVersion`,
    );
  /** Hands the component to the sink, or says why it cannot be checked. */
  const add = (name: string, entry: Record<string, unknown>): string | undefined => {
    const v = entry['version'];
    if (typeof v !== 'string' || v === '') return 'has no version';
    if (NOT_REGISTRY_PREFIXES.some((prefix) => v.startsWith(prefix)))
      return `"${v}" is not a registry version, so it cannot be checked`;
    sink.component('npm', name, v.startsWith('npm:') ? v.slice(v.lastIndexOf('@') + 1) : v);
    return undefined;
  };
  const packages = doc['packages'];
  if (version !== 1 && isObject(packages)) {
    for (const path of Object.keys(packages)) {
      const entry = packages[path];
      if (path === '' || !isObject(entry)) continue;
      // A link points at a workspace folder listed under its own path; count that one only.
      if (entry['link'] === true) continue;
      const at = path.lastIndexOf('node_modules/');
      if (at < 0) continue;
      const name =
        typeof entry['name'] === 'string' ? entry['name'] : path.slice(at + 'node_modules/'.length);
      const error = add(name, entry);
      if (error !== undefined) sink.problem(`${fileName}: packages["${path}"]`, error);
    }
  } else {
    const walk = (deps: unknown, where: string) => {
      if (!isObject(deps)) return;
      for (const name of Object.keys(deps)) {
        const entry = deps[name];
        if (!isObject(entry)) continue;
        const at = `${where}["${name}"]`;
        const error = add(name, entry);
        if (error !== undefined) sink.problem(`${fileName}: ${at}`, error);
        walk(entry['dependencies'], `${at}.dependencies`);
      }
    };
    walk(doc['dependencies'], 'dependencies');
  }
  return success({ format: 'package-lock', formatLabel: `package-lock v${version}` });
}

const WHITESPACE = /\s/;

/** The problem of a dpkg status file read without knowing its Debian release. */
export const UNKNOWN_RELEASE =
  'the Debian release is unknown (give --distro), so its packages cannot be checked';

/** Whether a dpkg Status field says the package is installed: removed ones can leave configuration behind. */
export function isInstalled(status: string): boolean {
  return status === 'install ok installed' || status.split(/\s+/)[2] === 'installed';
}

function readDpkgStatus(
  fileName: string,
  text: string,
  distro: string | undefined,
  sink: InventorySink,
): Result<InventoryShape> {
  const release = debianRelease(distro);
  if (distro !== undefined && release === undefined)
    return failure(
      'bad-input',
      `"${distro}" is not a Debian release: expected a number such as 12 or a name such as bookworm`,
      '--distro',
    );
  if (release === undefined) sink.problem(fileName, UNKNOWN_RELEASE);
  const ecosystem = release ? `Debian:${release}` : 'Debian';
  // The stanza being read: only the fields a component needs are kept; any field at all makes it a stanza.
  let fields = false;
  let name: string | undefined;
  let status: string | undefined;
  let version: string | undefined;
  let sourceField: string | undefined;
  let start = 1;
  const flush = () => {
    if (!fields) return;
    const n = name;
    const s = status ?? '';
    const v = version;
    const source = sourceField;
    fields = false;
    name = status = version = sourceField = undefined;
    if (!n) {
      sink.problem(`${fileName}:${start}`, 'a stanza without a Package field');
      return;
    }
    // Only installed packages count: removed ones with their configuration left ("deinstall ok config-files") do not.
    if (!isInstalled(s)) return;
    if (!v) {
      sink.problem(`${fileName}:${start}`, `package ${n} has no Version`);
      return;
    }
    // Debian advisories name the source package; dpkg lists binaries, with `Source: name (version)` when they differ.
    if (!source || !WHITESPACE.test(source)) sink.component(ecosystem, source || n, v);
    else {
      const named = fieldsSource(source, n, v);
      sink.component(ecosystem, named.name, named.version);
    }
  };
  const setField = (field: string, value: string) => {
    fields = true;
    if (field === 'Package') name = value;
    else if (field === 'Status') status = value;
    else if (field === 'Version') version = value;
    else if (field === 'Source') sourceField = value;
  };
  let inField = false;
  let lineNo = 0;
  let nextColon = -2;
  for (let pos = 0; pos <= text.length;) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    lineNo++;
    const stop = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const first = stop > pos ? text.charCodeAt(pos) : -1;
    // The first colon at or after this line, remembered: a run of lines without one is searched once.
    if (first > 32 && first < 127 && nextColon !== -1 && nextColon < pos) nextColon = text.indexOf(':', pos);
    const colon = first > 32 && first < 127 ? nextColon : -1;
    if (colon > pos && colon < stop) {
      // The common line, "Field: value", read in place.
      inField = true;
      const length = colon - pos;
      const field =
        length === 7 && text.startsWith('Package', pos)
          ? 'Package'
          : length === 6 && text.startsWith('Status', pos)
            ? 'Status'
            : length === 7 && text.startsWith('Version', pos)
              ? 'Version'
              : length === 6 && text.startsWith('Source', pos)
                ? 'Source'
                : '';
      if (field) setField(field, text.slice(colon + 1, stop).trim());
      else fields = true;
    } else {
      const line = text.slice(pos, stop);
      if (line.trim() === '') {
        flush();
        inField = false;
        start = lineNo + 1;
      } else if (line.startsWith(' ') || line.startsWith('\t')) {
        if (!inField) sink.problem(`${fileName}:${lineNo}`, 'a continuation line outside a field');
      } else {
        const c = line.indexOf(':');
        if (c <= 0)
          sink.problem(`${fileName}:${lineNo}`, `expected "Field: value", found "${line.slice(0, 60)}"`);
        else {
          inField = true;
          setField(line.slice(0, c), line.slice(c + 1).trim());
        }
      }
    }
    pos = end + 1;
  }
  flush();
  return success({ format: 'dpkg-status', formatLabel: 'dpkg status' });
}

/** The source package and version that a `Source: name (version)` field names. */
export function fieldsSource(source: string, name: string, version: string) {
  const [sourceName, sourceVersion] = source.split(/\s+/);
  if (!sourceName) return { name, version };
  const bracketed = sourceVersion?.startsWith('(') && sourceVersion.endsWith(')');
  return { name: sourceName, version: bracketed ? sourceVersion!.slice(1, -1) : version };
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
