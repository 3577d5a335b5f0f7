// Evidence files at rest: encrypted, content-addressed, idempotent, and refused when altered or under the wrong key.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { sha256Hex } from '../../src/domain/canonical-json.ts';
import {
  createFileBlobStore,
  EVIDENCE_KEY_FILE,
  EvidenceBlobError,
  loadOrCreateEvidenceKey,
} from '../../src/infra/evidence-blob-store.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dspt-blobs-'));
  dirs.push(dir);
  return dir;
}

async function setup() {
  const dir = await tempDir();
  const key = randomBytes(32);
  return { dir, key, blobs: createFileBlobStore({ dir, key }) };
}

const policy = new TextEncoder().encode(
  'Data security and protection policy, version 3, approved by the board.',
);

describe('file blob store', () => {
  test('round-trips bytes, named by the SHA-256 of the plain bytes, never storing them in the clear', async () => {
    const { dir, blobs } = await setup();

    const stored = await blobs.put(policy);
    const file = path.join(dir, stored.sha256.slice(0, 2), `${stored.sha256}.enc`);
    const onDisk = await readFile(file);

    expect(stored).toEqual({ storageKey: sha256Hex(policy), sha256: sha256Hex(policy), size: policy.length });
    expect(Buffer.from(await blobs.get(stored.storageKey))).toEqual(Buffer.from(policy));
    expect(onDisk.length).toBe(12 + 16 + policy.length);
    expect(onDisk.includes(Buffer.from('protection policy'))).toBe(false);
    expect((await stat(file)).mode & 0o077).toBe(0);
  });

  test('handles empty and large files', async () => {
    const { blobs } = await setup();
    const large = randomBytes(5 * 1024 * 1024);

    const empty = await blobs.put(new Uint8Array());
    const big = await blobs.put(large);

    expect((await blobs.get(empty.storageKey)).length).toBe(0);
    expect(Buffer.from(await blobs.get(big.storageKey)).equals(large)).toBe(true);
  });

  test('storing the same bytes twice keeps one file and leaves no temporary files behind', async () => {
    const { dir, blobs } = await setup();

    const first = await blobs.put(policy);
    const before = await stat(path.join(dir, first.sha256.slice(0, 2), `${first.sha256}.enc`));
    const [second, third] = await Promise.all([blobs.put(policy), blobs.put(Uint8Array.from(policy))]);

    expect(second).toEqual(first);
    expect(third).toEqual(first);
    const folder = path.join(dir, first.sha256.slice(0, 2));
    expect(await readdir(folder)).toEqual([`${first.sha256}.enc`]);
    expect((await stat(path.join(folder, `${first.sha256}.enc`))).mtimeMs).toBe(before.mtimeMs);
  });

  test.each([
    [
      'a flipped ciphertext bit',
      (b: Buffer) => {
        b[b.length - 1]! ^= 1;
      },
    ],
    [
      'a flipped tag bit',
      (b: Buffer) => {
        b[12]! ^= 1;
      },
    ],
    [
      'a changed IV',
      (b: Buffer) => {
        b[0]! ^= 1;
      },
    ],
  ])('a file with %s is refused, naming its key', async (_, tamper) => {
    const { dir, blobs } = await setup();
    const { storageKey } = await blobs.put(policy);
    const file = path.join(dir, storageKey.slice(0, 2), `${storageKey}.enc`);
    const bytes = await readFile(file);
    tamper(bytes);
    await writeFile(file, bytes);

    const attempt = blobs.get(storageKey);

    await expect(attempt).rejects.toThrow(EvidenceBlobError);
    await expect(attempt).rejects.toThrow(`evidence blob ${storageKey}: failed its integrity check`);
  });

  test('a file copied in under another name is refused', async () => {
    const { dir, blobs } = await setup();
    const real = await blobs.put(policy);
    const other = await blobs.put(new TextEncoder().encode('another document'));
    const otherFile = path.join(dir, other.sha256.slice(0, 2), `${other.sha256}.enc`);
    await writeFile(otherFile, await readFile(path.join(dir, real.sha256.slice(0, 2), `${real.sha256}.enc`)));

    await expect(blobs.get(other.storageKey)).rejects.toThrow(other.storageKey);
  });

  test('a truncated file is refused', async () => {
    const { dir, blobs } = await setup();
    const { storageKey } = await blobs.put(policy);
    await writeFile(path.join(dir, storageKey.slice(0, 2), `${storageKey}.enc`), Buffer.alloc(10));

    await expect(blobs.get(storageKey)).rejects.toThrow(`evidence blob ${storageKey}: is truncated`);
  });

  test('a different key cannot read the files', async () => {
    const { dir, blobs } = await setup();
    const { storageKey } = await blobs.put(policy);
    const intruder = createFileBlobStore({ dir, key: randomBytes(32) });

    await expect(intruder.get(storageKey)).rejects.toThrow(
      /failed its integrity check.*different evidence key/,
    );
  });

  test('putting bytes again repairs a damaged copy', async () => {
    const { dir, blobs } = await setup();
    const { storageKey } = await blobs.put(policy);
    await writeFile(path.join(dir, storageKey.slice(0, 2), `${storageKey}.enc`), Buffer.alloc(64));

    await blobs.put(policy);

    expect(Buffer.from(await blobs.get(storageKey))).toEqual(Buffer.from(policy));
  });

  test.each([
    ['a missing blob', 'f'.repeat(64), 'is missing'],
    ['a path in the key', '../../etc/passwd', 'is not a storage key'],
    ['upper-case hex', 'A'.repeat(64), 'is not a storage key'],
  ])('%s is an error naming the key', async (_, storageKey, message) => {
    const { blobs } = await setup();

    await expect(blobs.get(storageKey)).rejects.toThrow(`evidence blob ${storageKey}: ${message}`);
  });

  test('a key of the wrong length is refused at once', async () => {
    expect(() => createFileBlobStore({ dir: '/nowhere', key: randomBytes(16) })).toThrow(
      'must be 32 bytes, not 16',
    );
  });
});

describe('loadOrCreateEvidenceKey', () => {
  const key = randomBytes(32);

  test.each([
    ['hex', key.toString('hex')],
    ['upper-case hex with spaces around', ` ${key.toString('hex').toUpperCase()}\n`],
    ['base64', key.toString('base64')],
  ])('takes EVIDENCE_KEY as %s', async (_, envKey) => {
    const dataDir = await tempDir();
    const warnings: string[] = [];

    const loaded = await loadOrCreateEvidenceKey({ dataDir, envKey, warn: (m) => warnings.push(m) });

    expect(loaded.ok && loaded.value.equals(key)).toBe(true);
    expect(warnings).toEqual([]);
    expect(await readdir(dataDir)).toEqual([]);
  });

  test.each([
    ['too short hex', 'ab'.repeat(31)],
    ['too long hex', 'ab'.repeat(33)],
    ['not hex', 'zz'.repeat(32)],
    ['base64 of 16 bytes', randomBytes(16).toString('base64')],
    ['a passphrase', 'correct horse battery staple'],
  ])('refuses EVIDENCE_KEY that is %s, saying what is expected', async (_, envKey) => {
    const loaded = await loadOrCreateEvidenceKey({ dataDir: await tempDir(), envKey, warn: () => undefined });

    expect(loaded).toEqual({
      ok: false,
      error: {
        kind: 'bad-input',
        where: 'EVIDENCE_KEY',
        message: expect.stringMatching(
          /^EVIDENCE_KEY must be 64 hexadecimal characters or the base64 of 32 bytes/,
        ),
      },
    });
  });

  test('without EVIDENCE_KEY, generates a key once, warns to back it up, and reuses it', async () => {
    const dataDir = path.join(await tempDir(), 'data');
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);

    const first = await loadOrCreateEvidenceKey({ dataDir, warn });
    const second = await loadOrCreateEvidenceKey({ dataDir, envKey: '', warn });

    if (!first.ok || !second.ok) throw new Error('expected keys');
    expect(first.value.length).toBe(32);
    expect(second.value.equals(first.value)).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/generated.*evidence\.key.*Back it up/s);
    const file = path.join(dataDir, EVIDENCE_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(first.value.toString('hex'));
    expect(await readdir(dataDir)).toEqual([EVIDENCE_KEY_FILE]);
  });

  test('processes starting together agree on one generated key', async () => {
    const dataDir = await tempDir();

    const keys = await Promise.all(
      Array.from({ length: 8 }, () => loadOrCreateEvidenceKey({ dataDir, warn: () => undefined })),
    );

    const hexes = new Set(keys.map((k) => (k.ok ? k.value.toString('hex') : 'failed')));
    expect(hexes.size).toBe(1);
    expect(hexes.has('failed')).toBe(false);
  });

  test('a damaged key file is refused, naming the file', async () => {
    const dataDir = await tempDir();
    const file = path.join(dataDir, EVIDENCE_KEY_FILE);
    await writeFile(file, 'not a key\n', { mode: 0o600 });

    const loaded = await loadOrCreateEvidenceKey({ dataDir, warn: () => undefined });

    expect(loaded.ok).toBe(false);
    if (!loaded.ok)
      expect(loaded.error).toMatchObject({
        where: file,
        message: expect.stringContaining(`${file} must hold 64 hexadecimal`),
      });
  });

  test('a key file others can read is used, with a warning', async () => {
    const dataDir = await tempDir();
    await writeFile(path.join(dataDir, EVIDENCE_KEY_FILE), `${key.toString('hex')}\n`, { mode: 0o644 });
    const warnings: string[] = [];

    const loaded = await loadOrCreateEvidenceKey({ dataDir, warn: (m) => warnings.push(m) });

    expect(loaded.ok && loaded.value.equals(key)).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/can be read by other users.*chmod 600/)]);
  });
});
