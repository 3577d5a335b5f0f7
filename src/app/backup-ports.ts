// What the backup, restore and DR-drill use cases need: something that can archive and restore openDSPT's
// own data (the database and the evidence store) and report what an archive holds.
import type { Result } from '../domain/result.ts';

/** Where openDSPT keeps its data: the data folder, and PostgreSQL when a URL is set. */
export interface BackupLocation {
  dataDir: string;
  databaseUrl?: string | undefined;
}

export interface BackupSummary {
  createdAt: string;
  engine: 'sqlite' | 'postgres';
  /** The newest change in the backup (its newest audit event): nothing later is in it. */
  newestDataAt: string | null;
  auditEvents: number;
  evidenceFiles: number;
  evidenceBytes: number;
  parts: number;
  bytes: number;
  rows: Record<string, number>;
  file?: string;
}

export interface RestoreSummary extends BackupSummary {
  target: string;
}

export interface Backups {
  backup(source: BackupLocation, file: string): Promise<Result<BackupSummary>>;
  /** Restores into an empty or new data folder (and an empty database), or leaves nothing behind. */
  restore(file: string, target: BackupLocation): Promise<Result<RestoreSummary>>;
  /** Reads and checks the manifest only. */
  inspect(file: string): Promise<Result<BackupSummary>>;
}
