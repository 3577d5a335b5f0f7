// Configuration from the environment, checked once at start-up with clear messages.
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_MAX_EVIDENCE_BYTES } from './domain/evidence-file.ts';
import { failure, success, type Result } from './domain/result.ts';

const schema = z.object({
  DSPT_DATA_DIR: z.string().default('data'),
  DATABASE_URL: z.string().optional(),
  EVIDENCE_KEY: z.string().optional(),
  DSPT_CATALOGUE_DIR: z.string().optional(),
  DSPT_YEAR: z
    .string()
    .regex(/^\d{4}-\d{2}$/, 'expected a year such as 2025-26')
    .optional(),
  DSPT_MAX_EVIDENCE_BYTES: z.coerce
    .number()
    .int('expected a whole number of bytes')
    .positive()
    .default(DEFAULT_MAX_EVIDENCE_BYTES),
  /** Freezes the clock (an ISO timestamp): for demonstrations and tests that need a known date. */
  DSPT_NOW: z.iso
    .datetime({ offset: true, message: 'expected an ISO timestamp such as 2026-06-01T09:00:00Z' })
    .optional(),
  PORT: z.coerce.number().int().min(0).max(65535, 'expected a port number').default(3000),
  HOST: z.string().default('localhost'),
  /** The address people use to reach openDSPT, for links in e-mails. Default: http://HOST:PORT. */
  PUBLIC_URL: z.url({ message: 'expected a URL such as https://dspt.example.nhs.uk' }).optional(),
  /** `smtp://user:pass@host:587` or `smtps://...`; without it, e-mails wait in the outbox. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'expected an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().default('openDSPT <no-reply@localhost>'),
});

export interface Config {
  dataDir: string;
  databaseUrl?: string;
  evidenceKey?: string;
  catalogueDir?: string;
  year?: string;
  maxEvidenceBytes: number;
  now?: Date;
  port: number;
  host: string;
  publicUrl: string;
  smtpUrl?: string;
  mailFrom: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Result<Config> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return failure('bad-input', issue.message, String(issue.path[0]));
  }
  const e = parsed.data;
  if (e.DATABASE_URL && !/^(postgres(ql)?:\/\/|sqlite:)/.test(e.DATABASE_URL))
    return failure(
      'bad-input',
      'expected a postgres:// URL (or leave it unset for the embedded SQLite file)',
      'DATABASE_URL',
    );
  return success({
    dataDir: path.resolve(e.DSPT_DATA_DIR),
    ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
    ...(e.EVIDENCE_KEY ? { evidenceKey: e.EVIDENCE_KEY } : {}),
    ...(e.DSPT_CATALOGUE_DIR ? { catalogueDir: path.resolve(e.DSPT_CATALOGUE_DIR) } : {}),
    ...(e.DSPT_YEAR ? { year: e.DSPT_YEAR } : {}),
    maxEvidenceBytes: e.DSPT_MAX_EVIDENCE_BYTES,
    ...(e.DSPT_NOW ? { now: new Date(e.DSPT_NOW) } : {}),
    port: e.PORT,
    host: e.HOST,
    publicUrl: (
      e.PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' || e.HOST === '::' ? 'localhost' : e.HOST}:${e.PORT}`
    ).replace(/\/$/, ''),
    ...(e.SMTP_URL ? { smtpUrl: e.SMTP_URL } : {}),
    mailFrom: e.MAIL_FROM,
  });
}
