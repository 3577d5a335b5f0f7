// The cell-level rules every reader shares: dates as the exports write them, yes/no words, and the patterns
// that mark guest and service accounts.
import { isIsoDate } from '../../domain/dates.ts';
import type { AccountKind } from './model.ts';
import { InputError } from './input-file.ts';

const ISO_PREFIX = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/;
const UK_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:$|\s)/;
const SLASHED_ISO = /^(\d{4})\/(\d{2})\/(\d{2})(?:$|\s)/;

/**
 * A calendar date from the forms HR and identity exports use: ISO (`2026-03-31`, with or without a time),
 * UK day-first (`31/03/2026`), and Google's `2026/03/31 10:22:13`. Empty gives null; anything else throws.
 */
export function parseDate(
  text: string | null | undefined,
  file: string,
  line: number,
  column: string,
): string | null {
  if (text === null || text === undefined) return null;
  const t = text.trim();
  if (t === '') return null;
  let iso: string | undefined;
  let m = ISO_PREFIX.exec(t);
  if (m) iso = `${m[1]}-${m[2]}-${m[3]}`;
  else if ((m = SLASHED_ISO.exec(t))) iso = `${m[1]}-${m[2]}-${m[3]}`;
  else if ((m = UK_DATE.exec(t))) iso = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  if (iso === undefined || !isIsoDate(iso))
    throw new InputError(file, line, `${column} "${t}" is not a date: expected YYYY-MM-DD or DD/MM/YYYY`);
  return iso;
}

/** A sign-in time as an ISO string (kept to the second), or null for never. */
export function parseTime(text: unknown, file: string, line: number, column: string): string | null {
  if (text === null || text === undefined) return null;
  if (typeof text !== 'string')
    throw new InputError(file, line, `${column} is not a time: found ${JSON.stringify(text)}`);
  const t = text.trim();
  if (t === '' || /^never/i.test(t)) return null;
  const date = parseDate(t, file, line, column)!;
  // Google and Okta write the epoch for "never"; nobody signed in to a directory in 1970.
  if (date < '1971-01-01') return null;
  // The time of day follows the date after a T or a space, as HH:MM or HH:MM:SS.
  const rest = t.slice(t.search(/[T ]/) + 1);
  const time = /^\d{2}:\d{2}:\d{2}/.test(rest)
    ? rest.slice(0, 8)
    : /^\d{2}:\d{2}/.test(rest)
      ? `${rest.slice(0, 5)}:00`
      : null;
  return `${date}T${time ?? '00:00:00'}Z`;
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'enabled', 'active', 'enrolled', 'registered']);
const FALSE_WORDS = new Set([
  'false',
  'no',
  'n',
  '0',
  'disabled',
  'inactive',
  'suspended',
  'not enrolled',
  'notenrolled',
  'not registered',
  'blocked',
]);

export function parseFlag(text: unknown, file: string, line: number, column: string): boolean | null {
  if (typeof text === 'boolean') return text;
  if (text === null || text === undefined) return null;
  const t = String(text).trim().toLowerCase();
  if (t === '') return null;
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  throw new InputError(
    file,
    line,
    `${column} "${String(text)}" is not yes or no (expected true/false, yes/no)`,
  );
}

// Naming conventions for non-human accounts; the generic mapping can name a type column instead.
const SERVICE_LOGIN = /^(svc|srv|service|sa|app|api|bot|system|noreply|no-reply|scanner|sync)([._-]|\d|$)/i;

/** Guest when the provider says so or the UPN carries Entra's `#EXT#` marker; service by naming convention. */
export function accountKind(login: string, declaredType: string | null | undefined): AccountKind {
  const type = (declaredType ?? '').trim().toLowerCase();
  if (type === 'guest' || type === 'external' || login.toUpperCase().includes('#EXT#')) return 'guest';
  if (type === 'service' || type === 'serviceaccount' || type === 'service account') return 'service';
  const local = login.split('@')[0] ?? login;
  return SERVICE_LOGIN.test(local) ? 'service' : 'member';
}

export function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/**
 * Returns one shared copy of each distinct value. HR and identity exports repeat a few hundred job roles,
 * departments, managers and dates across a million rows; sharing them saves hundreds of megabytes.
 */
export function interner(): (value: string | null) => string | null {
  const pool = new Map<string, string>();
  return (value) => {
    if (value === null) return null;
    const had = pool.get(value);
    if (had !== undefined) return had;
    pool.set(value, value);
    return value;
  };
}
