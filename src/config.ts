// Configuration from the environment, checked once at start-up with clear messages.
import path from 'node:path';
import { DEFAULT_MAX_EVIDENCE_BYTES } from './domain/evidence-file.ts';
import { failure, success, type Result } from './domain/result.ts';

// Checked by hand rather than with a schema library: every `dspt` command reads its configuration first, and
// loading one took longer than the checks themselves ever will.

/** A whole number from the environment within [min, max], or why not. */
function wholeNumber(text: string, min: number, max: number, expected: string): number | string {
  const n = /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : expected;
}

/** An ISO timestamp with its offset (`Z` or `+01:00`), seconds and fractions optional, that Date can read. */
function isIsoTimestamp(text: string): boolean {
  const offset = /(?:Z|[+-]\d{2}:?\d{2})$/.exec(text);
  if (!offset || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) return false;
  const seconds = text.slice(16, offset.index);
  return (
    (seconds === '' || /^:\d{2}$/.test(seconds) || /^:\d{2}\.\d+$/.test(seconds)) &&
    Number.isFinite(Date.parse(text))
  );
}

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
  // An empty variable counts as unset, as it does in most shells' `VAR= command`.
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const bad = (where: string, message: string): Result<Config> => failure('bad-input', message, where);

  const year = get('DSPT_YEAR');
  if (year !== undefined && !/^\d{4}-\d{2}$/.test(year))
    return bad('DSPT_YEAR', 'expected a year such as 2025-26');
  const maxBytesText = get('DSPT_MAX_EVIDENCE_BYTES');
  const maxEvidenceBytes =
    maxBytesText === undefined
      ? DEFAULT_MAX_EVIDENCE_BYTES
      : wholeNumber(maxBytesText, 1, Number.MAX_SAFE_INTEGER, 'expected a whole number of bytes');
  if (typeof maxEvidenceBytes === 'string') return bad('DSPT_MAX_EVIDENCE_BYTES', maxEvidenceBytes);
  const now = get('DSPT_NOW');
  if (now !== undefined && !isIsoTimestamp(now))
    return bad('DSPT_NOW', 'expected an ISO timestamp such as 2026-06-01T09:00:00Z');
  const portText = get('PORT');
  const port = portText === undefined ? 3000 : wholeNumber(portText, 0, 65535, 'expected a port number');
  if (typeof port === 'string') return bad('PORT', port);
  const publicUrl = get('PUBLIC_URL');
  if (publicUrl !== undefined && !URL.canParse(publicUrl))
    return bad('PUBLIC_URL', 'expected a URL such as https://dspt.example.nhs.uk');
  const smtpUrl = get('SMTP_URL');
  if (smtpUrl !== undefined && !/^smtps?:\/\//.test(smtpUrl))
    return bad('SMTP_URL', 'expected an smtp:// or smtps:// URL');
  const databaseUrl = get('DATABASE_URL');
  if (databaseUrl !== undefined && !/^(postgres(ql)?:\/\/|sqlite:)/.test(databaseUrl))
    return bad('DATABASE_URL', 'expected a postgres:// URL (or leave it unset for the embedded SQLite file)');
  const evidenceKey = get('EVIDENCE_KEY');
  const catalogueDir = get('DSPT_CATALOGUE_DIR');
  const host = get('HOST') ?? 'localhost';
  return success({
    dataDir: path.resolve(get('DSPT_DATA_DIR') ?? 'data'),
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(evidenceKey ? { evidenceKey } : {}),
    ...(catalogueDir ? { catalogueDir: path.resolve(catalogueDir) } : {}),
    ...(year ? { year } : {}),
    maxEvidenceBytes,
    ...(now ? { now: new Date(now) } : {}),
    port,
    host,
    publicUrl: (
      publicUrl ?? `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${port}`
    ).replace(/\/$/, ''),
    ...(smtpUrl ? { smtpUrl } : {}),
    mailFrom: get('MAIL_FROM') ?? 'openDSPT <no-reply@localhost>',
  });
}
