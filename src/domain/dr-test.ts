// Disaster-recovery tests as plain data, and the checks made on them: objectives met (measured within target for
// both RTO and RPO), data integrity confirmed, the overall result, and whether a failure has been retested.
import type { IsoDate } from './assessment.ts';
import { addDays } from './dates.ts';

export const DR_TEST_TYPES = ['tabletop', 'functional', 'full'] as const;
export type DrTestType = (typeof DR_TEST_TYPES)[number];

export const DR_TEST_RESULTS = ['pass', 'pass-with-conditions', 'fail'] as const;
export type DrTestResult = (typeof DR_TEST_RESULTS)[number];

/** The CAF outcomes on resilience and response-plan testing that a DR test speaks to. */
export const DR_TEST_OUTCOMES = ['B5.c', 'D1.c'] as const;

/** A failed test should be repeated within this many days. */
export const RETEST_WITHIN_DAYS = 30;

export interface DrAction {
  action: string;
  owner: string;
  due: IsoDate;
}

export interface DrTest {
  type: DrTestType;
  scenario: string;
  systems: string[];
  testedOn: IsoDate;
  /** Recovery time and point objectives and what was measured, in seconds. */
  rtoTargetSeconds: number;
  rtoMeasuredSeconds: number | null;
  rpoTargetSeconds: number;
  rpoMeasuredSeconds: number | null;
  integrityConfirmed: boolean;
  result: DrTestResult;
  actions: DrAction[];
  approvedBy: string | null;
  notes: string | null;
}

export interface DrTestCheck {
  rtoMet: boolean | null;
  rpoMet: boolean | null;
  /** The recorded result, unless the figures contradict it: a "pass" that missed an objective is a fail. */
  effectiveResult: DrTestResult;
  passed: boolean;
  problems: string[];
}

export function checkDrTest(test: DrTest): DrTestCheck {
  const within = (measured: number | null, target: number) => (measured === null ? null : measured <= target);
  const rtoMet = within(test.rtoMeasuredSeconds, test.rtoTargetSeconds);
  const rpoMet = within(test.rpoMeasuredSeconds, test.rpoTargetSeconds);
  const problems: string[] = [];
  if (rtoMet === false)
    problems.push(
      `recovery took ${formatDuration(test.rtoMeasuredSeconds!)}, over the ${formatDuration(test.rtoTargetSeconds)} objective (RTO)`,
    );
  if (rpoMet === false)
    problems.push(
      `${formatDuration(test.rpoMeasuredSeconds!)} of data would be lost, over the ${formatDuration(test.rpoTargetSeconds)} objective (RPO)`,
    );
  if (!test.integrityConfirmed) problems.push('data integrity was not confirmed');
  // A table-top exercise measures nothing; the other types must, or the objectives were not shown to be met.
  if (test.type !== 'tabletop') {
    if (rtoMet === null) problems.push('no recovery time was measured');
    if (rpoMet === null) problems.push('no recovery point was measured');
  }
  if (test.result === 'fail') problems.push('the test was recorded as failed');
  const effectiveResult: DrTestResult = problems.length > 0 ? 'fail' : test.result;
  return { rtoMet, rpoMet, effectiveResult, passed: effectiveResult !== 'fail', problems };
}

/**
 * Where the organisation stands: the newest passing test, and any failure after it not yet retested, with the
 * date the retest was due. Tests are `{ testedOn, passed }` in any order.
 */
export function continuityStanding(tests: readonly { testedOn: IsoDate; passed: boolean }[]): {
  lastPass: IsoDate | null;
  openFailure: { testedOn: IsoDate; retestDue: IsoDate } | null;
} {
  const sorted = [...tests].sort((a, b) => (a.testedOn < b.testedOn ? -1 : a.testedOn > b.testedOn ? 1 : 0));
  let lastPass: IsoDate | null = null;
  let openFailure: { testedOn: IsoDate; retestDue: IsoDate } | null = null;
  for (const t of sorted) {
    if (t.passed) {
      lastPass = t.testedOn;
      openFailure = null;
    } else if (!openFailure)
      openFailure = { testedOn: t.testedOn, retestDue: addDays(t.testedOn, RETEST_WITHIN_DAYS) };
  }
  return { lastPass, openFailure };
}

/** `90s`, `15m`, `4h`, `2d`, or plain seconds -> seconds; undefined when it is none of these. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+|\d*\.\d+)([a-z]*)$/i.exec(text.trim().replace(/\s+/g, ''));
  if (!m) return undefined;
  const n = Number(m[1]);
  const word = (m[2] ?? '').toLowerCase();
  const units = [
    '',
    's',
    'sec',
    'secs',
    'second',
    'seconds',
    'm',
    'min',
    'mins',
    'minute',
    'minutes',
    'h',
    'hr',
    'hrs',
    'hour',
    'hours',
    'd',
    'day',
    'days',
  ];
  if (!units.includes(word)) return undefined;
  const unit = word === '' ? 's' : word[0];
  return n * (unit === 'm' ? 60 : unit === 'h' ? 3600 : unit === 'd' ? 86400 : 1);
}

export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds * 100) / 100} s`;
  if (seconds < 7200) return `${Math.round((seconds / 60) * 10) / 10} min`;
  if (seconds < 172800) return `${Math.round((seconds / 3600) * 10) / 10} h`;
  return `${Math.round((seconds / 86400) * 10) / 10} days`;
}
