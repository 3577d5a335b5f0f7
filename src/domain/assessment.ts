// The things an organisation records in an assessment: responses to evidence items, CAF outcome answers,
// evidence, and its improvement plan. Plain data, shared by the status engine, the use cases and storage.
import type { CertificationKind } from './catalogue/model.ts';

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

export interface Certification {
  kind: CertificationKind;
  number: string;
  expires: IsoDate;
}

export interface OrganisationProfile {
  /** An organisation type ID from the catalogue; it sets the category and track. */
  type: string;
  certifications: readonly Certification[];
}

/** The answer given to an evidence item, by response type. */
export type Answer =
  | { type: 'yes-no'; value: boolean }
  | { type: 'text'; value: string }
  | { type: 'date'; value: IsoDate }
  /** A document is a file held as evidence, or a text saying where it is kept. */
  | { type: 'document'; value: string; evidenceId?: string };

export interface ItemResponse {
  itemId: string;
  answer: Answer;
  comment?: string;
  /** When the answered fact was true (a review, a test, a training count): the date freshness rules use. */
  effectiveDate: IsoDate;
  /** A measured value for items with a threshold, such as the percentage of staff trained. */
  metric?: number;
}

export interface OutcomeResponse {
  outcomeId: string;
  /** The indicators the organisation says are true of it. */
  indicators: readonly string[];
  /** For outcomes the catalogue allows to be not applicable: the reason given. */
  notApplicable?: string;
  comment?: string;
}

/** Evidence as the status engine sees it: which items it supports and the date it speaks for. */
export interface EvidenceDate {
  itemId: string;
  effectiveDate: IsoDate;
}

export interface PlanAction {
  /** The evidence item or CAF outcome the action closes. */
  targetId: string;
  gap: string;
  action: string;
  owner?: string;
  dueDate?: IsoDate;
}

export interface ImprovementPlan {
  actions: readonly PlanAction[];
  /** Who approved the plan (NHS England or the commissioner), for organisations whose route is approval. */
  approvedBy?: string;
}
