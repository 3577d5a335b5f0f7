// The cell-level rules every reader shares: dates as the exports write them, yes/no words, and the patterns
// that mark guest and service accounts.
import { isIsoDate } from '../../domain/dates.ts';
import type { AccountKind } from './model.ts';
import { InputError } from './input-file.ts';

const ISO_PREFIX = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/;
const UK_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:$|\s)/;
const SLASHED_ISO = /^(\d{4})\/(\d{2})\/(\d{2})(?:$|\s)/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digit(text: string, at: number): number {
  const d = text.charCodeAt(at) - 0x30;
  return d >= 0 && d <= 9 ? d : -100_000;
}

/**
 * The date at `text[s..e)` as the number YYYYMMDD when it is an ISO date (`2026-03-31`, or one followed by
 * a T or a space and a time) of a real day; -1 for anything else. Reads the characters where they stand, so
 * a million rows need no regular expression and no new strings.
 */
export function isoDateKey(text: string, s: number, e: number): number {
  if (e - s < 10 || text.charCodeAt(s + 4) !== 0x2d || text.charCodeAt(s + 7) !== 0x2d) return -1;
  if (e - s > 10) {
    const c = text.charCodeAt(s + 10);
    if (c !== 0x54 && c !== 0x20) return -1;
  }
  const y = digit(text, s) * 1000 + digit(text, s + 1) * 100 + digit(text, s + 2) * 10 + digit(text, s + 3);
  const m = digit(text, s + 5) * 10 + digit(text, s + 6);
  const d = digit(text, s + 8) * 10 + digit(text, s + 9);
  if (y < 0 || m < 1 || m > 12 || d < 1) return -1;
  const leap = m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > DAYS_IN_MONTH[m - 1]! + (leap ? 1 : 0)) return -1;
  return y * 10000 + m * 100 + d;
}

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
  // The usual case, a bare ISO date, is itself the answer.
  if (text.length === 10 && isoDateKey(text, 0, 10) !== -1) return text;
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

/** The years a day can be looked up by position in; days outside them go to a Map. */
const FIRST_YEAR = 1900;
const LAST_YEAR = 2199;

/**
 * One shared string per day: HR and training exports repeat a few thousand dates across millions of rows.
 * Keyed by the number YYYYMMDD, so a date read in place from a row needs no string to look it up.
 */
export class DayPool {
  private readonly common = new Array<string | undefined>((LAST_YEAR - FIRST_YEAR + 1) * 416);
  private readonly rare = new Map<number, string>();

  day(key: number): string {
    const y = Math.floor(key / 10000);
    const m = Math.floor(key / 100) - y * 100;
    const d = key - Math.floor(key / 100) * 100;
    // 32 slots a month, 13 months a year (month 0 unused): a few hundred kilobytes for three centuries.
    const slot = y >= FIRST_YEAR && y <= LAST_YEAR ? (y - FIRST_YEAR) * 416 + m * 32 + d : -1;
    let iso = slot === -1 ? this.rare.get(key) : this.common[slot];
    if (iso === undefined) {
      iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
      if (slot === -1) this.rare.set(key, iso);
      else this.common[slot] = iso;
    }
    return iso;
  }

  /** `parseDate`, with the answer shared. */
  parse(text: string | null | undefined, file: string, line: number, column: string): string | null {
    const iso = parseDate(text, file, line, column);
    return iso === null ? null : this.day(isoDateKey(iso, 0, 10));
  }
}

/** True for `YYYY-MM-DDTHH:MM:SSZ` of a real day and time: the form Graph writes, and the one we keep. */
function isCanonicalTime(t: string): boolean {
  if (t.length !== 20 || t.charCodeAt(10) !== 0x54 || t.charCodeAt(19) !== 0x5a) return false;
  if (t.charCodeAt(13) !== 0x3a || t.charCodeAt(16) !== 0x3a) return false;
  const h = digit(t, 11) * 10 + digit(t, 12);
  const min = digit(t, 14) * 10 + digit(t, 15);
  const sec = digit(t, 17) * 10 + digit(t, 18);
  return h >= 0 && min >= 0 && sec >= 0 && isoDateKey(t, 0, 20) !== -1;
}

/** A sign-in time as an ISO string (kept to the second), or null for never. */
export function parseTime(text: unknown, file: string, line: number, column: string): string | null {
  if (text === null || text === undefined) return null;
  if (typeof text !== 'string')
    throw new InputError(file, line, `${column} is not a time: found ${JSON.stringify(text)}`);
  // Graph's own form is already the answer (after 1970, which means never).
  if (isCanonicalTime(text)) return text < '1971-01-01' ? null : text;
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

// Naming conventions for non-human accounts, matched at the start of the login: the local part is what comes
// before the first "@", so a prefix followed by "@" is the whole local part.
const SERVICE_LOGIN = /^(svc|srv|service|sa|app|api|bot|system|noreply|no-reply|scanner|sync)([._@-]|\d|$)/i;

/** Whether `login` holds Entra's `#EXT#` guest marker, in any case, without copying it. */
function hasExternalMarker(login: string): boolean {
  for (let at = login.indexOf('#'); at !== -1 && at + 4 < login.length; at = login.indexOf('#', at + 1))
    if (
      login.charCodeAt(at + 4) === 0x23 &&
      (login.charCodeAt(at + 1) | 0x20) === 0x65 &&
      (login.charCodeAt(at + 2) | 0x20) === 0x78 &&
      (login.charCodeAt(at + 3) | 0x20) === 0x74
    )
      return true;
  return false;
}

/** Guest when the provider says so or the UPN carries Entra's `#EXT#` marker; service by naming convention. */
export function accountKind(login: string, declaredType: string | null | undefined): AccountKind {
  // Most accounts say Member: no need to copy it to compare it.
  const type =
    declaredType === null || declaredType === undefined || declaredType === 'Member'
      ? ''
      : declaredType.trim().toLowerCase();
  if (type === 'guest' || type === 'external' || hasExternalMarker(login)) return 'guest';
  if (type === 'service' || type === 'serviceaccount' || type === 'service account') return 'service';
  return SERVICE_LOGIN.test(login) ? 'service' : 'member';
}

export function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    const t = value.trim();
    return t === '' ? null : t;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}
