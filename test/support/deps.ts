// Use-case dependencies over a fresh real database on one engine, the real catalogue, an encrypted blob
// store in a temporary folder and a clock the test can move.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AccountDeps } from '../../src/app/account-deps.ts';
import { AssessmentCache } from '../../src/app/assessment-cache.ts';
import { isCommonPassword } from '../../src/infra/common-passwords.ts';
import { argon2idHasher, createSecretBox } from '../../src/infra/crypto.ts';
import { createMailer } from '../../src/infra/mailer.ts';
import type { Catalogue } from '../../src/domain/catalogue/model.ts';
import { loadCatalogue } from '../../src/infra/catalogue-loader.ts';
import { createFileBlobStore } from '../../src/infra/evidence-blob-store.ts';
import type { Engine } from '../../src/infra/db/tables.ts';
import { freshDatabase, type TestDatabase } from './databases.ts';

let catalogue: Catalogue | undefined;

export async function realCatalogue(): Promise<Catalogue> {
  if (catalogue) return catalogue;
  const loaded = await loadCatalogue();
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return (catalogue = loaded.catalogue);
}

export interface TestDeps extends AccountDeps {
  maxEvidenceBytes: number;
  db: TestDatabase;
  blobDir: string;
  /** Moves the clock. */
  setNow(iso: string): void;
}

export async function testDeps(engine: Engine, now = '2026-06-01T09:00:00.000Z'): Promise<TestDeps> {
  let current = new Date(now);
  const clock = { now: () => new Date(current.getTime()) };
  const db = await freshDatabase(engine, { clock });
  const blobDir = await mkdtemp(path.join(tmpdir(), 'dspt-blobs-'));
  return {
    store: db.store,
    blobs: createFileBlobStore({ dir: blobDir, key: randomBytes(32) }),
    catalogue: await realCatalogue(),
    clock,
    // As in the application: readers reuse what they read while the organisation's revision stands.
    assessmentCache: new AssessmentCache(),
    maxEvidenceBytes: 1024 * 1024,
    passwords: argon2idHasher,
    secrets: createSecretBox(randomBytes(32)),
    isCommonPassword,
    mailer: createMailer({ from: 'openDSPT <test@localhost>', log: () => {} }),
    // Dropping the database removes the evidence folder too.
    db: {
      ...db,
      async drop() {
        await db.drop();
        await rm(blobDir, { recursive: true, force: true });
      },
    },
    blobDir,
    setNow: (iso) => {
      current = new Date(iso);
    },
  };
}
