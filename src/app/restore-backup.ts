// Restores a backup into an empty data folder, after checking every part, the row figures and the audit chain.
import { failure, type Result } from '../domain/result.ts';
import type { Actor } from './actor.ts';
import type { BackupLocation, Backups, RestoreSummary } from './backup-ports.ts';

export async function restoreBackup(
  backups: Backups,
  actor: Actor,
  input: { file: string; target: BackupLocation },
): Promise<Result<RestoreSummary>> {
  if (actor.kind !== 'operator') return failure('forbidden', 'only an operator can restore openDSPT');
  return backups.restore(input.file, input.target);
}
