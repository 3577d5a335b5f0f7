// How the OSV index stores a record's view of one package: nested arrays rather than the object, without the
// ecosystem and name its row already holds. A large scan reads back most of the index, and the object form
// was three times the text, and most of the time spent reading it back. Rows written before this form kept
// the object, which reads back as it always did.
import type { OsvAffected, OsvEvent, OsvPackage, OsvRange } from '../../collectors/vulnerabilities/osv.ts';
import type { Severity } from '../../collectors/vulnerabilities/severity.ts';

/** The first element of a packed package, so that a later form can be told from this one. */
const FORM = 1;

type PackedCap = [inclusive: boolean, version: string] | null;
/** A range's events as kind, version, kind, version, ... in their order. */
type PackedRange = [type: OsvRange['type'], events: string[]];
type PackedAffected = [versions: string[], ranges: PackedRange[], cap: PackedCap];
type PackedSeverity = [
  score: Severity['score'],
  vector: Severity['vector'],
  label: Severity['label'],
  basis: string,
  highRisk: boolean,
];
type PackedPackage = [
  form: typeof FORM,
  affected: PackedAffected[],
  severity: PackedSeverity,
  hasFix: boolean,
];

export function packPackage(pkg: OsvPackage): string {
  const s = pkg.severity;
  const packed: PackedPackage = [
    FORM,
    pkg.affected.map((a) => [
      a.versions,
      a.ranges.map((r): PackedRange => [r.type, r.events.flatMap((e) => [e.kind, e.version])]),
      a.cap ? [a.cap.inclusive, a.cap.version] : null,
    ]),
    [s.score, s.vector, s.label, s.basis, s.highRisk],
    pkg.hasFix,
  ];
  return JSON.stringify(packed);
}

/** The package stored as `text`, packed or (from an older import) the object itself, as its JSON. */
export function unpackPackage(text: string, ecosystem: string, name: string): OsvPackage {
  if (text.startsWith('{')) return JSON.parse(text) as OsvPackage;
  const [form, affected, s, hasFix] = JSON.parse(text) as PackedPackage;
  if (form !== FORM) throw new Error(`an OSV package stored in an unknown form (${String(form)})`);
  return {
    ecosystem,
    name,
    affected: affected.map(([versions, ranges, cap]): OsvAffected => ({
      versions,
      ranges: ranges.map(([type, flat]): OsvRange => {
        const events: OsvEvent[] = [];
        for (let i = 0; i < flat.length; i += 2)
          events.push({ kind: flat[i] as OsvEvent['kind'], version: flat[i + 1]! });
        return { type, events };
      }),
      cap: cap ? { inclusive: cap[0], version: cap[1] } : null,
    })),
    severity: { score: s[0], vector: s[1], label: s[2], basis: s[3], highRisk: s[4] },
    hasFix,
  };
}
