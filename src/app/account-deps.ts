// What the account use cases need beside the common dependencies, and the token helpers they share.
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../domain/canonical-json.ts';
import type { Mailer, PasswordHasher, SecretBox } from './account-ports.ts';
import type { Deps } from './ports.ts';

export interface AccountDeps extends Deps {
  passwords: PasswordHasher;
  secrets: SecretBox;
  isCommonPassword: (password: string) => boolean;
  mailer: Mailer;
}

/** A token for a link or a cookie: 256 random bits. Only its hash is stored. */
export function newToken(): { token: string; id: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, id: sha256Hex(token) };
}

export const tokenId = (token: string): string => sha256Hex(token);
