// The composition root: configuration -> infrastructure -> the dependencies every use case receives.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { AssessmentCache } from './app/assessment-cache.ts';
import type { AccountDeps } from './app/account-deps.ts';
import type { Config } from './config.ts';
import type { Catalogue } from './domain/catalogue/model.ts';
import { failure, success, type Result } from './domain/result.ts';
import { formatLoadProblem, loadCatalogue } from './infra/catalogue-loader.ts';
import { migrateToLatest, openDatabase } from './infra/db/connect.ts';
import { createKyselyStore } from './infra/db/kysely-store.ts';
import { createFileBlobStore, loadOrCreateEvidenceKey } from './infra/evidence-blob-store.ts';
import { isCommonPassword } from './infra/common-passwords.ts';
import { createMailer } from './infra/mailer.ts';
import { argon2idHasher, createSecretBox } from './infra/crypto.ts';

export interface Container {
  deps: AccountDeps & { maxEvidenceBytes: number };
  engine: 'sqlite' | 'postgres';
  /** Signs CSRF tokens; derived from the evidence key so every web node agrees without another secret. */
  csrfKey: Uint8Array;
  close(): Promise<void>;
}

export async function readCatalogue(
  config: Pick<Config, 'catalogueDir' | 'year'>,
): Promise<Result<Catalogue>> {
  const loaded = await loadCatalogue({
    ...(config.catalogueDir ? { dir: config.catalogueDir } : {}),
    ...(config.year ? { year: config.year } : {}),
  });
  if (!loaded.ok) return failure('bad-input', loaded.problems.map(formatLoadProblem).join('\n'), 'catalogue');
  return success(loaded.catalogue);
}

export async function createContainer(
  config: Config,
  options: { warn: (message: string) => void },
): Promise<Result<Container>> {
  const catalogue = await readCatalogue(config);
  if (!catalogue.ok) return catalogue;
  const key = await loadOrCreateEvidenceKey({
    dataDir: config.dataDir,
    envKey: config.evidenceKey,
    warn: options.warn,
  });
  if (!key.ok) return key;
  const database = openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const migrated = await migrateToLatest(database.db, database.engine);
  if (!migrated.ok) {
    await database.close();
    return failure('bad-input', migrated.error.message, 'database');
  }
  const clock = config.now ? { now: () => new Date(config.now!.getTime()) } : { now: () => new Date() };
  const store = createKyselyStore(database.db, database.engine, { clock });
  return success({
    deps: {
      store,
      blobs: createFileBlobStore({ dir: path.join(config.dataDir, 'evidence'), key: key.value }),
      catalogue: catalogue.value,
      clock,
      assessmentCache: new AssessmentCache(),
      maxEvidenceBytes: config.maxEvidenceBytes,
      passwords: argon2idHasher,
      secrets: createSecretBox(key.value),
      isCommonPassword,
      mailer: createMailer({
        ...(config.smtpUrl ? { smtpUrl: config.smtpUrl } : {}),
        from: config.mailFrom,
        log: options.warn,
      }),
    },
    engine: database.engine,
    csrfKey: createHash('sha256').update('opendspt csrf v1').update(key.value).digest(),
    close: () => database.close(),
  });
}
