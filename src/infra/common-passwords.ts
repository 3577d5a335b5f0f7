// The list of common passwords new passwords are checked against: the most used passwords of public breach
// corpora, as packaged by zxcvbn-ts. Loaded once, on first use.
import { dictionary } from '@zxcvbn-ts/language-common';

let common: Set<string> | undefined;

export function isCommonPassword(password: string): boolean {
  common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  return common.has(password.toLowerCase());
}
