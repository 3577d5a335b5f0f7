// The configuration from the environment: defaults when unset (or empty), and each bad value refused with the
// variable's name and what was expected.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { readConfig } from '../src/config.ts';
import { DEFAULT_MAX_EVIDENCE_BYTES } from '../src/domain/evidence-file.ts';

describe('readConfig', () => {
  test('nothing set: the embedded defaults', () => {
    expect(readConfig({})).toEqual({
      ok: true,
      value: {
        dataDir: path.resolve('data'),
        maxEvidenceBytes: DEFAULT_MAX_EVIDENCE_BYTES,
        port: 3000,
        host: 'localhost',
        publicUrl: 'http://localhost:3000',
        mailFrom: 'openDSPT <no-reply@localhost>',
      },
    });
  });

  test('an empty variable counts as unset', () => {
    const config = readConfig({ PORT: '', DATABASE_URL: '', DSPT_NOW: '', HOST: '' });
    expect(config.ok && config.value).toMatchObject({ port: 3000, host: 'localhost' });
    expect(config.ok && 'databaseUrl' in config.value).toBe(false);
  });

  test('every variable read', () => {
    const config = readConfig({
      DSPT_DATA_DIR: '/srv/dspt',
      DATABASE_URL: 'postgres://dspt@db/dspt',
      EVIDENCE_KEY: 'ab'.repeat(32),
      DSPT_CATALOGUE_DIR: 'catalogue',
      DSPT_YEAR: '2025-26',
      DSPT_MAX_EVIDENCE_BYTES: '1048576',
      DSPT_NOW: '2026-06-01T09:00:00+01:00',
      PORT: '8080',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://dspt.example.nhs.uk/',
      SMTP_URL: 'smtps://user:pass@mail.example:465',
      MAIL_FROM: 'DSPT <dspt@example.nhs.uk>',
    });
    expect(config).toEqual({
      ok: true,
      value: {
        dataDir: '/srv/dspt',
        databaseUrl: 'postgres://dspt@db/dspt',
        evidenceKey: 'ab'.repeat(32),
        catalogueDir: path.resolve('catalogue'),
        year: '2025-26',
        maxEvidenceBytes: 1048576,
        now: new Date('2026-06-01T08:00:00Z'),
        port: 8080,
        host: '0.0.0.0',
        publicUrl: 'https://dspt.example.nhs.uk',
        smtpUrl: 'smtps://user:pass@mail.example:465',
        mailFrom: 'DSPT <dspt@example.nhs.uk>',
      },
    });
  });

  test('links default to the host and port, and a server on every interface is reached at localhost', () => {
    const on = (env: Record<string, string>) => {
      const config = readConfig(env);
      return config.ok ? config.value.publicUrl : config.error.message;
    };
    expect(on({ HOST: 'dspt.internal', PORT: '8443' })).toBe('http://dspt.internal:8443');
    expect(on({ HOST: '::', PORT: '0' })).toBe('http://localhost:0');
  });

  test('a frozen clock takes an ISO timestamp with its offset, with or without seconds and fractions', () => {
    for (const now of ['2026-06-01T09:00Z', '2026-06-01T09:00:00.250Z', '2026-06-01T09:00:00-0500']) {
      const config = readConfig({ DSPT_NOW: now });
      expect(config.ok && config.value.now?.getTime()).toBe(Date.parse(now));
    }
  });

  test.each([
    ['DSPT_YEAR', '2025', 'expected a year such as 2025-26'],
    ['DSPT_MAX_EVIDENCE_BYTES', '25MB', 'expected a whole number of bytes'],
    ['DSPT_MAX_EVIDENCE_BYTES', '0', 'expected a whole number of bytes'],
    ['DSPT_MAX_EVIDENCE_BYTES', '1.5', 'expected a whole number of bytes'],
    ['DSPT_NOW', '2026-06-01', 'expected an ISO timestamp such as 2026-06-01T09:00:00Z'],
    ['DSPT_NOW', '2026-06-01T09:00:00', 'expected an ISO timestamp such as 2026-06-01T09:00:00Z'],
    ['DSPT_NOW', '2026-13-01T09:00:00Z', 'expected an ISO timestamp such as 2026-06-01T09:00:00Z'],
    ['DSPT_NOW', '2026-06-01T09:00:5Z', 'expected an ISO timestamp such as 2026-06-01T09:00:00Z'],
    ['PORT', 'http', 'expected a port number'],
    ['PORT', '65536', 'expected a port number'],
    ['PORT', '-1', 'expected a port number'],
    ['PUBLIC_URL', 'dspt.example.nhs.uk', 'expected a URL such as https://dspt.example.nhs.uk'],
    ['SMTP_URL', 'mail.example:25', 'expected an smtp:// or smtps:// URL'],
    [
      'DATABASE_URL',
      'mysql://db/dspt',
      'expected a postgres:// URL (or leave it unset for the embedded SQLite file)',
    ],
  ])('%s=%s is refused, naming the variable', (name, value, message) => {
    expect(readConfig({ [name]: value })).toEqual({
      ok: false,
      error: { kind: 'bad-input', message, where: name },
    });
  });
});
