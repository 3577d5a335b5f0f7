// Password hashing (argon2id) and the sealing of small secrets at rest (AES-256-GCM with the evidence key).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { hash, verify, Algorithm } from '@node-rs/argon2';
import type { PasswordHasher, SecretBox } from '../app/account-ports.ts';

export const argon2idHasher: PasswordHasher = {
  // OWASP's minimum for argon2id: 19 MiB, two passes, one lane.
  hash: (password) =>
    hash(password, { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
  verify: async (stored, password) => {
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  },
};

/** Seals with a key derived from the evidence key, so one secret to back up protects both. */
export function createSecretBox(evidenceKey: Uint8Array): SecretBox {
  const key = createHash('sha256').update('opendspt secret box v1').update(evidenceKey).digest();
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed) {
      if (!sealed.startsWith('v1.')) throw new Error('not a sealed secret');
      const raw = Buffer.from(sealed.slice(3), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
