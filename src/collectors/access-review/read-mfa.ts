// Reads MFA registration: Entra's userRegistrationDetails (and old MSOnline exports with
// StrongAuthenticationMethods), or Okta factors, merged into one list or one file per user in a folder.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, openInput, type OpenedInput } from './input-file.ts';
import { readJsonRecords } from './json-records.ts';
import { normaliseEmail, type MfaFormat } from './model.ts';
import { parseFlag, text } from './parse-values.ts';

export interface MfaEntry {
  mfa: boolean;
  /** Entra's isAdmin: the only place that export says who holds an admin role. */
  admin: boolean | null;
}

export interface MfaRead {
  format: MfaFormat;
  /** By normalised UPN/login and by provider ID. */
  byKey: Map<string, MfaEntry>;
  inputs: OpenedInput[];
}

// Security questions and e-mail codes are a second step, but not a second factor worth the name.
const WEAK_OKTA_FACTORS = new Set(['question', 'email']);

function oktaStrong(factor: Record<string, unknown>): boolean {
  const type = (text(factor.factorType) ?? '').toLowerCase();
  return text(factor.status)?.toUpperCase() === 'ACTIVE' && type !== '' && !WEAK_OKTA_FACTORS.has(type);
}

function userIdFromLinks(factor: Record<string, unknown>): string | null {
  const links = factor._links as Record<string, { href?: unknown }> | undefined;
  const href = text(links?.user?.href) ?? text(links?.self?.href);
  return href ? (/\/users\/([^/]+)/.exec(href)?.[1] ?? null) : null;
}

/** One file, or a folder of per-user Okta factor files named `<user id>.json`. */
export async function readMfa(
  target: string,
  maxBytes?: number,
  onBytes?: (bytes: number) => void,
): Promise<MfaRead> {
  let files = [target];
  let folder = false;
  try {
    folder = (await stat(target)).isDirectory();
  } catch {
    // openInput below reports the missing file.
  }
  if (folder) {
    files = (await readdir(target))
      .filter((f) => f.toLowerCase().endsWith('.json'))
      .sort()
      .map((f) => path.join(target, f));
    if (files.length === 0) throw new InputError(target, null, 'the folder holds no .json factor files');
  }
  const byKey = new Map<string, MfaEntry>();
  const inputs: OpenedInput[] = [];
  let format: MfaFormat | undefined;
  for (const f of files) {
    const input = await openInput(f, maxBytes, onBytes);
    inputs.push(input);
    const file = input.name;
    const fileUser = folder ? path.basename(f, path.extname(f)) : null;
    const perFile: Record<string, unknown>[] = [];
    await readJsonRecords(input.chunks, file, (r, line) => {
      if ('isMfaRegistered' in r || 'methodsRegistered' in r) {
        format ??= 'entra-mfa';
        const upn = normaliseEmail(text(r.userPrincipalName));
        if (upn === null) throw new InputError(file, line, 'this record has no userPrincipalName');
        const registered = parseFlag(r.isMfaRegistered, file, line, 'isMfaRegistered');
        const methods = Array.isArray(r.methodsRegistered) ? r.methodsRegistered : [];
        const entry = {
          mfa: registered ?? methods.some((m) => m !== 'email' && m !== 'securityQuestion'),
          admin: parseFlag(r.isAdmin, file, line, 'isAdmin'),
        };
        byKey.set(upn, entry);
        const id = text(r.id);
        if (id) byKey.set(id, entry);
        return;
      }
      if ('StrongAuthenticationMethods' in r || 'strongAuthenticationMethods' in r) {
        format ??= 'entra-msol';
        const upn = normaliseEmail(text(r.UserPrincipalName ?? r.userPrincipalName));
        if (upn === null) throw new InputError(file, line, 'this record has no UserPrincipalName');
        const methods = r.StrongAuthenticationMethods ?? r.strongAuthenticationMethods;
        byKey.set(upn, { mfa: Array.isArray(methods) && methods.length > 0, admin: null });
        return;
      }
      if (Array.isArray(r.factors)) {
        // Merged: one record per user with that user's factors.
        format ??= 'okta-factors';
        const key = text(r.userId) ?? text(r.id) ?? text(r.login);
        if (key === null)
          throw new InputError(file, line, 'this record has factors but no userId, id or login');
        const entry = {
          mfa: r.factors.some((x) => oktaStrong((x ?? {}) as Record<string, unknown>)),
          admin: null,
        };
        byKey.set(normaliseEmail(key)!, entry);
        const login = normaliseEmail(text(r.login));
        if (login) byKey.set(login, entry);
        return;
      }
      if ('factorType' in r) {
        format ??= 'okta-factors';
        perFile.push(r);
        const key = text(r.userId) ?? userIdFromLinks(r) ?? fileUser;
        if (key === null)
          throw new InputError(
            file,
            line,
            'this factor does not say whose it is (no userId or _links.user): name per-user files <user id>.json in a folder',
          );
        const k = normaliseEmail(key)!;
        const had = byKey.get(k);
        byKey.set(k, { mfa: (had?.mfa ?? false) || oktaStrong(r), admin: null });
        return;
      }
      throw new InputError(
        file,
        line,
        'this is not an MFA export this collector knows: expected Entra userRegistrationDetails, an MSOnline export with StrongAuthenticationMethods, or Okta factors',
      );
    });
    // A per-user file with no factors at all still says something: that user has no MFA.
    if (fileUser !== null && perFile.length === 0) {
      format ??= 'okta-factors';
      byKey.set(normaliseEmail(fileUser)!, { mfa: false, admin: null });
    }
  }
  return { format: format ?? 'okta-factors', byKey, inputs };
}
