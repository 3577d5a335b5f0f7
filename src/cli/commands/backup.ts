// `dspt backup`, `dspt restore` and `dspt dr-drill`: openDSPT's own backup, restore and recovery drill.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runDrDrill } from '../../app/run-dr-drill.ts';
import { restoreBackup } from '../../app/restore-backup.ts';
import { takeBackup } from '../../app/take-backup.ts';
import { formatDuration, parseDuration } from '../../domain/dr-test.ts';
import { createBackups, createScratchDatabase } from '../../infra/backup/backup-store.ts';
import type { CommandModule } from '../main.ts';
import { EXIT, Exit } from '../main.ts';

export const backupCommands: CommandModule = (
  program,
  { io, actor, fail, unwrap, getConfig, deps, json },
) => {
  const backups = createBackups({ now: () => new Date() });
  const location = () => {
    const config = getConfig();
    return { dataDir: config.dataDir, ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) };
  };
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

  program
    .command('backup')
    .description('write a consistent archive of the database and the encrypted evidence store')
    .argument('<file>', 'the archive to create (it must not exist)')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const summary = unwrap(
        await takeBackup(backups, actor, { source: location(), file: path.resolve(file) }),
      );
      if (o.json) json(summary);
      else
        io.out(
          [
            `Backed up to ${file}: the ${summary.engine} database (${summary.auditEvents} audit events, newest change ${summary.newestDataAt ?? 'none'}) and ${summary.evidenceFiles} evidence files (${mb(summary.evidenceBytes)}), each with its SHA-256.`,
            'Evidence files stay encrypted. The evidence key is not in the archive: keep EVIDENCE_KEY (or evidence.key from the data folder) somewhere safe and separate.',
          ].join('\n'),
        );
    });

  program
    .command('restore')
    .description('restore an archive into an empty data folder, checking every checksum and the audit chain')
    .argument('<file>', 'the archive written by "dspt backup"')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const summary = unwrap(
        await restoreBackup(backups, actor, { file: path.resolve(file), target: location() }),
      );
      if (o.json) json(summary);
      else
        io.out(
          [
            `Restored ${file} into ${summary.target}: ${summary.auditEvents} audit events (chain verified), ${summary.evidenceFiles} evidence files, every checksum verified.`,
            'Set EVIDENCE_KEY (or copy evidence.key into the data folder) to the key the evidence was encrypted with.',
          ].join('\n'),
        );
    });

  program
    .command('dr-drill')
    .description(
      'back up, restore into a scratch place, verify and time it; with --org, record it as a DR test',
    )
    .option('--org <ods>', 'record the drill as a DR test of this organisation')
    .option('--rto-target <duration>', 'recovery time objective', '4h')
    .option('--rpo-target <duration>', 'recovery point objective', '24h')
    .option(
      '--scratch <folder>',
      'an empty folder to work in (default: a new temporary folder, removed after)',
    )
    .option('--json', 'print JSON')
    .action(
      async (o: { org?: string; rtoTarget: string; rpoTarget: string; scratch?: string; json?: boolean }) => {
        const target = (text: string, where: string) =>
          parseDuration(text) ??
          fail({
            kind: 'bad-input',
            where,
            message: `expected a duration such as 30m or 4h, found "${text}"`,
          });
        const rtoTargetSeconds = target(o.rtoTarget, '--rto-target');
        const rpoTargetSeconds = target(o.rpoTarget, '--rpo-target');
        const source = location();
        // The same clock the container stamps audit events with (DSPT_NOW freezes it), so RPO and dates agree.
        const frozen = getConfig().now;
        const clock = { now: () => (frozen ? new Date(frozen.getTime()) : new Date()) };
        const scratchDir = o.scratch
          ? path.resolve(o.scratch)
          : await mkdtemp(path.join(os.tmpdir(), 'dspt-drill-'));
        await mkdir(scratchDir, { recursive: true });
        const scratchDb = source.databaseUrl ? await createScratchDatabase(source.databaseUrl) : undefined;
        try {
          const drilled = unwrap(
            await runDrDrill({ backups, clock, record: deps }, actor, {
              source,
              scratchDir,
              ...(scratchDb ? { scratchDatabaseUrl: scratchDb.url } : {}),
              rtoTargetSeconds,
              rpoTargetSeconds,
              ...(o.org ? { odsCode: o.org } : {}),
            }),
          );
          if (o.json) json(drilled);
          else
            io.out(
              [
                drilled.failure === null ? 'DR drill passed.' : `DR drill FAILED: ${drilled.failure}`,
                `  backup: ${drilled.backupSeconds.toFixed(2)} s (${drilled.backup.evidenceFiles} evidence files, ${mb(drilled.backup.bytes)})`,
                `  restore and verification (RTO): ${drilled.rtoSeconds === null ? 'did not complete' : formatDuration(drilled.rtoSeconds)} against ${formatDuration(rtoTargetSeconds)}`,
                `  newest data included (RPO): ${drilled.rpoSeconds === null ? '-' : formatDuration(drilled.rpoSeconds)} old against ${formatDuration(rpoTargetSeconds)}`,
                `  comparison: ${drilled.matches ? 'every table, audit event and evidence file matches the backup' : 'MISMATCH'}`,
                drilled.recorded
                  ? `Recorded as a DR test of ${o.org!.toUpperCase()}: ${drilled.recorded.check.passed ? 'passed' : 'failed'}.`
                  : 'Not recorded (give --org to record the drill as a DR test).',
              ].join('\n'),
            );
          if (drilled.failure !== null || (drilled.recorded && !drilled.recorded.check.passed))
            throw new Exit(EXIT.checkFailed);
        } finally {
          await scratchDb?.drop();
          if (!o.scratch) await rm(scratchDir, { recursive: true, force: true });
          else {
            await rm(path.join(scratchDir, 'drill.dsptbak'), { force: true });
            await rm(path.join(scratchDir, 'restored'), { recursive: true, force: true });
          }
        }
      },
    );
};
