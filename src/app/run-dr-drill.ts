// openDSPT's own disaster-recovery drill: back up, restore into a scratch place, verify, compare and time it,
// then (for the organisation that runs openDSPT) record the result as a DR test with the measured RTO and RPO.
import path from 'node:path';
import { toIsoDate } from '../domain/dates.ts';
import type { DrTestCheck } from '../domain/dr-test.ts';
import { failure, success, type Result } from '../domain/result.ts';
import type { Actor } from './actor.ts';
import type { BackupLocation, Backups, BackupSummary, RestoreSummary } from './backup-ports.ts';
import type { DrTestRecord } from './dr-test-ports.ts';
import type { Clock, Deps } from './ports.ts';
import { recordDrTest } from './record-dr-test.ts';

export interface DrDrillInput {
  source: BackupLocation;
  /** An empty folder the drill may fill and empty again. */
  scratchDir: string;
  /** A database on the PostgreSQL server to restore into, when the source is PostgreSQL. */
  scratchDatabaseUrl?: string;
  rtoTargetSeconds: number;
  rpoTargetSeconds: number;
  /** The organisation to record the drill for; none means measure only. */
  odsCode?: string;
}

export interface DrDrillResult {
  backup: BackupSummary;
  restore: RestoreSummary | null;
  failure: string | null;
  backupSeconds: number;
  /** Restore and verification: the time to recover. */
  rtoSeconds: number | null;
  /** From the newest data in the backup to the moment recovery started: what a real loss would have cost. */
  rpoSeconds: number | null;
  compareSeconds: number;
  matches: boolean;
  recorded: { test: DrTestRecord; check: DrTestCheck } | null;
  archive: string;
}

export async function runDrDrill(
  deps: { backups: Backups; clock: Clock; record?: () => Promise<Deps> },
  actor: Actor,
  input: DrDrillInput,
): Promise<Result<DrDrillResult>> {
  if (actor.kind !== 'operator') return failure('forbidden', 'only an operator can run the DR drill');
  const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
  const archive = path.join(input.scratchDir, 'drill.dsptbak');

  let started = process.hrtime.bigint();
  const backup = await deps.backups.backup(input.source, archive);
  if (!backup.ok) return backup;
  const backupSeconds = seconds(started);

  const lossAt = deps.clock.now();
  started = process.hrtime.bigint();
  const restored = await deps.backups.restore(archive, {
    dataDir: path.join(input.scratchDir, 'restored'),
    ...(input.scratchDatabaseUrl ? { databaseUrl: input.scratchDatabaseUrl } : {}),
  });
  const rtoSeconds = restored.ok ? seconds(started) : null;

  // The comparison: what came back is what went in, table by table, file by file.
  started = process.hrtime.bigint();
  const matches =
    restored.ok &&
    restored.value.evidenceFiles === backup.value.evidenceFiles &&
    restored.value.auditEvents === backup.value.auditEvents &&
    Object.entries(backup.value.rows).every(([table, rows]) => restored.value.rows[table] === rows);
  const compareSeconds = seconds(started);
  const newest = backup.value.newestDataAt;
  const rpoSeconds = newest === null ? 0 : Math.max(0, (lossAt.getTime() - Date.parse(newest)) / 1000);

  let recorded: DrDrillResult['recorded'] = null;
  if (input.odsCode !== undefined && deps.record) {
    const d = await deps.record();
    const ok = restored.ok && matches;
    const result = await recordDrTest(d, actor, {
      odsCode: input.odsCode,
      test: {
        type: 'functional',
        scenario:
          'Loss of the openDSPT server: restore the database and the encrypted evidence store from the latest backup into an empty location, verify every checksum and the audit chain, and compare with the backup',
        systems: ['openDSPT (database and evidence store)'],
        testedOn: toIsoDate(deps.clock.now()),
        rtoTargetSeconds: input.rtoTargetSeconds,
        rtoMeasuredSeconds: rtoSeconds,
        rpoTargetSeconds: input.rpoTargetSeconds,
        rpoMeasuredSeconds: ok ? rpoSeconds : null,
        integrityConfirmed: ok,
        result: ok ? 'pass' : 'fail',
        actions: [],
        approvedBy: null,
        notes: ok
          ? `Backup ${backupSeconds.toFixed(2)} s (${backup.value.evidenceFiles} evidence files, ${backup.value.auditEvents} audit events); restore and verification ${rtoSeconds!.toFixed(2)} s.`
          : `Restore failed: ${restored.ok ? 'the restored data does not match the backup' : restored.error.message}`,
      },
    });
    if (!result.ok) return result;
    recorded = { test: result.value.test, check: result.value.check };
  }
  return success({
    backup: backup.value,
    restore: restored.ok ? restored.value : null,
    failure: restored.ok
      ? matches
        ? null
        : 'the restored data does not match the backup'
      : restored.error.message,
    backupSeconds,
    rtoSeconds,
    rpoSeconds,
    compareSeconds,
    matches,
    recorded,
    archive,
  });
}
