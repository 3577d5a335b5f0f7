// Evidence files at rest: AES-256-GCM encrypted, content-addressed by the SHA-256 of the plain bytes, written
// atomically. Also the evidence key itself: from configuration, or generated once and kept beside the data.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { EvidenceBlobStore } from '../app/ports.ts';
import { failure, success, type Result } from '../domain/result.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const STORAGE_KEY = /^[0-9a-f]{64}$/;

export const EVIDENCE_KEY_FILE = 'evidence.key';

/** Storage is broken or has been tampered with: not something a user can fix by changing their input. */
export class EvidenceBlobError extends Error {
  constructor(
    readonly storageKey: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`evidence blob ${storageKey}: ${message}`, options);
    this.name = 'EvidenceBlobError';
  }
}

export function createFileBlobStore({ dir, key }: { dir: string; key: Uint8Array }): EvidenceBlobStore {
  if (key.length !== KEY_BYTES)
    throw new Error(`the evidence key must be ${KEY_BYTES} bytes, not ${key.length}`);

  const fileOf = (sha256: string) => path.join(dir, sha256.slice(0, 2), `${sha256}.enc`);

  async function read(storageKey: string): Promise<Uint8Array> {
    if (!STORAGE_KEY.test(storageKey))
      throw new EvidenceBlobError(storageKey, 'is not a storage key (64 lowercase hex characters)');
    let sealed: Buffer;
    try {
      sealed = await readFile(fileOf(storageKey));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new EvidenceBlobError(storageKey, 'is missing', { cause: error });
      throw error;
    }
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new EvidenceBlobError(storageKey, 'is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(storageKey));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    let plain: Buffer;
    try {
      const body = decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES));
      const rest = decipher.final();
      // GCM gives everything from update: joining an empty rest would copy a large report for nothing.
      plain = rest.length === 0 ? body : Buffer.concat([body, rest]);
    } catch (error) {
      throw new EvidenceBlobError(
        storageKey,
        'failed its integrity check: the file was altered, or it was encrypted with a different evidence key',
        { cause: error },
      );
    }
    // GCM already proves the file is what we wrote; this proves what we wrote is what the name promises.
    if (sha256Of(plain) !== storageKey)
      throw new EvidenceBlobError(storageKey, 'decrypts to bytes whose SHA-256 is not its name');
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.length);
  }

  return {
    async put(bytes) {
      const sha256 = sha256Of(bytes);
      const result = { storageKey: sha256, sha256, size: bytes.length };
      // Same bytes, same name: nothing to do, unless the copy on disk is missing, damaged or under an older key,
      // in which case writing it again repairs it.
      try {
        await read(sha256);
        return result;
      } catch (error) {
        if (!(error instanceof EvidenceBlobError)) throw error;
      }
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // Binding the name into the tag means a file copied under another name fails to decrypt.
      cipher.setAAD(Buffer.from(sha256));
      const body = cipher.update(bytes);
      const rest = cipher.final();
      // Written in its parts rather than joined first: a large report would be copied twice more for nothing.
      await writeAtomically(fileOf(sha256), [iv, cipher.getAuthTag(), body, rest], 0o600);
      return result;
    },
    get: read,
  };
}

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes beside the target, flushes, then renames: a crash leaves either the old state or the whole new file. */
async function writeAtomically(file: string, data: readonly Uint8Array[], mode: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = await writeTemp(file, data, mode);
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Writes the parts one after another into a new file beside the target, and flushes it. */
async function writeTemp(file: string, data: readonly Uint8Array[], mode: number): Promise<string> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', mode);
  try {
    // Each writeFile on an open handle carries on from where the last one stopped.
    for (const part of data) await handle.writeFile(part);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temp;
}

const KEY_EXPECTED = `64 hexadecimal characters or the base64 of ${KEY_BYTES} bytes (for example the output of \`openssl rand -hex 32\`)`;

/** Reads a key written as hex or base64; undefined when it is neither, or not 32 bytes. */
export function parseEvidenceKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed, 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  return undefined;
}

export interface EvidenceKeyOptions {
  dataDir: string;
  /** The EVIDENCE_KEY setting, if there is one; empty counts as absent. */
  envKey?: string | undefined;
  /** Told when a key is generated, or when the key file is readable by others. */
  warn: (message: string) => void;
}

/**
 * The key that encrypts evidence: EVIDENCE_KEY when set, else `<dataDir>/evidence.key`, created on first use.
 * A bad key is a problem value naming where it came from; losing the key loses every evidence file.
 */
export async function loadOrCreateEvidenceKey({
  dataDir,
  envKey,
  warn,
}: EvidenceKeyOptions): Promise<Result<Buffer>> {
  if (envKey !== undefined && envKey.trim() !== '') {
    const key = parseEvidenceKey(envKey);
    return key === undefined
      ? failure('bad-input', `EVIDENCE_KEY must be ${KEY_EXPECTED}; the value given is not`, 'EVIDENCE_KEY')
      : success(key);
  }

  const file = path.join(dataDir, EVIDENCE_KEY_FILE);
  const existing = await readKeyFile(file, warn);
  if (existing !== undefined) return existing;

  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  const temp = await writeTemp(file, [Buffer.from(`${key.toString('hex')}\n`)], 0o600);
  try {
    // A hard link fails if the name exists, so when two processes start together exactly one key wins and both
    // use it; rename would silently replace the first key and orphan whatever it had encrypted.
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (
      (await readKeyFile(file, warn)) ??
      failure('bad-input', `${file} vanished while it was being read`, file)
    );
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  warn(
    `No EVIDENCE_KEY was set, so a new evidence encryption key was generated in ${file}. ` +
      'Back it up somewhere safe and separate from the data: without it the stored evidence files cannot be read.',
  );
  return success(key);
}

async function readKeyFile(
  file: string,
  warn: (message: string) => void,
): Promise<Result<Buffer> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const key = parseEvidenceKey(text);
  if (key === undefined) return failure('bad-input', `${file} must hold ${KEY_EXPECTED}; it does not`, file);
  if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0)
    warn(`${file} can be read by other users of this machine; restrict it with \`chmod 600 ${file}\`.`);
  return success(key);
}
