// The rules for accounts: what a password must be, when an account locks, when a session ends.
import { failure, success, type Result } from './result.ts';

export const PASSWORD_MIN_LENGTH = 12;
/** Failed sign-ins in a row before the account locks for a while. */
export const LOCKOUT_AFTER_FAILURES = 5;
export const LOCKOUT_MINUTES = 15;
/** A session ends after this long without a request, and after this long in all. */
export const SESSION_IDLE_MINUTES = 30;
export const SESSION_MAX_HOURS = 12;
export const RECOVERY_CODE_COUNT = 10;

/**
 * Checks a new password: long enough, not a common password, not the person's own e-mail or name.
 * `isCommon` answers from a list of passwords that attackers try first.
 */
export function checkNewPassword(
  password: string,
  about: { email: string; name: string },
  isCommon: (password: string) => boolean,
): Result<string> {
  if (password.length < PASSWORD_MIN_LENGTH)
    return failure('bad-input', `Enter a password of at least ${PASSWORD_MIN_LENGTH} characters`, 'password');
  if (password.length > 256)
    return failure('bad-input', 'Enter a password of 256 characters or fewer', 'password');
  const lower = password.toLowerCase();
  if (isCommon(lower))
    return failure(
      'bad-input',
      'This password is on a list of common passwords: choose one that is harder to guess',
      'password',
    );
  const local = about.email.toLowerCase().split('@')[0] ?? '';
  if ((local.length >= 4 && lower.includes(local)) || lower === about.name.toLowerCase())
    return failure('bad-input', 'Your password must not contain your e-mail address or name', 'password');
  return success(password);
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isEmail(email: string): boolean {
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) && email.length <= 254;
}
