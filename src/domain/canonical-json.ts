// JSON with object keys sorted at every level, so that equal content always hashes equally.
import { createHash } from 'node:crypto';

/**
 * JSON text already in canonical form (a large report written part by part): canonicalJson keeps it as it is.
 * It is held as its parts, one after another, and joined only when the whole text is asked for: a large
 * report's bytes are written from the parts (canonicalJsonParts) without a copy of the whole text first.
 */
export class CanonicalJsonText {
  readonly parts: readonly string[];

  constructor(text: string | readonly string[]) {
    this.parts = typeof text === 'string' ? [text] : text;
  }

  get text(): string {
    return this.parts.join('');
  }
}

export function canonicalJson(value: unknown): string {
  if (value instanceof CanonicalJsonText) return value.text;
  return JSON.stringify(sortKeys(value));
}

/** canonicalJson's text as parts to be written one after another: a CanonicalJsonText's own parts. */
export function canonicalJsonParts(value: unknown): readonly string[] {
  return value instanceof CanonicalJsonText ? value.parts : [canonicalJson(value)];
}

/**
 * The value with every object's keys in sorted order. Copy on write: a part already in that order (a report's
 * hundred thousand rows of plain values, say) is given back as it is rather than rebuilt, since JSON.stringify
 * writes it the same either way. Each part is sorted once, however deep.
 */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return sortArray(value);
  if (value !== null && typeof value === 'object') return sortObject(value as Record<string, unknown>);
  return value;
}

function sortArray(value: unknown[]): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (v === null || typeof v !== 'object') continue;
    const sorted = sortKeys(v);
    if (sorted === v) continue;
    // slice keeps holes as holes, as map did.
    out ??= value.slice();
    out[i] = sorted;
  }
  return out ?? value;
}

function sortObject(value: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(value);
  if (!keptInOrder(value, keys)) {
    const out: Record<string, unknown> = {};
    for (const key of keys.sort()) {
      const v = value[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v = value[key];
    const sorted = v === null || typeof v !== 'object' ? v : sortKeys(v);
    if (sorted !== v && !out) {
      out = {};
      for (let j = 0; j < i; j++) if (value[keys[j]!] !== undefined) out[keys[j]!] = value[keys[j]!];
    }
    if (out && sorted !== undefined) out[key] = sorted;
  }
  return out ?? value;
}

/**
 * Whether JSON.stringify writes the object's own keys in the sorted order: a plain object (no toJSON, inherited
 * or its own, which a sorted copy would lack or call on itself; no own __proto__, which the copy's assignment
 * would drop) whose keys Object.keys lists in sorted order.
 */
function keptInOrder(value: object, keys: string[]): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === 'toJSON' || key === '__proto__' || (i > 0 && keys[i - 1]! > key)) return false;
  }
  return true;
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}
