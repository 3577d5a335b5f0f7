// Row shapes of the OSV index: one row per record, one per package a record names.

export interface OsvRecordsTable {
  id: string;
  modified: string;
  published: string;
  /** JSON `OsvAdvisory`: ID, aliases, dates, summary. */
  advisory: string;
  /** When this version of the record was imported. */
  imported_at: string;
}

export interface OsvPackagesTable {
  ecosystem: string;
  name: string;
  record_id: string;
  /**
   * The affected ranges and versions, sorted, and the severity: an `OsvPackage` packed into arrays (see
   * osv-packed-package.ts), or for rows imported before that form, the object as JSON.
   */
  package: string;
  /** 1 or 0: the engines disagree on booleans. */
  has_fix: number;
  fix_known_since: string | null;
  /** The record's JSON `OsvAdvisory`, as in `osv_records`, so that a scan's lookup needs no join. */
  advisory: string;
}

export interface OsvTables {
  osv_records: OsvRecordsTable;
  osv_packages: OsvPackagesTable;
}
