// How a worker thread reads inventories for the scan without building a fleet of its own. It numbers each
// package version it meets by the bytes that name it (a purl, or a package-lock's or dpkg status file's name
// and version), and after each file tells the scan's thread what the numbers first met in that file name, with
// their bytes. The scan's thread finds or makes each one's package version by the same bytes while the workers
// read on, so the maps of a package version are made once for the whole fleet, not once by each worker and
// again when their fleets are added together, and its package is looked up in the OSV index as soon as it is
// met. The copies of each number, and the systems holding it, are counted in the worker, a few typed arrays
// handed over once its files are read. Both sides share nothing but the messages, whose arrays move between
// threads without a copy.
import { isUtf8 } from 'node:buffer';
import { failure, success, type Result } from '../../domain/result.ts';
import { BytesTable, hashTwo } from './bytes-table.ts';
import {
  countFile,
  countNoVersion,
  FleetVersion,
  FoundInBytes,
  lookUpPurls,
  moreSystems,
  NAME_BYTES,
  packageOf,
  PURL_BYTES,
  PURL_TEXT,
  systemNumber,
  versionOf,
  type Fleet,
} from './fleet.ts';
import type { InventoryProblem, ReadOptions } from './inventory.ts';
import { componentOfPurl, type PurlComponent } from './purl.ts';
import { readInventory, systemOf } from './read-inventory.ts';
import { readInventoryBytes } from './read-inventory-bytes.ts';

/** A number first met as a purl's bytes. */
const NEW_PURL = 0;
/** A number first met as a package name's and version's bytes. */
const NEW_NAME = 1;

/** What one file holds, as a worker tells it. */
export interface ToldFile {
  formatLabel: string;
  /** The numbers first met in this file, in number order: each one's kind (NEW_PURL or NEW_NAME) and hash. */
  newKinds: Uint8Array;
  newHashes: Int32Array;
  /** What each new number names, in threes: ecosystem, name and version, as the worker read them. */
  newFields: string[];
  /** Four per new number: where its bytes lie in `keyBytes`, and where a version's lie after a name. */
  keyPlaces: Int32Array;
  keyBytes: Uint8Array;
  /** How many components of the file are counted by number (NumberedCopies). */
  numbered: number;
  /** Components given by their text, in threes: ecosystem, name and version (empty when it has none). */
  fields: string[];
  problems: InventoryProblem[];
}

/** The arrays of a told file that move to the other thread rather than being copied. */
export function transferablesOf(told: ToldFile): ArrayBuffer[] {
  return [told.newKinds, told.newHashes, told.keyPlaces, told.keyBytes].map((a) => a.buffer as ArrayBuffer);
}

const decoder = new TextDecoder();

/** The worker's side: reads files and numbers the package versions in them. */
export class FileNumberer {
  /** A purl's number, or what it names when it has no version (a component then given by its text). */
  private readonly purls = new BytesTable<number | PurlComponent>();
  private readonly names = new Map<string, BytesTable<number>>();
  private numbered = 0;
  private readonly copies = new CopyCounter();

  constructor(private readonly options: ReadOptions) {}

  /** Reads one file: what it holds, or why it cannot be read (as the scan's own readers would say). */
  read(fileName: string, bytes: Uint8Array): Result<ToldFile> {
    if (!isUtf8(bytes)) return failure('bad-input', 'the file is not UTF-8 text', fileName);
    return this.fromBytes(fileName, bytes) ?? this.fromText(fileName, decoder.decode(bytes));
  }

  /** Once every file is read: each number's copies and systems. */
  copiesCounted(): NumberedCopies {
    return this.copies.counted(this.numbered);
  }

  /** A file the byte readers leave to the text reader, which names what is wrong with it. */
  private fromText(fileName: string, text: string): Result<ToldFile> {
    const read = readInventory(fileName, text, this.options);
    if (!read.ok) return read;
    const fields: string[] = [];
    for (const c of read.value.components) fields.push(c.ecosystem, c.name, c.version);
    return success({
      formatLabel: read.value.formatLabel,
      newKinds: new Uint8Array(0),
      newHashes: new Int32Array(0),
      newFields: [],
      keyPlaces: new Int32Array(0),
      keyBytes: new Uint8Array(0),
      numbered: 0,
      fields,
      problems: read.value.problems,
    });
  }

  /** As readBytesIntoFleet: undefined when the file is to be read as text. */
  private fromBytes(fileName: string, bytes: Uint8Array): Result<ToldFile> | undefined {
    const { distro } = this.options;
    const found = new FoundInBytes();
    const shape = readInventoryBytes(fileName, bytes, distro, found);
    if (shape === undefined) return undefined;
    const { kinds, at, texts } = found;
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = kinds.length;
    const looked = lookUpPurls(found, bytes, this.purls, distro, (t) => componentOfPurl(t, distro));
    if (!looked) return undefined;
    const { entries, hashes } = looked;
    let numbered = 0;
    let system = -1;
    const fields: string[] = [];
    const newKinds: number[] = [];
    const newHashes: number[] = [];
    const newFields: string[] = [];
    // Where each new number's bytes lie in the file, until they are copied out.
    const places: number[] = [];
    // A new number: what it names, and where its bytes lie (a name's and then a version's, or a purl's alone).
    const number = (
      kind: number,
      h: number,
      named: PurlComponent,
      start: number,
      end: number,
      start2 = 0,
      end2 = 0,
    ) => {
      newKinds.push(kind);
      newHashes.push(h);
      newFields.push(named.ecosystem, named.name, named.version);
      places.push(start, end, start2, end2);
      return this.numbered++;
    };
    for (let i = 0; i < count; i++) {
      const kind = kinds[i];
      let n: number;
      if (kind === PURL_BYTES) {
        let entry = entries[i]!;
        if (typeof entry !== 'number') {
          // Read for the first time, unless an earlier component of the same file brought it in.
          const start = at[i * 4]!;
          const end = at[i * 4 + 1]!;
          const held = this.purls.get(bytes, hashes[i]!, start, end);
          if (held !== undefined) entry = held;
          else {
            if (entry.version !== '') entry = number(NEW_PURL, hashes[i]!, entry, start, end);
            this.purls.set(bytes, hashes[i]!, entry, start, end);
          }
        }
        if (typeof entry !== 'number') {
          // A purl without a version: SPDX may give it in versionInfo.
          fields.push(entry.ecosystem, entry.name, texts[i * 3 + 1] ?? '');
          continue;
        }
        n = entry;
      } else if (kind === PURL_TEXT) {
        const entry = entries[i] as PurlComponent;
        fields.push(
          entry.ecosystem,
          entry.name,
          entry.version === '' ? (texts[i * 3 + 1] ?? '') : entry.version,
        );
        continue;
      } else if (kind === NAME_BYTES) {
        const ecosystem = texts[i * 3]!;
        let table = this.names.get(ecosystem);
        if (!table) this.names.set(ecosystem, (table = new BytesTable()));
        const a = i * 4;
        const h = hashTwo(bytes, at[a]!, at[a + 1]!, at[a + 2]!, at[a + 3]!);
        const held = table.get(bytes, h, at[a]!, at[a + 1]!, at[a + 2]!, at[a + 3]!);
        if (held !== undefined) n = held;
        else {
          const named = {
            ecosystem,
            name: buffer.toString('utf8', at[a]!, at[a + 1]!),
            version: buffer.toString('utf8', at[a + 2]!, at[a + 3]!),
          };
          n = number(NEW_NAME, h, named, at[a]!, at[a + 1]!, at[a + 2]!, at[a + 3]!);
          table.set(bytes, h, n, at[a]!, at[a + 1]!, at[a + 2]!, at[a + 3]!);
        }
      } else {
        fields.push(texts[i * 3]!, texts[i * 3 + 1]!, texts[i * 3 + 2]!);
        continue;
      }
      if (system < 0) system = systemNumber(this.copies, systemOf(fileName, this.options));
      this.copies.add(n, system);
      numbered++;
    }
    // The new numbers' bytes, copied out of the file into one array of their own.
    let length = 0;
    for (let k = 0; k < places.length; k += 2) length += places[k + 1]! - places[k]!;
    const keyBytes = new Uint8Array(length);
    const keyPlaces = new Int32Array(places.length);
    let used = 0;
    for (let k = 0; k < places.length; k += 2) {
      keyBytes.set(bytes.subarray(places[k]!, places[k + 1]!), used);
      keyPlaces[k] = used;
      used += places[k + 1]! - places[k]!;
      keyPlaces[k + 1] = used;
    }
    return success({
      formatLabel: shape.formatLabel,
      newKinds: Uint8Array.from(newKinds),
      newHashes: Int32Array.from(newHashes),
      newFields,
      keyPlaces,
      keyBytes,
      numbered,
      fields,
      problems: found.problems,
    });
  }
}

/**
 * The scan's side, for one worker: the package version each of its numbers stands for, found in the fleet or
 * added to it. The problems of its files are left to the caller (ProblemsByFile), to be listed in file order
 * whichever thread read each file.
 */
export class NumberedPart {
  private readonly versions: FleetVersion[] = [];

  constructor(
    private readonly fleet: Fleet,
    private readonly options: ReadOptions,
  ) {}

  /** Adds a file the worker told of: its components, but not its problems. */
  add(fileName: string, told: ToldFile): void {
    const fleet = this.fleet;
    const { keyBytes, keyPlaces } = told;
    const { distro } = this.options;
    let purls = fleet.byPurlBytes.get(distro);
    if (!purls) fleet.byPurlBytes.set(distro, (purls = new BytesTable()));
    const { newFields } = told;
    for (let k = 0; k < told.newKinds.length; k++) {
      const h = told.newHashes[k]!;
      const start = keyPlaces[k * 4]!;
      const end = keyPlaces[k * 4 + 1]!;
      let version: FleetVersion | undefined;
      if (told.newKinds[k] === NEW_PURL) {
        const held = purls.get(keyBytes, h, start, end);
        if (held instanceof FleetVersion) version = held;
        else {
          version = versionOf(
            packageOf(fleet, newFields[k * 3]!, newFields[k * 3 + 1]!),
            newFields[k * 3 + 2]!,
          );
          purls.set(keyBytes, h, version, start, end);
        }
      } else {
        const ecosystem = newFields[k * 3]!;
        let versions = fleet.byNameBytes.get(ecosystem);
        if (!versions) fleet.byNameBytes.set(ecosystem, (versions = new BytesTable()));
        const start2 = keyPlaces[k * 4 + 2]!;
        const end2 = keyPlaces[k * 4 + 3]!;
        version = versions.get(keyBytes, h, start, end, start2, end2);
        if (!version) {
          version = versionOf(packageOf(fleet, ecosystem, newFields[k * 3 + 1]!), newFields[k * 3 + 2]!);
          versions.set(keyBytes, h, version, start, end, start2, end2);
        }
      }
      this.versions.push(version);
    }
    // The system is registered at its first component with a version, as a system with none checks nothing.
    let system = -1;
    const systemNo = () =>
      system >= 0 ? system : (system = systemNumber(fleet, systemOf(fileName, this.options)));
    const { fields } = told;
    fleet.components += told.numbered;
    for (let f = 0; f < fields.length; f += 3) {
      const ecosystem = fields[f]!;
      const version = fields[f + 2]!;
      if (version === '') countNoVersion(fleet, ecosystem);
      else {
        fleet.components++;
        versionOf(packageOf(fleet, ecosystem, fields[f + 1]!), version).add(systemNo());
      }
    }
    countFile(fleet, told.formatLabel);
  }

  /** Adds the copies of each number, and the systems holding it, once the worker has read every file. */
  addCopies(counted: NumberedCopies): void {
    const fleet = this.fleet;
    const systems = Int32Array.from(counted.systems, (name) => systemNumber(fleet, name));
    const { copies, systemCounts, systemList } = counted;
    let at = 0;
    for (let n = 0; n < copies.length; n++) {
      const version = this.versions[n]!;
      version.copies += copies[n]!;
      for (const end = at + systemCounts[n]!; at < end; at++) version.add(systems[systemList[at]!]!, 0);
    }
  }
}

/** Each number's copies and the systems holding it, as a worker counted them. */
export interface NumberedCopies {
  systems: string[];
  copies: Int32Array;
  /** How many systems hold each number, and then all of them, one number after another. */
  systemCounts: Int32Array;
  systemList: Int32Array;
}

/** The arrays of counted copies that move to the other thread rather than being copied. */
export function transferablesOfCopies(counted: NumberedCopies): ArrayBuffer[] {
  return [counted.copies, counted.systemCounts, counted.systemList].map((a) => a.buffer as ArrayBuffer);
}

/**
 * Counts the copies of each number and the systems holding it, in typed arrays: a file repeats its system for
 * every component, so each number keeps its first and last system inline, and the rest apart (moreSystems).
 */
class CopyCounter {
  private copies = new Int32Array(1 << 12);
  private first = new Int32Array(1 << 12).fill(-1);
  private last = new Int32Array(1 << 12).fill(-1);
  private readonly more = new Map<number, number[] | Set<number>>();
  readonly systems: string[] = [];
  readonly systemIndex = new Map<string, number>();

  add(n: number, system: number): void {
    if (n >= this.copies.length) this.grow();
    this.copies[n]!++;
    if (this.last[n] === system) return;
    this.last[n] = system;
    if (this.first[n] === -1) this.first[n] = system;
    else if (this.first[n] !== system) {
      this.more.set(n, moreSystems(this.more.get(n), system));
    }
  }

  private grow(): void {
    const size = this.copies.length * 2;
    const copies = new Int32Array(size);
    copies.set(this.copies);
    const first = new Int32Array(size).fill(-1);
    first.set(this.first);
    const last = new Int32Array(size).fill(-1);
    last.set(this.last);
    [this.copies, this.first, this.last] = [copies, first, last];
  }

  counted(numbers: number): NumberedCopies {
    const systemCounts = new Int32Array(numbers);
    const systemList: number[] = [];
    for (let n = 0; n < numbers; n++) {
      if (this.first[n] === -1) continue;
      systemList.push(this.first[n]!);
      const more = this.more.get(n) ?? [];
      for (const system of more) systemList.push(system);
      systemCounts[n] = 1 + (more instanceof Set ? more.size : more.length);
    }
    return {
      systems: this.systems,
      copies: this.copies.slice(0, numbers),
      systemCounts,
      systemList: Int32Array.from(systemList),
    };
  }
}
