// Inventories read from their bytes: CycloneDX, SPDX 2.3 and package-lock v2/v3 as their tools write them, and
// dpkg status files (read-dpkg-bytes.ts). The readers walk the document with JsonBytes and hand over where each purl, or each package name and
// version, lies in the bytes; nothing else of the document is made into strings or objects. They read only the
// plain case: a document with anything else in it (a syntax error, a bad component, a duplicated key that
// matters, a format key after the data it decides) stops them, and read-inventory.ts reads it as text, which
// says what is wrong or reads it all the same. The answers of the two must agree, and a test holds them to it.
import { hashBytes } from './bytes-table.ts';
import { bytesOf, JsonBytes, NotReadHere, startsWithBytes as startsWith } from './json-bytes.ts';
import { readDpkgBytes } from './read-dpkg-bytes.ts';
import { NOT_REGISTRY_PREFIXES, type InventoryShape } from './read-inventory.ts';

/** Where a byte reader puts what it finds. Places are numbered in the order of the file's components. */
export interface BytesSink {
  /** Keeps a place for a component whose fields come after the components nested in it. */
  place(): number;
  /**
   * A purl: its bytes [start, end), or its text when it is written with escapes; with SPDX's versionInfo for a
   * purl that has no version.
   */
  purl(
    place: number,
    start: number,
    end: number,
    text: string | undefined,
    versionInfo: string | undefined,
  ): void;
  /** A component given by its fields. */
  component(place: number, ecosystem: string, name: string, version: string): void;
  /** A package version given by where its name's bytes [nameStart, nameEnd) and its version's lie. */
  named(
    place: number,
    ecosystem: string,
    nameStart: number,
    nameEnd: number,
    versionStart: number,
    versionEnd: number,
  ): void;
  /** A problem that does not stop the reading. */
  problem(where: string, message: string): void;
}

const CYCLONEDX_VERSIONS = ['1.2', '1.3', '1.4', '1.5', '1.6'];

const K = {
  bomFormat: bytesOf('bomFormat'),
  specVersion: bytesOf('specVersion'),
  spdxVersion: bytesOf('spdxVersion'),
  lockfileVersion: bytesOf('lockfileVersion'),
  context: bytesOf('@context'),
  graph: bytesOf('@graph'),
  components: bytesOf('components'),
  packages: bytesOf('packages'),
  purl: bytesOf('purl'),
  name: bytesOf('name'),
  version: bytesOf('version'),
  versionInfo: bytesOf('versionInfo'),
  externalRefs: bytesOf('externalRefs'),
  referenceCategory: bytesOf('referenceCategory'),
  referenceType: bytesOf('referenceType'),
  referenceLocator: bytesOf('referenceLocator'),
  link: bytesOf('link'),
};

const V = {
  cycloneDx: bytesOf('CycloneDX'),
  purl: bytesOf('purl'),
  packageManager: bytesOf('PACKAGE-MANAGER'),
  packageManagerUnderscore: bytesOf('PACKAGE_MANAGER'),
  nodeModules: bytesOf('node_modules/'),
  npmAlias: bytesOf('npm:'),
};

const OPEN_BRACE = 0x7b;
const PACKAGE_FIELD = bytesOf('Package:');
const OPEN_BRACKET = 0x5b;
const QUOTE = 0x22;
const AT = 0x40;

/**
 * Reads an inventory from its bytes into the sink: a JSON inventory or a dpkg status file. Its format, or
 * undefined when it is to be read as text instead. The sink may have been given components by then: the caller
 * drops them.
 */
export function readInventoryBytes(
  fileName: string,
  bytes: Uint8Array,
  distro: string | undefined,
  sink: BytesSink,
): InventoryShape | undefined {
  // Past a byte order mark and ASCII whitespace: whitespace beyond ASCII is for the text reader to trim.
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let first = start;
  while (first < bytes.length && (bytes[first] === 0x20 || (bytes[first]! >= 0x09 && bytes[first]! <= 0x0d)))
    first++;
  if (startsWith(bytes, PACKAGE_FIELD, first, bytes.length))
    return readDpkgBytes(fileName, bytes, start, distro, sink);
  if (bytes[first] !== OPEN_BRACE) return undefined;
  const j = new JsonBytes(bytes);
  try {
    return readDocument(j, sink);
  } catch (e) {
    if (e instanceof NotReadHere) return undefined;
    throw e;
  }
}

/** Which format the document's keys have shown so far, and which one's data has been read. */
interface Seen {
  bomFormat: boolean;
  cycloneDx: boolean;
  specVersion: string | undefined;
  spdxVersion: string | undefined;
  spdxVersionSeen: boolean;
  lockfileVersion: number | undefined;
  lockfileVersionSeen: boolean;
  context: boolean;
  data: 'cyclonedx' | 'spdx' | 'package-lock' | undefined;
  specVersionSeen: boolean;
}

function readDocument(j: JsonBytes, sink: BytesSink): InventoryShape | undefined {
  if (j.peek() !== OPEN_BRACE) return undefined;
  j.openObject();
  j.enter();
  const seen: Seen = {
    bomFormat: false,
    cycloneDx: false,
    specVersion: undefined,
    specVersionSeen: false,
    spdxVersion: undefined,
    spdxVersionSeen: false,
    lockfileVersion: undefined,
    lockfileVersionSeen: false,
    context: false,
    data: undefined,
  };
  for (let first = true; j.nextKey(first); first = false) {
    if (j.is(K.bomFormat)) {
      if (seen.bomFormat) j.fail();
      seen.bomFormat = true;
      seen.cycloneDx = j.stringValue() && j.isString(V.cycloneDx);
      if (seen.cycloneDx && seen.data !== undefined) j.fail();
    } else if (j.is(K.specVersion)) {
      if (seen.specVersionSeen) j.fail();
      seen.specVersionSeen = true;
      seen.specVersion = j.stringValue() ? j.text() : undefined;
    } else if (j.is(K.spdxVersion)) {
      if (seen.spdxVersionSeen || seen.data !== undefined) j.fail();
      seen.spdxVersionSeen = true;
      seen.spdxVersion = j.stringValue() ? j.text() : undefined;
    } else if (j.is(K.lockfileVersion)) {
      if (seen.lockfileVersionSeen) j.fail();
      seen.lockfileVersionSeen = true;
      const quoted = j.peek() === QUOTE;
      const from = j.p;
      j.skipValue();
      // A number as JSON.parse would read it; anything else is no version.
      seen.lockfileVersion = quoted ? undefined : Number(j.slice(from, j.p));
    } else if (j.is(K.context) || j.is(K.graph)) {
      if (seen.data === 'package-lock') j.fail();
      seen.context = true;
      j.skipValue();
    } else if (j.is(K.components)) {
      if (!seen.bomFormat) j.fail();
      if (!seen.cycloneDx) j.skipValue();
      else {
        if (seen.data !== undefined || j.peek() !== OPEN_BRACKET) j.fail();
        seen.data = 'cyclonedx';
        readComponents(j, sink);
      }
    } else if (j.is(K.packages)) {
      if (seen.cycloneDx) j.skipValue();
      else if (seen.data !== undefined) j.fail();
      else if (seen.spdxVersion !== undefined) {
        if (j.peek() !== OPEN_BRACKET) j.fail();
        seen.data = 'spdx';
        readSpdxPackages(j, sink);
      } else if (seen.lockfileVersionSeen && !seen.spdxVersionSeen && !seen.context) {
        if (j.peek() !== OPEN_BRACE) j.fail();
        seen.data = 'package-lock';
        readLockPackages(j, sink);
      } else j.fail();
    } else j.skipValue();
  }
  j.leave();
  j.finish();
  // The format is decided as read-inventory.ts decides it, in the same order.
  if (seen.cycloneDx) {
    if (seen.specVersion === undefined || !CYCLONEDX_VERSIONS.includes(seen.specVersion)) return undefined;
    return { format: 'cyclonedx', formatLabel: `CycloneDX ${seen.specVersion}` };
  }
  if (seen.spdxVersion !== undefined)
    return seen.spdxVersion === 'SPDX-2.3' ? { format: 'spdx', formatLabel: 'SPDX 2.3' } : undefined;
  if (seen.context || seen.data !== 'package-lock') return undefined;
  const version = seen.lockfileVersion;
  return version === 2 || version === 3
    ? { format: 'package-lock', formatLabel: `package-lock v${version}` }
    : undefined;
}

/** A CycloneDX array of components, each before the ones nested in it. */
function readComponents(j: JsonBytes, sink: BytesSink): void {
  j.openArray();
  j.enter();
  for (let first = true; j.nextItem(first); first = false) {
    // Anything but a component object is a problem for the text reader to name.
    j.openObject();
    j.enter();
    const place = sink.place();
    let purl = false;
    let purlStart = 0;
    let purlEnd = 0;
    let purlText: string | undefined;
    // A component's name and version are wanted only when it has no purl: where they are, until then.
    let nameSeen = false;
    let name = -1;
    let nameEnd = 0;
    let nameEscaped = false;
    let versionSeen = false;
    let version = -1;
    let versionEnd = 0;
    let versionEscaped = false;
    let nested = false;
    for (let f = true; j.nextKey(f); f = false) {
      if (j.is(K.purl)) {
        if (purl || !j.stringValue()) j.fail();
        purl = true;
        if (j.escaped) purlText = j.text();
        else {
          purlStart = j.start;
          purlEnd = j.end;
        }
      } else if (j.is(K.name)) {
        if (nameSeen) j.fail();
        nameSeen = true;
        if (j.stringValue()) {
          name = j.start;
          nameEnd = j.end;
          nameEscaped = j.escaped;
        }
      } else if (j.is(K.version)) {
        if (versionSeen) j.fail();
        versionSeen = true;
        if (j.stringValue()) {
          version = j.start;
          versionEnd = j.end;
          versionEscaped = j.escaped;
        }
      } else if (j.is(K.components)) {
        if (nested) j.fail();
        nested = true;
        if (j.peek() === OPEN_BRACKET) readComponents(j, sink);
        else j.skipValue();
      } else j.skipValue();
    }
    j.leave();
    if (purl) sink.purl(place, purlStart, purlEnd, purlText, undefined);
    else
      sink.component(
        place,
        'unknown',
        name < 0 ? '' : j.textOf(name, nameEnd, nameEscaped),
        version < 0 ? '' : j.textOf(version, versionEnd, versionEscaped),
      );
  }
  j.leave();
}

/** SPDX 2.3 packages, each named by its package-manager purls, or listed as unknown without one. */
function readSpdxPackages(j: JsonBytes, sink: BytesSink): void {
  j.openArray();
  j.enter();
  const starts: number[] = [];
  const ends: number[] = [];
  const texts: (string | undefined)[] = [];
  for (let first = true; j.nextItem(first); first = false) {
    j.openObject();
    j.enter();
    let name: string | undefined;
    let nameSeen = false;
    let versionInfo: string | undefined;
    let versionInfoSeen = false;
    let refsSeen = false;
    starts.length = ends.length = texts.length = 0;
    for (let f = true; j.nextKey(f); f = false) {
      if (j.is(K.name)) {
        if (nameSeen) j.fail();
        nameSeen = true;
        name = j.stringValue() ? j.text() : undefined;
      } else if (j.is(K.versionInfo)) {
        if (versionInfoSeen) j.fail();
        versionInfoSeen = true;
        versionInfo = j.stringValue() ? j.text() : undefined;
      } else if (j.is(K.externalRefs)) {
        if (refsSeen) j.fail();
        refsSeen = true;
        if (j.peek() === OPEN_BRACKET) readRefs(j, starts, ends, texts);
        else j.skipValue();
      } else j.skipValue();
    }
    j.leave();
    for (let r = 0; r < starts.length; r++)
      sink.purl(sink.place(), starts[r]!, ends[r]!, texts[r], versionInfo);
    if (starts.length === 0) sink.component(sink.place(), 'unknown', name ?? '', versionInfo ?? '');
  }
  j.leave();
}

/** A package's external references: where each package-manager purl lies, or its text. */
function readRefs(j: JsonBytes, starts: number[], ends: number[], texts: (string | undefined)[]): void {
  j.openArray();
  j.enter();
  for (let first = true; j.nextItem(first); first = false) {
    if (j.peek() !== OPEN_BRACE) {
      j.skipValue();
      continue;
    }
    j.openObject();
    j.enter();
    let category = false;
    let categorySeen = false;
    let type = false;
    let typeSeen = false;
    let locator = false;
    let locatorString = false;
    let start = 0;
    let end = 0;
    let text: string | undefined;
    for (let f = true; j.nextKey(f); f = false) {
      if (j.is(K.referenceCategory)) {
        if (categorySeen) j.fail();
        categorySeen = true;
        category =
          j.stringValue() && (j.isString(V.packageManager) || j.isString(V.packageManagerUnderscore));
      } else if (j.is(K.referenceType)) {
        if (typeSeen) j.fail();
        typeSeen = true;
        type = j.stringValue() && j.isString(V.purl);
      } else if (j.is(K.referenceLocator)) {
        if (locator) j.fail();
        locator = true;
        locatorString = j.stringValue();
        if (locatorString) {
          if (j.escaped) text = j.text();
          start = j.start;
          end = j.end;
        }
      } else j.skipValue();
    }
    j.leave();
    if (!category || !type) continue;
    // A purl reference without a purl string is a problem for the text reader to name.
    if (!locatorString) j.fail();
    starts.push(start);
    ends.push(end);
    texts.push(text);
  }
  j.leave();
}

/** package-lock v2/v3 `packages`: each installed package by its node_modules path. */
function readLockPackages(j: JsonBytes, sink: BytesSink): void {
  j.openObject();
  j.enter();
  // A path given twice is read by JSON.parse, which keeps the last: the text reader handles it.
  const paths = new Set<number>();
  for (let first = true; j.nextKey(first); first = false) {
    if (j.escaped) j.fail();
    const pathStart = j.start;
    const pathEnd = j.end;
    const hash = hashBytes(j.b, pathStart, pathEnd);
    if (paths.has(hash)) j.fail();
    paths.add(hash);
    if (pathStart === pathEnd || j.peek() !== OPEN_BRACE) {
      j.skipValue();
      continue;
    }
    j.openObject();
    j.enter();
    let nameStart = -1;
    let nameEnd = -1;
    let nameSeen = false;
    let versionStart = -1;
    let versionEnd = -1;
    let versionSeen = false;
    let link = false;
    let linkSeen = false;
    for (let f = true; j.nextKey(f); f = false) {
      if (j.is(K.name)) {
        if (nameSeen) j.fail();
        nameSeen = true;
        if (j.stringValue()) {
          if (j.escaped) j.fail();
          nameStart = j.start;
          nameEnd = j.end;
        }
      } else if (j.is(K.version)) {
        if (versionSeen) j.fail();
        versionSeen = true;
        if (j.stringValue()) {
          if (j.escaped) j.fail();
          versionStart = j.start;
          versionEnd = j.end;
        }
      } else if (j.is(K.link)) {
        if (linkSeen) j.fail();
        linkSeen = true;
        link = j.peek() === 0x74;
        j.skipValue();
      } else j.skipValue();
    }
    j.leave();
    // A link points at a workspace folder listed under its own path; that one is counted.
    if (link) continue;
    const at = lastIndexOf(j.b, V.nodeModules, pathStart, pathEnd);
    if (at < 0) continue;
    if (nameStart < 0) {
      nameStart = at + V.nodeModules.length;
      nameEnd = pathEnd;
    }
    // A missing version, or one that is not a registry version, is a problem for the text reader to name.
    if (versionStart < 0 || versionStart === versionEnd || !registryVersion(j.b, versionStart, versionEnd))
      j.fail();
    if (startsWith(j.b, V.npmAlias, versionStart, versionEnd))
      versionStart = lastIndexOfByte(j.b, AT, versionStart, versionEnd) + 1 || versionStart;
    sink.named(sink.place(), 'npm', nameStart, nameEnd, versionStart, versionEnd);
  }
  j.leave();
}

/** Where `pattern` last starts within bytes [start, end), or -1. */
function lastIndexOf(b: Uint8Array, pattern: Uint8Array, start: number, end: number): number {
  for (let at = end - pattern.length; at >= start; at--) if (startsWith(b, pattern, at, end)) return at;
  return -1;
}

/** Git, file and tarball dependencies are not registry versions: the text reader names them as problems. */
const NOT_REGISTRY = NOT_REGISTRY_PREFIXES.map(bytesOf);

function registryVersion(b: Uint8Array, start: number, end: number): boolean {
  for (const prefix of NOT_REGISTRY) if (startsWith(b, prefix, start, end)) return false;
  return true;
}

/** Where the byte last is within [start, end), or -1. */
function lastIndexOfByte(b: Uint8Array, byte: number, start: number, end: number): number {
  for (let at = end - 1; at >= start; at--) if (b[at] === byte) return at;
  return -1;
}
