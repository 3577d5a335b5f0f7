// What the OSV import and the vulnerability scan need from storage: the index of OSV records, keyed by
// ecosystem and package name, that every scan reuses without re-reading the dump.
import type { PackageAdvisory } from '../collectors/vulnerabilities/analyse.ts';
import type { OsvAdvisory, OsvPackage } from '../collectors/vulnerabilities/osv.ts';

export interface StoredOsvRecord {
  advisory: OsvAdvisory;
  packages: { pkg: OsvPackage; fixKnownSince: string | null }[];
}

export interface OsvRecordVersion {
  modified: string;
  packages: { ecosystem: string; name: string; hasFix: boolean; fixKnownSince: string | null }[];
}

/**
 * What the index holds for some packages of one ecosystem, by `ecosystem \0 name`: each package's list is made
 * afresh when it is asked for, so that a scan holding every package's until it matches them holds little.
 */
export interface FoundPackageAdvisories {
  keys(): Iterable<string>;
  get(key: string): PackageAdvisory[] | undefined;
}

export interface OsvStore {
  /** The stored version of each of these records that exists. */
  findVersions(ids: readonly string[]): Promise<Map<string, OsvRecordVersion>>;
  /** Inserts each record, or replaces it and all its packages. */
  put(records: readonly StoredOsvRecord[]): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
  /** Every stored record's view of these packages of one ecosystem. */
  findByPackages(ecosystem: string, names: readonly string[]): Promise<FoundPackageAdvisories>;
  /** How many records name a package of each ecosystem. */
  ecosystems(): Promise<Map<string, number>>;
}
