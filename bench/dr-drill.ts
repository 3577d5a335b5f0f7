// `dspt dr-drill` on a data folder with 10,000 evidence files (1 GB in all), against a plain recursive copy of
// the same folder measured in the same run. Target: backup and restore each within 2x of the copy.
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Actor } from '../src/app/actor.ts';
import type { EvidenceRecord } from '../src/app/ports.ts';
import { registerOrganisation } from '../src/app/register-organisation.ts';
import type { DrDrillResult } from '../src/app/run-dr-drill.ts';
import { main, type Io } from '../src/cli/main.ts';
import { createContainer } from '../src/container.ts';
import { readConfig } from '../src/config.ts';

const FILES = 10_000;
const TOTAL_BYTES = 1024 ** 3;
const operator: Actor = { kind: 'operator', name: 'bench' };

export async function drDrill(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'dspt-bench-drill-'));
  const free = await statfs(root);
  if (free.bavail * free.bsize < 5 * TOTAL_BYTES) {
    console.log(`dr drill: skipped, ${root} has less than 5 GB free`);
    await rm(root, { recursive: true, force: true });
    return;
  }
  try {
    const dataDir = path.join(root, 'data');
    const env = { DSPT_DATA_DIR: dataDir, EVIDENCE_KEY: 'cd'.repeat(32) };
    const setUp = process.hrtime.bigint();
    await populate(env);
    console.log(
      `dr drill: ${FILES} evidence files, ${(TOTAL_BYTES / 1024 ** 3).toFixed(1)} GB, set up in ${seconds(setUp).toFixed(1)} s`,
    );

    // The baseline, measured before and after the drill (the best of the two): a plain recursive copy.
    const copy = async () => {
      const target = path.join(root, `copy-${randomBytes(3).toString('hex')}`);
      const started = process.hrtime.bigint();
      await cp(dataDir, target, { recursive: true });
      const took = seconds(started);
      await rm(target, { recursive: true, force: true });
      return took;
    };
    const copyBefore = await copy();
    const drill = await runDrill(env, path.join(root, 'scratch'));
    const copyAfter = await copy();
    const copySeconds = Math.min(copyBefore, copyAfter);

    const rate = (s: number) => `${(TOTAL_BYTES / 1024 ** 2 / s).toFixed(0)} MB/s`;
    const backupRatio = drill.backupSeconds / copySeconds;
    const restoreRatio = drill.rtoSeconds! / copySeconds;
    console.log(`  plain copy (fs.cp, best of 2): ${copySeconds.toFixed(2)} s, ${rate(copySeconds)}`);
    console.log(
      `  backup: ${drill.backupSeconds.toFixed(2)} s, ${rate(drill.backupSeconds)}, ${backupRatio.toFixed(2)}x the copy`,
    );
    console.log(
      `  restore and verification (measured RTO): ${drill.rtoSeconds!.toFixed(2)} s, ${rate(drill.rtoSeconds!)}, ${restoreRatio.toFixed(2)}x the copy`,
    );
    console.log(`  measured RPO (age of the newest data in the backup): ${drill.rpoSeconds!.toFixed(1)} s`);
    console.log(
      `  comparison: ${drill.compareSeconds.toFixed(3)} s, ${drill.matches ? 'matches' : 'MISMATCH'}`,
    );
    const met = backupRatio <= 2 && restoreRatio <= 2;
    console.log(`  target: backup and restore within 2x of the copy: ${met ? 'MET' : 'NOT MET'}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** An organisation with 10,000 evidence files written through the real encrypted store, and their rows. */
async function populate(env: Record<string, string>): Promise<void> {
  const config = readConfig(env);
  if (!config.ok) throw new Error(config.error.message);
  const container = await createContainer(config.value, { warn: () => undefined });
  if (!container.ok) throw new Error(container.error.message);
  const { deps } = container.value;
  try {
    const org = await registerOrganisation(deps, operator, {
      odsCode: 'X26001',
      name: 'Drill Supplier Ltd',
      type: 'it-supplier-category-2',
    });
    if (!org.ok) throw new Error(org.error.message);
    const size = Math.floor(TOTAL_BYTES / FILES);
    const records: EvidenceRecord[] = [];
    const now = new Date().toISOString();
    // Random bytes do not compress, like the encrypted files they become.
    for (let start = 0; start < FILES; start += 64) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(64, FILES - start) }, () => deps.blobs.put(randomBytes(size))),
      );
      for (const blob of batch)
        records.push({
          id: randomUUID(),
          organisationId: org.value.id,
          kind: 'file',
          title: `Evidence ${records.length + 1}`,
          fileName: `evidence-${records.length + 1}.bin`,
          mediaType: 'application/octet-stream',
          size: blob.size,
          sha256: blob.sha256,
          effectiveDate: now.slice(0, 10),
          storageKey: blob.storageKey,
          createdBy: 'bench',
          createdAt: now,
        });
    }
    await deps.store.transaction(async (tx) => {
      for (const record of records) await tx.evidence.insert(record);
      await tx.audit.append({
        actor: 'bench',
        action: 'bench.populated',
        organisationId: org.value.id,
        subject: 'X26001',
        details: { files: FILES },
      });
    });
  } finally {
    await container.value.close();
  }
}

/** `dspt dr-drill --org X26001 --json`, in-process. */
async function runDrill(env: Record<string, string>, scratch: string): Promise<DrDrillResult> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t), env };
  const code = await main(
    ['node', 'dspt', 'dr-drill', '--org', 'X26001', '--scratch', scratch, '--json'],
    io,
  );
  if (code !== 0) throw new Error(`dspt dr-drill exited ${code}: ${err}${out.slice(0, 3000)}`);
  return JSON.parse(out) as DrDrillResult;
}

function seconds(from: bigint): number {
  return Number(process.hrtime.bigint() - from) / 1e9;
}
