// Turns catalogue values into the words people read on a page: dates, response types, levels, rules.
import type { AchievementLevel, EvidenceItem, ResponseType } from '../domain/catalogue/model.ts';

const longDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** `2026-06-30` -> `30 June 2026` (GOV.UK and NHS style: no leading zero, month in full). */
export function formatLongDate(isoDate: string): string {
  // Parsed as UTC midnight and printed in UTC, so the server's time zone cannot shift the day.
  const date = new Date(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(date.getTime()))
    throw new RangeError(`expected a date such as 2026-06-30, got "${isoDate}"`);
  return longDate.format(date);
}

const RESPONSE_TYPE_LABELS: Record<ResponseType, string> = {
  'yes-no': 'Yes or no',
  text: 'Written answer',
  date: 'Date',
  document: 'Document, or where it is kept',
};

export function responseTypeLabel(type: ResponseType): string {
  return RESPONSE_TYPE_LABELS[type];
}

const LEVEL_LABELS: Record<AchievementLevel, string> = {
  'not-achieved': 'Not achieved',
  'partially-achieved': 'Partially achieved',
  achieved: 'Achieved',
};

export function levelLabel(level: AchievementLevel): string {
  return LEVEL_LABELS[level];
}

/** Tag colours for an expected level; "not achieved" as a target is a low bar, not a failure, so it is grey. */
const LEVEL_TAG_CLASSES: Record<AchievementLevel, string> = {
  'not-achieved': 'nhsuk-tag--grey',
  'partially-achieved': 'nhsuk-tag--yellow',
  achieved: 'nhsuk-tag--green',
};

export function levelTagClass(level: AchievementLevel): string {
  return LEVEL_TAG_CLASSES[level];
}

/**
 * "Reviewed in the 12 months before you publish." The catalogue words `what` as a past-tense phrase
 * ("reviewed", "training completed"), so it leads the sentence.
 */
export function freshnessRule(freshness: NonNullable<EvidenceItem['freshness']>): string {
  const n = freshness.withinMonths;
  const period = n === 1 ? 'month' : n > 12 && n % 12 === 0 ? `${n / 12} years` : `${n} months`;
  return `${capitalise(freshness.what)} in the ${period} before you publish.`;
}

/**
 * "The share of staff trained must be at least 95%." The catalogue words `what` as the thing measured
 * ("the share of staff who completed ..."), so it leads the sentence.
 */
export function thresholdRule(threshold: NonNullable<EvidenceItem['threshold']>): string {
  const amount =
    threshold.unit === 'percent'
      ? `${threshold.atLeast}%`
      : threshold.unit === 'days'
        ? `${threshold.atLeast} ${threshold.atLeast === 1 ? 'day' : 'days'}`
        : String(threshold.atLeast);
  return `${capitalise(threshold.what.replace(/\.$/, ''))} must be at least ${amount}.`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
