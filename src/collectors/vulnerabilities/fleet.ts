// The fleet as a scan holds it: each distinct package version once, with the systems that hold it and how many
// copies each holds. Inventories are read straight into it, so a component costs a lookup or two, not an object:
// a fleet of two million components repeats a few hundred thousand package versions.
import { isUtf8 } from 'node:buffer';
import { BytesTable, hashBytes, hashTwo } from './bytes-table.ts';
import type { Inventory, InventoryProblem, ReadOptions } from './inventory.ts';
import { componentOfPurl, type PurlComponent } from './purl.ts';
import { readInventoryInto, systemOf, type InventorySink, type InventoryShape } from './read-inventory.ts';
import { comparerNameFor, packageKey } from './ecosystems.ts';
import { readInventoryBytes, type BytesSink } from './read-inventory-bytes.ts';
import { failure, success, type Result } from '../../domain/result.ts';

/** Problems beyond this many are counted, not listed. */
export const MAX_PROBLEMS_KEPT = 1000;

/**
 * The systems beyond the first that hold a package version, with `system` among them: a list while it is short,
 * a set once it grows, so that a fleet of thousands of systems does not search a long list for each copy.
 */
export function moreSystems(
  rest: number[] | Set<number> | undefined,
  system: number,
): number[] | Set<number> {
  if (rest instanceof Set) return rest.add(system);
  if (!rest) return [system];
  if (!rest.includes(system)) rest.push(system);
  return rest.length > 16 ? new Set(rest) : rest;
}

/** One package version of the fleet. */
export class FleetVersion {
  /** Every copy in the fleet. */
  copies = 0;
  // The systems holding it, in the order first seen: the first inline, the rest apart (moreSystems).
  private last = -1;
  private first = -1;
  private rest: number[] | Set<number> | undefined;

  constructor(
    readonly pkg: FleetPackage,
    readonly version: string,
  ) {}

  add(system: number, copies = 1): void {
    this.copies += copies;
    // A file repeats its system for every component: most copies stop here.
    if (system === this.last) return;
    this.last = system;
    if (this.first < 0) this.first = system;
    else if (system !== this.first) this.rest = moreSystems(this.rest, system);
  }

  /** Appends the systems holding this version to `list`, in the order first seen; returns how many. */
  systemsInto(list: number[]): number {
    if (this.first < 0) return 0;
    const before = list.length;
    list.push(this.first);
    for (const s of this.rest ?? []) list.push(s);
    return list.length - before;
  }
}

export interface FleetPackage {
  ecosystem: string;
  name: string;
  /** `ecosystem \0 name`, as the OSV index keys its packages. */
  key: string;
  versions: Map<string, FleetVersion>;
}

/** Every component of the fleet, grouped so that each package version is matched once. */
export interface Fleet {
  files: number;
  components: number;
  systems: string[];
  systemIndex: Map<string, number>;
  /** By `ecosystem \0 name`, in the order first seen. */
  packages: Map<string, FleetPackage>;
  /** The same packages in that order, for a reader to tell which are new since it last looked. */
  packageOrder: FleetPackage[];
  /** Ecosystem -> name -> package: the same packages, found without building a key. */
  byName: Map<string, Map<string, FleetPackage>>;
  /** Purl text -> what it names, per Debian release assumed for purls that carry none. */
  byPurl: Map<string | undefined, Map<string, PurlEntry>>;
  /** The same for purls read from a file's bytes, by their bytes. */
  byPurlBytes: Map<string | undefined, BytesTable<FleetVersion | PurlComponent>>;
  /** Package versions read from a package-lock's or dpkg status file's bytes, by ecosystem, name and version. */
  byNameBytes: Map<string, BytesTable<FleetVersion>>;
  /** Components with no version, by ecosystem: listed, never checked. */
  noVersionByEcosystem: Map<string, number>;
  noVersion: number;
  formats: Map<string, number>;
  problems: InventoryProblem[];
  problemCount: number;
}

/** A purl as the fleet remembers it: its package version, or (without a version) its package, or its error. */
type PurlEntry = FleetVersion | PurlComponent | { error: string };

export function createFleet(): Fleet {
  return {
    files: 0,
    components: 0,
    systems: [],
    systemIndex: new Map(),
    packages: new Map(),
    packageOrder: [],
    byName: new Map(),
    byPurl: new Map(),
    byPurlBytes: new Map(),
    byNameBytes: new Map(),
    noVersionByEcosystem: new Map(),
    noVersion: 0,
    formats: new Map(),
    problems: [],
    problemCount: 0,
  };
}

export function addProblem(fleet: Fleet, problem: InventoryProblem): void {
  fleet.problemCount++;
  if (fleet.problems.length < MAX_PROBLEMS_KEPT) fleet.problems.push(problem);
}

export { packageKey } from './ecosystems.ts';

export function packageOf(fleet: Fleet, ecosystem: string, name: string): FleetPackage {
  return fleet.byName.get(ecosystem)?.get(name) ?? newPackage(fleet, ecosystem, name);
}

/** Adds a package the fleet does not hold yet. */
function newPackage(fleet: Fleet, ecosystem: string, name: string): FleetPackage {
  let names = fleet.byName.get(ecosystem);
  if (!names) {
    names = new Map();
    fleet.byName.set(ecosystem, names);
  }
  const key = packageKey(ecosystem, name);
  const pkg: FleetPackage = { ecosystem, name, key, versions: new Map() };
  names.set(name, pkg);
  fleet.packages.set(key, pkg);
  fleet.packageOrder.push(pkg);
  return pkg;
}

export function versionOf(pkg: FleetPackage, version: string): FleetVersion {
  let v = pkg.versions.get(version);
  if (!v) {
    v = new FleetVersion(pkg, version);
    pkg.versions.set(version, v);
  }
  return v;
}

/** The system's number in the fleet (or a worker's count of copies), numbered in the order first met. */
export function systemNumber(holder: Pick<Fleet, 'systems' | 'systemIndex'>, system: string): number {
  let n = holder.systemIndex.get(system);
  if (n === undefined) {
    n = holder.systems.length;
    holder.systems.push(system);
    holder.systemIndex.set(system, n);
  }
  return n;
}

export function countNoVersion(fleet: Fleet, ecosystem: string): void {
  fleet.components++;
  fleet.noVersion++;
  fleet.noVersionByEcosystem.set(ecosystem, (fleet.noVersionByEcosystem.get(ecosystem) ?? 0) + 1);
}

/** Puts one file's components into the fleet as the reader finds them. */
class FleetSink implements InventorySink {
  // The system is registered at its first component with a version, as a system with none checks nothing.
  private systemNo = -1;
  private readonly purls: Map<string, PurlEntry>;

  constructor(
    private readonly fleet: Fleet,
    private readonly system: string,
    private readonly distro: string | undefined,
    private readonly problems: InventoryProblem[] | undefined,
  ) {
    let purls = fleet.byPurl.get(distro);
    if (!purls) {
      purls = new Map();
      fleet.byPurl.set(distro, purls);
    }
    this.purls = purls;
  }

  private systemNumber(): number {
    if (this.systemNo < 0) this.systemNo = systemNumber(this.fleet, this.system);
    return this.systemNo;
  }

  component(ecosystem: string, name: string, version: string): void {
    if (version === '') return countNoVersion(this.fleet, ecosystem);
    this.fleet.components++;
    versionOf(packageOf(this.fleet, ecosystem, name), version).add(this.systemNumber());
  }

  purl(text: string, versionInfo: string | undefined): string | undefined {
    let entry = this.purls.get(text);
    if (entry === undefined) {
      const parsed = componentOfPurl(text, this.distro);
      entry =
        'error' in parsed || parsed.version === ''
          ? parsed
          : versionOf(packageOf(this.fleet, parsed.ecosystem, parsed.name), parsed.version);
      this.purls.set(text, entry);
    }
    if ('error' in entry) return entry.error;
    this.entry(entry, versionInfo);
    return undefined;
  }

  /** A component named by a purl the fleet has read before. */
  entry(entry: FleetVersion | PurlComponent, versionInfo: string | undefined): void {
    if (entry instanceof FleetVersion) this.version(entry);
    // A purl without a version: SPDX may give it in versionInfo.
    else this.component(entry.ecosystem, entry.name, versionInfo ?? '');
  }

  /** A copy of a package version the fleet holds. */
  version(version: FleetVersion): void {
    this.fleet.components++;
    version.add(this.systemNumber());
  }

  problem(where: string, message: string): void {
    if (this.problems) this.problems.push({ where, message });
    else addProblem(this.fleet, { where, message });
  }
}

/** Reads one inventory file into the fleet; the file's problems are counted, a file that cannot be read fails. */
export function readIntoFleet(
  fleet: Fleet,
  fileName: string,
  text: string,
  options: ReadOptions = {},
  problems?: InventoryProblem[],
): Result<InventoryShape> {
  const read = readInventoryInto(
    fileName,
    text,
    options,
    new FleetSink(fleet, systemOf(fileName, options), options.distro, problems),
  );
  if (read.ok) countFile(fleet, read.value.formatLabel);
  return read;
}

const decoder = new TextDecoder();

/**
 * Reads one inventory file, given as bytes, into the fleet: from its bytes where it is plainly written (JSON
 * inventories and dpkg status files), as text otherwise. The file's problems go to `problems` where it is
 * given, otherwise to the fleet.
 */
export function readFileIntoFleet(
  fleet: Fleet,
  fileName: string,
  bytes: Uint8Array,
  options: ReadOptions = {},
  problems?: InventoryProblem[],
): Result<InventoryShape> {
  if (!isUtf8(bytes)) return failure('bad-input', 'the file is not UTF-8 text', fileName);
  return (
    readBytesIntoFleet(fleet, fileName, bytes, options, problems) ??
    readIntoFleet(fleet, fileName, decoder.decode(bytes), options, problems)
  );
}

export const PURL_BYTES = 0;
export const PURL_TEXT = 1;
export const NAME_BYTES = 2;
const FIELDS = 3;

/** What a byte reader found in a file, in component order, kept until the whole file has been read. */
export class FoundInBytes implements BytesSink {
  readonly kinds: number[] = [];
  /** Four per component: a purl's bytes, or a package name's and version's. */
  readonly at: number[] = [];
  /** Three per component: a purl's text and versionInfo, or an ecosystem, name and version. */
  readonly texts: (string | undefined)[] = [];
  readonly problems: InventoryProblem[] = [];

  problem(where: string, message: string) {
    this.problems.push({ where, message });
  }

  place(): number {
    this.kinds.push(FIELDS);
    this.at.push(0, 0, 0, 0);
    this.texts.push(undefined, undefined, undefined);
    return this.kinds.length - 1;
  }

  purl(place: number, start: number, end: number, text: string | undefined, versionInfo: string | undefined) {
    this.kinds[place] = text === undefined ? PURL_BYTES : PURL_TEXT;
    this.at[place * 4] = start;
    this.at[place * 4 + 1] = end;
    this.texts[place * 3] = text;
    this.texts[place * 3 + 1] = versionInfo;
  }

  component(place: number, ecosystem: string, name: string, version: string) {
    this.kinds[place] = FIELDS;
    this.texts[place * 3] = ecosystem;
    this.texts[place * 3 + 1] = name;
    this.texts[place * 3 + 2] = version;
  }

  named(
    place: number,
    ecosystem: string,
    nameStart: number,
    nameEnd: number,
    versionStart: number,
    versionEnd: number,
  ) {
    this.kinds[place] = NAME_BYTES;
    this.texts[place * 3] = ecosystem;
    const at = place * 4;
    this.at[at] = nameStart;
    this.at[at + 1] = nameEnd;
    this.at[at + 2] = versionStart;
    this.at[at + 3] = versionEnd;
  }
}

/**
 * The first pass over a file read from its bytes: each purl is looked up in `purls` by its bytes, or read if it
 * is new there, and each purl written with escapes is read by `readText`. Undefined when one cannot be read: the
 * file then goes to the text reader, which reports the purl with its place in the file. Otherwise, for each
 * component named by a purl, what the table held or what the purl was read as, and the hash of its bytes.
 */
export function lookUpPurls<V, T>(
  found: FoundInBytes,
  bytes: Uint8Array,
  purls: BytesTable<V>,
  distro: string | undefined,
  readText: (text: string) => T | { error: string },
): { entries: (V | PurlComponent | T | undefined)[]; hashes: Int32Array } | undefined {
  const { kinds, at, texts } = found;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: (V | PurlComponent | T | undefined)[] = new Array(kinds.length);
  const hashes = new Int32Array(kinds.length);
  for (let i = 0; i < kinds.length; i++) {
    const kind = kinds[i];
    if (kind === PURL_BYTES) {
      const start = at[i * 4]!;
      const end = at[i * 4 + 1]!;
      const h = (hashes[i] = hashBytes(bytes, start, end));
      const entry = purls.get(bytes, h, start, end);
      if (entry !== undefined) {
        entries[i] = entry;
        continue;
      }
      const parsed = componentOfPurl(buffer.toString('utf8', start, end), distro);
      if ('error' in parsed) return undefined;
      entries[i] = parsed;
    } else if (kind === PURL_TEXT) {
      const parsed = readText(texts[i * 3]!);
      if (parsed !== null && typeof parsed === 'object' && 'error' in parsed) return undefined;
      entries[i] = parsed as T;
    }
  }
  return { entries, hashes };
}

/**
 * Reads an inventory from its bytes into the fleet; undefined, with the fleet untouched, when the file is to be
 * read as text (it is not plainly written, or something in it is a problem that the text reader names).
 */
export function readBytesIntoFleet(
  fleet: Fleet,
  fileName: string,
  bytes: Uint8Array,
  options: ReadOptions = {},
  problems?: InventoryProblem[],
): Result<InventoryShape> | undefined {
  const found = new FoundInBytes();
  const shape = readInventoryBytes(fileName, bytes, options.distro, found);
  if (shape === undefined) return undefined;
  const { kinds, at, texts } = found;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { distro } = options;
  let purls = fleet.byPurlBytes.get(distro);
  if (!purls) {
    purls = new BytesTable();
    fleet.byPurlBytes.set(distro, purls);
  }
  const purlTexts = fleet.byPurl.get(distro);
  const looked = lookUpPurls(
    found,
    bytes,
    purls,
    distro,
    (t) => purlTexts?.get(t) ?? componentOfPurl(t, distro),
  );
  if (!looked) return undefined;
  const { entries, hashes } = looked;
  const sink = new FleetSink(fleet, systemOf(fileName, options), distro, problems);
  for (let i = 0; i < kinds.length; i++) {
    const kind = kinds[i];
    if (kind === PURL_BYTES) {
      let entry = entries[i] as FleetVersion | PurlComponent;
      if (!(entry instanceof FleetVersion)) {
        // Read for the first time, unless an earlier component of the same file brought it in.
        const start = at[i * 4]!;
        const end = at[i * 4 + 1]!;
        const held = purls.get(bytes, hashes[i]!, start, end);
        if (held) entry = held;
        else {
          if (entry.version !== '')
            entry = versionOf(packageOf(fleet, entry.ecosystem, entry.name), entry.version);
          purls.set(bytes, hashes[i]!, entry, start, end);
        }
      }
      sink.entry(entry, texts[i * 3 + 1]);
    } else if (kind === PURL_TEXT) sink.purl(texts[i * 3]!, texts[i * 3 + 1]);
    else if (kind === NAME_BYTES) {
      const ecosystem = texts[i * 3]!;
      let versions = fleet.byNameBytes.get(ecosystem);
      if (!versions) fleet.byNameBytes.set(ecosystem, (versions = new BytesTable()));
      const a = i * 4;
      const h = hashTwo(bytes, at[a]!, at[a + 1]!, at[a + 2]!, at[a + 3]!);
      let entry = versions.get(bytes, h, at[a]!, at[a + 1]!, at[a + 2]!, at[a + 3]!);
      if (!entry) {
        const name = buffer.toString('utf8', at[a]!, at[a + 1]!);
        const version = buffer.toString('utf8', at[a + 2]!, at[a + 3]!);
        entry = versionOf(packageOf(fleet, ecosystem, name), version);
        versions.set(bytes, h, entry, at[a]!, at[a + 1]!, at[a + 2]!, at[a + 3]!);
      }
      sink.version(entry);
    } else sink.component(texts[i * 3]!, texts[i * 3 + 1]!, texts[i * 3 + 2]!);
  }
  for (const problem of found.problems)
    if (problems) problems.push(problem);
    else addProblem(fleet, problem);
  countFile(fleet, shape.formatLabel);
  return success(shape);
}

export function countFile(fleet: Fleet, formatLabel: string): void {
  fleet.files++;
  fleet.formats.set(formatLabel, (fleet.formats.get(formatLabel) ?? 0) + 1);
}

/** Adds an inventory already read (readInventory) to the fleet. */
export function addToFleet(fleet: Fleet, inventory: Inventory): void {
  countFile(fleet, inventory.formatLabel);
  for (const problem of inventory.problems) addProblem(fleet, problem);
  for (const c of inventory.components) {
    if (c.version === '') {
      countNoVersion(fleet, c.ecosystem);
      continue;
    }
    fleet.components++;
    versionOf(packageOf(fleet, c.ecosystem, c.name), c.version).add(systemNumber(fleet, c.system));
  }
}

/** Components by ecosystem, those without a version included. */
export function componentsByEcosystem(fleet: Fleet): Map<string, number> {
  const counts = new Map(fleet.noVersionByEcosystem);
  for (const pkg of fleet.packages.values()) {
    let n = 0;
    for (const v of pkg.versions.values()) n += v.copies;
    counts.set(pkg.ecosystem, (counts.get(pkg.ecosystem) ?? 0) + n);
  }
  return counts;
}

/** The packages worth looking up: those of ecosystems we can check, by ecosystem. */
export function packagesToLookUp(fleet: Fleet): Map<string, string[]> {
  const wanted = new Map<string, string[]>();
  for (const pkg of fleet.packages.values()) {
    if (comparerNameFor(pkg.ecosystem) === undefined || pkg.ecosystem === 'Debian') continue;
    const names = wanted.get(pkg.ecosystem) ?? [];
    names.push(pkg.name);
    wanted.set(pkg.ecosystem, names);
  }
  return wanted;
}
