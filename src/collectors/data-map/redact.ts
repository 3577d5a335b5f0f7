// Removes anything that may be a secret from infrastructure attributes before they are kept anywhere:
// Terraform state and manifests hold passwords, keys and connection strings in plain text.

export const REDACTED = '[redacted]';

// Attribute names that name a secret, or may carry one (user data scripts, connection strings, certificates).
const SECRET_NAME =
  /(pass(word|wd|phrase)?|secret|token|private|credential|connection[_-]?string|conn[_-]?str|certificate|cert[_-]?pem|(^|[_.-])cert$|sas|signature|(^|[_.-])key$|key[_-]?(material|value|data)|access[_-]?key|api[_-]?key|primary[_-]?key|secondary[_-]?key|master[_-]?key|auth|session|cookie|(^|[_.-])pin$|seed|salt|hmac|kube[_-]?config|user[_-]?data|custom[_-]?data|dsn)/i;

// Values that look like a secret whatever their name.
const SECRET_VALUE = [
  /-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/,
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/,
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/,
  /\bxox[abpr]-[A-Za-z0-9-]{10,}/,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./,
  /AccountKey=|SharedAccessSignature=|sig=[A-Za-z0-9%]{20,}/i,
];

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A URL or DSN with its user and password taken out; other text unchanged. */
export function stripCredentials(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, `$1${REDACTED}@`);
}

function redactString(value: string): string {
  if (SECRET_VALUE.some((pattern) => pattern.test(value))) return REDACTED;
  return stripCredentials(value);
}

/**
 * A deep copy of `value` with every secret-like attribute replaced by `[redacted]`. `sensitive` marks paths a
 * tool itself flagged (the `sensitive_values` of `terraform show -json`), in the same shape as the value.
 */
export function redact(value: unknown, sensitive?: unknown, name = ''): unknown {
  if (sensitive === true) return REDACTED;
  if (name !== '' && isSecretName(name) && value !== null && value !== '' && !isEmptyCollection(value))
    return REDACTED;
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map((v, i) => redact(v, part(sensitive, String(i)), name));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      out[key] = redact(v, part(sensitive, key), key);
    }
    return out;
  }
  return value;
}

function part(sensitive: unknown, key: string): unknown {
  return sensitive !== null && typeof sensitive === 'object'
    ? (sensitive as Record<string, unknown>)[key]
    : undefined;
}

function isEmptyCollection(value: unknown): boolean {
  return (
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && value !== null && Object.keys(value).length === 0)
  );
}

/** Every string still present in a redacted tree, for tests and a last check before storing. */
export function leaksSecret(value: unknown, name = ''): string | undefined {
  if (typeof value === 'string') {
    if (value === REDACTED) return undefined;
    if (name !== '' && isSecretName(name) && value !== '') return name;
    if (SECRET_VALUE.some((p) => p.test(value)) || stripCredentials(value) !== value) return name || value;
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = leaksSecret(v, name);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const found = leaksSecret(v, key);
      if (found) return found;
    }
  }
  return undefined;
}
