// openDSPT's own backup and restore on both engines: a backup taken while writes go on restores elsewhere with
// every evidence file and audit event, verified; a truncated or altered archive (one byte) is refused by name,
// and a refused restore leaves nothing behind.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Actor } from '../../../src/app/actor.ts';
import type { BackupLocation } from '../../../src/app/backup-ports.ts';
import type { Deps } from '../../../src/app/ports.ts';
import { recordAnswer } from '../../../src/app/record-answer.ts';
import { registerOrganisation } from '../../../src/app/register-organisation.ts';
import { verifyAuditChain } from '../../../src/app/verify-audit-chain.ts';
import { createBackups, createScratchDatabase } from '../../../src/infra/backup/backup-store.ts';
import { migrateToLatest, openDatabase } from '../../../src/infra/db/connect.ts';
import { createKyselyStore } from '../../../src/infra/db/kysely-store.ts';
import { createFileBlobStore } from '../../../src/infra/evidence-blob-store.ts';
import { ENGINES, freshDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../support/databases.ts';
import { realCatalogue } from '../../support/deps.ts';

const operator: Actor = { kind: 'operator', name: 'test' };
const KEY = randomBytes(32);
const backups = createBackups({ now: () => new Date() });

describe.each(ENGINES)('backup and restore on %s', (engine) => {
  let db: TestDatabase;
  let deps: Deps;
  let work: string;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    db = await freshDatabase(engine);
    deps = {
      store: db.store,
      blobs: createFileBlobStore({ dir: path.join(db.config.dataDir, 'evidence'), key: KEY }),
      catalogue: await realCatalogue(),
      clock: { now: () => new Date() },
    };
    work = await mkdtemp(path.join(tmpdir(), 'dspt-backup-test-'));
    await registerOrganisation(deps, operator, {
      odsCode: 'A81001',
      name: 'Riverside Surgery',
      type: 'gp-practice',
    });
    for (const [i, item] of ['1.1.2', '1.1.3', '7.1.1', '8.3.1', '1.1.2'].entries())
      await attach(item, `document ${i}`);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await db.drop();
    await rm(work, { recursive: true, force: true });
  });

  async function attach(itemId: string, text: string): Promise<void> {
    const result = await recordAnswer(deps, operator, {
      odsCode: 'A81001',
      itemId,
      answer: {
        type: 'file',
        fileName: `${itemId}.txt`,
        bytes: Buffer.from(`${text} ${randomBytes(8).toString('hex')}\n`.repeat(200)),
      },
    });
    if (!result.ok) throw new Error(result.error.message);
  }

  /** An empty place to restore into: a new folder, and for PostgreSQL a new empty database. */
  async function emptyTarget(): Promise<BackupLocation> {
    const dataDir = path.join(work, `restored-${randomBytes(4).toString('hex')}`);
    if (engine === 'sqlite') return { dataDir };
    const scratch = await createScratchDatabase(TEST_DATABASE_URL);
    cleanups.push(scratch.drop);
    return { dataDir, databaseUrl: scratch.url };
  }

  test('a backup taken while writes go on restores elsewhere, verified, with every evidence file and audit event', async () => {
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await attach('1.1.2', `concurrent ${written}`);
        written += 1;
      }
    })();
    // Let some writes land first, so the backup overlaps them.
    while (written < 3) await new Promise((r) => setTimeout(r, 5));
    const archive = path.join(work, 'live.dsptbak');
    const backup = await backups.backup(db.config, archive);
    writing = false;
    await writer;
    if (!backup.ok) throw new Error(backup.error.message);
    expect(written).toBeGreaterThan(3);

    const target = await emptyTarget();
    const restored = await backups.restore(archive, target);
    if (!restored.ok) throw new Error(restored.error.message);
    expect(restored.value.auditEvents).toBe(backup.value.auditEvents);

    const opened = openDatabase(target);
    const migrated = await migrateToLatest(opened.db, opened.engine);
    expect(migrated.ok).toBe(true);
    const store = createKyselyStore(opened.db, opened.engine);
    try {
      const chain = await verifyAuditChain({ store }, operator);
      expect(chain).toEqual({ ok: true, value: { events: backup.value.auditEvents, intact: true } });
      // Every evidence file the restored database refers to is there, and decrypts to the bytes it should.
      const blobs = createFileBlobStore({ dir: path.join(target.dataDir, 'evidence'), key: KEY });
      const org = (await store.organisations.findByOds('A81001'))!;
      const assessment = (await store.assessments.find(org.id, '2025-26'))!;
      const links = await store.evidence.listLinks(assessment.id);
      expect(links.length).toBeGreaterThanOrEqual(5);
      for (const link of links) {
        const evidence = (await store.evidence.findById(org.id, link.evidenceId))!;
        expect(Buffer.from(await blobs.get(evidence.storageKey!)).length).toBe(evidence.size);
      }
      expect(backup.value.evidenceFiles).toBeGreaterThanOrEqual(links.length);
    } finally {
      await opened.close();
    }
  });

  test('a restore refuses a folder that is not empty and leaves it as it was', async () => {
    const archive = path.join(work, 'b.dsptbak');
    expect((await backups.backup(db.config, archive)).ok).toBe(true);
    const target = await emptyTarget();
    await mkdir(target.dataDir);
    await writeFile(path.join(target.dataDir, 'notes.txt'), 'mine');
    expect(await backups.restore(archive, target)).toMatchObject({
      ok: false,
      error: { kind: 'refused', where: target.dataDir },
    });
    expect(await readdir(target.dataDir)).toEqual(['notes.txt']);
    expect(await backups.backup(db.config, archive)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/already exists/) },
    });
  });

  test.each<[string, (size: number, manifestAt: number) => number]>([
    ['in the header', () => 3],
    ['in the database part', () => 200],
    ['in an evidence part', (_s, m) => m - 300],
    ['in the manifest', (_s, m) => m + 40],
    ['in the trailer', (size) => size - 20],
    ['the last byte', (size) => size - 1],
  ])(
    'a one-byte change %s is detected, and the failed restore leaves nothing behind',
    async (_label, offsetOf) => {
      const archive = path.join(work, 'b.dsptbak');
      expect((await backups.backup(db.config, archive)).ok).toBe(true);
      const bytes = await readFile(archive);
      const manifestAt = bytes.lastIndexOf(Buffer.from('{"format":"opendspt-backup"'));
      const offset = offsetOf(bytes.length, manifestAt);
      bytes[offset] = bytes[offset]! ^ 0x20;
      const altered = path.join(work, 'altered.dsptbak');
      await writeFile(altered, bytes);
      const target = await emptyTarget();
      const result = await backups.restore(altered, target);
      expect(result).toMatchObject({ ok: false, error: { kind: 'bad-input', where: altered } });
      await expectNothingLeft(target);
    },
  );

  test.each([1, 37, 5000])('an archive cut short by %i bytes is detected', async (cut) => {
    const archive = path.join(work, 'b.dsptbak');
    expect((await backups.backup(db.config, archive)).ok).toBe(true);
    const bytes = await readFile(archive);
    await writeFile(archive, bytes.subarray(0, bytes.length - cut));
    const target = await emptyTarget();
    const result = await backups.restore(archive, target);
    expect(result).toMatchObject({
      ok: false,
      error: { where: archive, message: expect.stringMatching(/truncated|altered|ends in the middle/) },
    });
    await expectNothingLeft(target);
  });

  test('a failed restore into a new nested folder removes the folders it made; a missing archive is named', async () => {
    const archive = path.join(work, 'b.dsptbak');
    expect((await backups.backup(db.config, archive)).ok).toBe(true);
    const bytes = await readFile(archive);
    // Damage the last evidence part: found only while the parts are being staged.
    const at = bytes.lastIndexOf(Buffer.from('{"format":"opendspt-backup"')) - 300;
    bytes[at] = bytes[at]! ^ 0x20;
    await writeFile(archive, bytes);
    const target = await emptyTarget();
    const nested = { ...target, dataDir: path.join(work, 'restored-deep', 'a', 'data') };
    expect((await backups.restore(archive, nested)).ok).toBe(false);
    await expectNothingLeft(target);
    const missing = path.join(work, 'nope.dsptbak');
    expect(await backups.restore(missing, target)).toMatchObject({
      ok: false,
      error: { kind: 'bad-input', where: missing },
    });
  });

  async function expectNothingLeft(target: BackupLocation): Promise<void> {
    expect((await readdir(work)).filter((n) => n.startsWith('.') || n.startsWith('restored'))).toEqual([]);
    if (target.databaseUrl) {
      const opened = openDatabase(target);
      try {
        const { sql } = await import('kysely');
        const tables = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
          where table_schema = current_schema()`.execute(opened.db);
        expect(tables.rows[0]?.n).toBe(0);
      } finally {
        await opened.close();
      }
    }
  }
});
