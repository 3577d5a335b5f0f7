// PyPI order: PEP 440, parsed by @renovatebot/pep440 (4.x runs on Node 20) and compared here on the parsed
// parts, as `packaging` does, so that each version is parsed once however often it is compared. Versions
// PEP 440 cannot read (old "legacy" versions still on PyPI) sort before every valid one, ordered as setuptools did.
import { parse } from '@renovatebot/pep440';

type Pep440 = NonNullable<ReturnType<typeof parse>>;
type Slot = [number, number, number];

/** A version as PEP 440 reads it (with its pre-release slot worked out once), or as a legacy key. */
export type PypiVersion = { legacy: false; v: Pep440; pre: Slot } | { legacy: true; key: string[] };

const LEGACY_PART = /(\d+|[a-z]+|\.|-)/;
const LEGACY_REPLACE: Record<string, string> = { pre: 'c', preview: 'c', '-': 'final-', rc: 'c', dev: '@' };

function legacyKey(version: string): string[] {
  const parts: string[] = [];
  const raw = version
    .toLowerCase()
    .split(LEGACY_PART)
    .map((p) => (Object.hasOwn(LEGACY_REPLACE, p) ? LEGACY_REPLACE[p]! : p))
    .filter((p) => p !== '' && p !== '.')
    .map((p) => (/^\d/.test(p) ? p.padStart(8, '0') : `*${p}`));
  raw.push('*final');
  for (const part of raw) {
    if (part.startsWith('*')) {
      if (part < '*final') while (parts.at(-1) === '*final-') parts.pop();
      while (parts.at(-1) === '00000000') parts.pop();
    }
    parts.push(part);
  }
  return parts;
}

export function parsePypiVersion(text: string): PypiVersion {
  const version = text.trim();
  const v = parse(version);
  return v ? { legacy: false, v, pre: preKey(v) } : { legacy: true, key: legacyKey(version) };
}

const num = (a: number, b: number) => (a < b ? -1 : a > b ? 1 : 0);
const PRE_ORDER: Record<string, number> = { a: 0, b: 1, rc: 2 };

function compareRelease(a: number[], b: number[]): number {
  // Trailing zeros do not count: 1.0 == 1.0.0.
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = num(a[i] ?? 0, b[i] ?? 0);
    if (c !== 0) return c;
  }
  return 0;
}

/** packaging's order of the pre-release slot: a dev release of the final sorts before its pre-releases. */
function preKey(v: Pep440): [number, number, number] {
  if (!v.pre && !v.post && v.dev) return [-1, 0, 0];
  if (!v.pre) return [1, 0, 0];
  return [0, PRE_ORDER[String(v.pre[0])] ?? 0, Number(v.pre[1])];
}

function compareLocal(a: Pep440['local'], b: Pep440['local']): number {
  if (!a || !b) return !a && !b ? 0 : !a ? -1 : 1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    // Numbers sort above words; words compare as text.
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return num(x, y);
    } else if (typeof x === 'number') return 1;
    else if (typeof y === 'number') return -1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function comparePep440(a: Pep440, pa: Slot, b: Pep440, pb: Slot): number {
  return (
    num(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    num(pa[0], pb[0]) ||
    num(pa[1], pb[1]) ||
    num(pa[2], pb[2]) ||
    num(a.post ? Number(a.post[1]) : -1, b.post ? Number(b.post[1]) : -1) ||
    num(a.dev ? Number(a.dev[1]) : Infinity, b.dev ? Number(b.dev[1]) : Infinity) ||
    compareLocal(a.local, b.local)
  );
}

export function comparePypiParsed(a: PypiVersion, b: PypiVersion): number {
  if (!a.legacy && !b.legacy) return comparePep440(a.v, a.pre, b.v, b.pre);
  if (a.legacy !== b.legacy) return a.legacy ? -1 : 1;
  const x = (a as { key: string[] }).key;
  const y = (b as { key: string[] }).key;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const l = x[i];
    const r = y[i];
    if (l === r) continue;
    if (l === undefined) return -1;
    if (r === undefined) return 1;
    return l < r ? -1 : 1;
  }
  return 0;
}
