// Takes a backup of openDSPT's own data: the whole platform, so only an operator may.
import { failure, type Result } from '../domain/result.ts';
import type { Actor } from './actor.ts';
import type { BackupLocation, Backups, BackupSummary } from './backup-ports.ts';

export async function takeBackup(
  backups: Backups,
  actor: Actor,
  input: { source: BackupLocation; file: string },
): Promise<Result<BackupSummary>> {
  if (actor.kind !== 'operator') return failure('forbidden', 'only an operator can back up openDSPT');
  return backups.backup(input.source, input.file);
}
