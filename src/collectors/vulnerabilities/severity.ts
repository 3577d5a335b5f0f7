// How serious an advisory is: the CVSS base score worked out from its vector (OSV gives vectors, not
// scores), GitHub's severity label, or Debian's urgency when nothing else is given.
import cvss from 'ae-cvss-calculator';

export type SeverityLabel = 'LOW' | 'MODERATE' | 'HIGH' | 'CRITICAL';

export interface Severity {
  /** The highest CVSS base score among the v4 and v3 vectors (v2 only when there is nothing newer). */
  score: number | null;
  vector: string | null;
  label: SeverityLabel | null;
  /** In words, where the severity came from. */
  basis: string;
  /** CVSS 7.0 or above, or a HIGH or CRITICAL label: the 14-day rule applies. */
  highRisk: boolean;
}

const LABELS: readonly string[] = ['LOW', 'MODERATE', 'HIGH', 'CRITICAL'];
const URGENCY: Record<string, SeverityLabel> = {
  unimportant: 'LOW',
  low: 'LOW',
  medium: 'MODERATE',
  high: 'HIGH',
};

// A dump repeats the same few thousand vectors across hundreds of thousands of records: score each once.
const scores = new Map<string, number | null>();

/** The base score of a CVSS vector, or null when the vector is incomplete or unreadable. */
export function cvssBaseScore(type: string, vector: string): number | null {
  const key = `${type} ${vector}`;
  let score = scores.get(key);
  if (score === undefined) {
    score = computeBaseScore(type, vector);
    if (scores.size >= 100_000) scores.clear();
    scores.set(key, score);
  }
  return score;
}

function computeBaseScore(type: string, vector: string): number | null {
  try {
    const calculator =
      type === 'CVSS_V4' || vector.startsWith('CVSS:4.0/')
        ? new cvss.Cvss4P0(vector)
        : type === 'CVSS_V2'
          ? new cvss.Cvss2(vector)
          : vector.startsWith('CVSS:3.0/')
            ? new cvss.Cvss3P0(vector)
            : new cvss.Cvss3P1(vector);
    const base = calculator.calculateScores().base;
    return typeof base === 'number' && Number.isFinite(base) && base > 0 ? base : null;
  } catch {
    return null;
  }
}

export interface SeverityInputs {
  vectors: { type: string; score: string }[];
  ghsaLabel?: unknown;
  urgency?: unknown;
}

export function severityOf(input: SeverityInputs): Severity {
  let best: { score: number; vector: string; type: string } | undefined;
  for (const preferOld of [false, true]) {
    for (const v of input.vectors) {
      if ((v.type === 'CVSS_V2') !== preferOld) continue;
      if (!/^CVSS_V[234]$/.test(v.type)) continue;
      const score = cvssBaseScore(v.type, v.score);
      if (score !== null && (best === undefined || score > best.score))
        best = { score, vector: v.score, type: v.type };
    }
    if (best) break;
  }
  const ghsa =
    typeof input.ghsaLabel === 'string' && LABELS.includes(input.ghsaLabel.toUpperCase())
      ? (input.ghsaLabel.toUpperCase() as SeverityLabel)
      : null;
  const urgency =
    typeof input.urgency === 'string' ? (URGENCY[input.urgency.toLowerCase().split(/\s/)[0]!] ?? null) : null;
  const fromScore = best ? labelOfScore(best.score) : null;
  const label = ghsa ?? fromScore ?? urgency;
  const basis = best
    ? `CVSS ${best.type.slice(-1)} base score ${best.score.toFixed(1)}${ghsa ? `, GitHub severity ${ghsa}` : ''}`
    : ghsa
      ? `GitHub severity ${ghsa}`
      : urgency
        ? `Debian urgency ${String(input.urgency)}`
        : 'no severity given';
  return {
    score: best?.score ?? null,
    vector: best?.vector ?? null,
    label,
    basis,
    highRisk: (best !== undefined && best.score >= 7) || label === 'HIGH' || label === 'CRITICAL',
  };
}

function labelOfScore(score: number): SeverityLabel {
  return score >= 9 ? 'CRITICAL' : score >= 7 ? 'HIGH' : score >= 4 ? 'MODERATE' : 'LOW';
}

/** Orders severities for "the worst of": high-risk first, then score, then label. */
export function compareSeverity(a: Severity, b: Severity): number {
  return (
    Number(a.highRisk) - Number(b.highRisk) ||
    (a.score ?? -1) - (b.score ?? -1) ||
    LABELS.indexOf(a.label ?? '') - LABELS.indexOf(b.label ?? '')
  );
}
