// The status engine: from the catalogue, the organisation, its responses, evidence dates, improvement plan
// and a publication date, the status of an assessment, with a reason for every requirement that is not met.
import type {
  Certification,
  EvidenceDate,
  ImprovementPlan,
  IsoDate,
  ItemResponse,
  OrganisationProfile,
  OutcomeResponse,
} from '../assessment.ts';
import type {
  AchievementLevel,
  ApplicableItem,
  Catalogue,
  Category,
  CategoryId,
  CertificationKind,
  Outcome,
  Track,
} from '../catalogue/model.ts';
import { addMonths } from '../dates.ts';
import { checkPlanCovers } from './improvement-plan.ts';

export type OverallStatus =
  'standards-not-met' | 'approaching-standards' | 'standards-met' | 'standards-exceeded';

/** Higher is better; the property tests rely on this order. */
export const STATUS_RANK: Record<OverallStatus, number> = {
  'standards-not-met': 0,
  'approaching-standards': 1,
  'standards-met': 2,
  'standards-exceeded': 3,
};

export const STATUS_LABEL: Record<OverallStatus, string> = {
  'standards-not-met': 'Standards Not Met',
  'approaching-standards': 'Approaching Standards',
  'standards-met': 'Standards Met',
  'standards-exceeded': 'Standards Exceeded',
};

export const LEVEL_RANK: Record<AchievementLevel, number> = {
  'not-achieved': 0,
  'partially-achieved': 1,
  achieved: 2,
};

export const LEVEL_LABEL: Record<AchievementLevel, string> = {
  'not-achieved': 'Not Achieved',
  'partially-achieved': 'Partially Achieved',
  achieved: 'Achieved',
};

/** The rule a reason reports on, so that every unmet requirement names what failed. */
export type Rule =
  | 'answered'
  | 'affirmed'
  | 'response-type'
  | 'freshness'
  | 'threshold'
  | 'profile'
  | 'approaching-subset'
  | 'approaching-once'
  | 'improvement-plan'
  | 'exceeded';

export interface Reason {
  /** The item, outcome or plan action the reason is about. */
  subject: string;
  rule: Rule;
  message: string;
}

export type ItemState = 'met' | 'not-met' | 'unanswered' | 'exempt';

export interface ItemResult {
  itemId: string;
  title: string;
  assertionId: string;
  standardId: number;
  mandatory: boolean;
  approaching: boolean;
  state: ItemState;
  /** The certification that exempts the item, when `state` is `exempt`. */
  exemptedBy: CertificationKind | undefined;
  /** The date the answered fact was last true (for items with a freshness rule). */
  factDate: IsoDate | undefined;
  /** The last publication date on which the fact is still fresh enough. */
  freshUntil: IsoDate | undefined;
  reasons: Reason[];
}

export interface GroupResult {
  id: string;
  title: string;
  /** Mandatory items, after exemptions, that are met, of all mandatory items left. */
  mandatoryMet: number;
  mandatoryTotal: number;
  met: boolean;
}

export interface OutcomeResult {
  outcomeId: string;
  title: string;
  achieved: AchievementLevel;
  expected: AchievementLevel;
  meetsProfile: boolean;
  answered: boolean;
  reasons: Reason[];
}

export interface AssessmentStatus {
  track: Track;
  category: CategoryId;
  organisationType: string;
  at: IsoDate;
  status: OverallStatus;
  /** Why the status is not higher; empty when it is the highest the organisation can reach. */
  reasons: Reason[];
  /** Mandatory items met (standards) or outcomes at profile (CAF), of the total. */
  progress: { done: number; total: number };
  /** The items or outcomes that are below what Standards Met needs: the improvement plan's targets. */
  unmetTargets: string[];
  items: ItemResult[];
  assertions: GroupResult[];
  standards: GroupResult[];
  outcomes: OutcomeResult[];
  principles: GroupResult[];
  objectives: GroupResult[];
}

export interface StatusInput {
  catalogue: Catalogue;
  organisation: OrganisationProfile;
  responses: Iterable<ItemResponse>;
  outcomeResponses?: Iterable<OutcomeResponse>;
  evidence?: Iterable<EvidenceDate>;
  plan?: ImprovementPlan;
  /** The organisation published Approaching Standards before; the subset route may be used only once. */
  publishedApproachingBefore?: boolean;
  /** The publication date the rules are evaluated on. */
  at: IsoDate;
}

export function categoryOf(catalogue: Catalogue, organisationType: string): Category {
  const type = catalogue.organisationTypes.get(organisationType);
  if (!type) throw new Error(`unknown organisation type "${organisationType}"`);
  const category = catalogue.categories.get(type.category);
  if (!category) throw new Error(`organisation type "${organisationType}" names an unknown category`);
  return category;
}

function holdsValid(certs: readonly Certification[], kind: CertificationKind, at: IsoDate): boolean {
  for (const c of certs) if (c.kind === kind && c.expires >= at) return true;
  return false;
}

export function computeStatus(input: StatusInput): AssessmentStatus {
  const category = categoryOf(input.catalogue, input.organisation.type);
  return category.track === 'caf'
    ? computeCafStatus(input, category)
    : computeStandardsStatus(input, category);
}

// ---------------------------------------------------------------------------------------------------------
// Standards track

/**
 * The cut-off date of each freshness window on the publication date, worked out once per evaluation: the
 * fact must be dated on or after it.
 */
export type FreshnessCutoffs = (months: number) => IsoDate;

// Date arithmetic is remembered: thousands of organisations are evaluated on the same publication date and
// share a few review dates. Both memos hold plain derived values and are bounded.
const cutoffMemo = new Map<IsoDate, FreshnessCutoffs>();

function cutoffsFor(at: IsoDate): FreshnessCutoffs {
  let cutoffs = cutoffMemo.get(at);
  if (cutoffs) return cutoffs;
  const cache = new Map<number, IsoDate>();
  cutoffs = (months) => {
    let cutoff = cache.get(months);
    if (cutoff === undefined) cache.set(months, (cutoff = addMonths(at, -months)));
    return cutoff;
  };
  if (cutoffMemo.size > 1000) cutoffMemo.clear();
  cutoffMemo.set(at, cutoffs);
  return cutoffs;
}

/** Evaluates one item. Exported for the item pages, which show the same verdict the status uses. */
export function evaluateItem(
  applicable: ApplicableItem,
  response: ItemResponse | undefined,
  latestEvidence: IsoDate | undefined,
  certifications: readonly Certification[],
  at: IsoDate,
  cutoffs: FreshnessCutoffs = cutoffsFor(at),
  sharedMet?: ItemResult,
): ItemResult {
  const { item } = applicable;
  for (const kind of applicable.exemptedBy)
    if (holdsValid(certifications, kind, at))
      return itemResult(applicable, 'exempt', NO_REASONS, kind, undefined);

  if (!response)
    return itemResult(
      applicable,
      'unanswered',
      [{ subject: item.id, rule: 'answered', message: `${item.id} ${item.title}: not answered yet` }],
      undefined,
      undefined,
    );
  const { answer } = response;
  if (answer.type !== item.responseType) {
    const message = `${item.id} ${item.title}: expected a ${item.responseType} answer, found ${answer.type}`;
    return itemResult(
      applicable,
      'not-met',
      [{ subject: item.id, rule: 'response-type', message }],
      undefined,
      undefined,
    );
  }
  let reasons: Reason[] | undefined;
  const affirmed =
    answer.type === 'yes-no'
      ? answer.value
      : answer.type === 'document'
        ? answer.value.trim() !== '' || answer.evidenceId !== undefined
        : answer.value.trim() !== '';
  if (!affirmed) {
    (reasons ??= []).push({
      subject: item.id,
      rule: 'affirmed',
      message:
        answer.type === 'yes-no'
          ? `${item.id} ${item.title}: answered "no"`
          : `${item.id} ${item.title}: the answer is empty`,
    });
  }

  const { freshness, threshold } = item;
  let factDate: IsoDate | undefined;
  if (freshness) {
    factDate = response.effectiveDate;
    if (answer.type === 'date' && answer.value > factDate) factDate = answer.value;
    if (latestEvidence !== undefined && latestEvidence > factDate) factDate = latestEvidence;
    if (cutoffs(freshness.withinMonths) > factDate) {
      (reasons ??= []).push({
        subject: item.id,
        rule: 'freshness',
        message: `${item.id} ${item.title}: must be ${freshness.what} within ${freshness.withinMonths} months before publication; the latest date is ${factDate}`,
      });
    }
  }
  if (threshold && response.metric !== undefined && response.metric < threshold.atLeast) {
    const unit = threshold.unit === 'percent' ? '%' : ` ${threshold.unit}`;
    (reasons ??= []).push({
      subject: item.id,
      rule: 'threshold',
      message: `${item.id} ${item.title}: ${threshold.what} is ${response.metric}${unit}; at least ${threshold.atLeast}${unit} is needed`,
    });
  }
  if (!reasons && factDate === undefined && sharedMet) return sharedMet;
  return itemResult(applicable, reasons ? 'not-met' : 'met', reasons ?? NO_REASONS, undefined, factDate);
}

// Results are read, never changed, so the commonest ones (met with no date, exempt) are made once per item
// and shared by every organisation: most items of most organisations are one of these.
const sharedResults = new WeakMap<ApplicableItem, Map<string, ItemResult>>();

function itemResult(
  applicable: ApplicableItem,
  state: ItemState,
  reasons: Reason[],
  exemptedBy: CertificationKind | undefined,
  factDate: IsoDate | undefined,
): ItemResult {
  const shareable = reasons === NO_REASONS && factDate === undefined;
  let shared: Map<string, ItemResult> | undefined;
  const key = exemptedBy ?? state;
  if (shareable) {
    shared = sharedResults.get(applicable);
    const found = shared?.get(key);
    if (found) return found;
  }
  const { item } = applicable;
  const result: ItemResult = {
    itemId: item.id,
    title: item.title,
    assertionId: applicable.assertionId,
    standardId: applicable.standardId,
    mandatory: applicable.mandatory,
    approaching: applicable.approaching,
    state,
    exemptedBy,
    factDate,
    freshUntil:
      factDate === undefined || !item.freshness
        ? undefined
        : freshUntil(factDate, item.freshness.withinMonths),
    reasons,
  };
  if (shareable) {
    if (!shared) sharedResults.set(applicable, (shared = new Map()));
    shared.set(key, Object.freeze(result));
  }
  return result;
}

/** Shared by every item that is met: results are read, never changed, so one empty list serves all. */
const NO_REASONS: Reason[] = Object.freeze([]) as unknown as Reason[];

const freshUntilMemo = new Map<number, Map<IsoDate, IsoDate>>();
function freshUntil(factDate: IsoDate, months: number): IsoDate {
  let byDate = freshUntilMemo.get(months);
  if (!byDate) freshUntilMemo.set(months, (byDate = new Map()));
  let until = byDate.get(factDate);
  if (until === undefined) {
    if (byDate.size > 20_000) byDate.clear();
    byDate.set(factDate, (until = addMonths(factDate, months)));
  }
  return until;
}

function latestEvidenceByItem(evidence: Iterable<EvidenceDate> | undefined): Map<string, IsoDate> {
  const latest = new Map<string, IsoDate>();
  if (!evidence) return latest;
  for (const e of evidence) {
    const seen = latest.get(e.itemId);
    if (seen === undefined || e.effectiveDate > seen) latest.set(e.itemId, e.effectiveDate);
  }
  return latest;
}

function responsesById(responses: Iterable<ItemResponse>): Map<string, ItemResponse> {
  if (responses instanceof Map) return responses as Map<string, ItemResponse>;
  const map = new Map<string, ItemResponse>();
  for (const r of responses) map.set(r.itemId, r);
  return map;
}

/** Where each applicable item of a category counts: its assertion's and its standard's position. */
interface CategoryLayout {
  items: readonly ApplicableItem[];
  /** The result each item has when it is met with no date to report, shared by every organisation. */
  sharedMet: readonly ItemResult[];
  /** 1 for a yes-no item with no freshness rule, no threshold and no exemption: "yes" alone meets it. */
  plainYesNo: Uint8Array;
  assertionOf: Int32Array;
  standardOf: Int32Array;
  assertions: SharedGroup[];
  standards: SharedGroup[];
  /**
   * Tallies of met and total mandatory items per assertion and standard. The engine is synchronous and
   * group results are copied out before it returns, so one set per layout is reused by every evaluation.
   */
  scratch: { aMet: Int32Array; aTotal: Int32Array; sMet: Int32Array; sTotal: Int32Array };
  /** Mandatory items when none is exempt, and the group results when every one of them is met. */
  mandatoryCount: number;
  allMet?: { assertions: GroupResult[]; standards: GroupResult[] };
}

/** A group (assertion, standard) and its results by (met, total), which repeat across organisations. */
interface SharedGroup {
  id: string;
  title: string;
  results: Map<number, GroupResult>;
}

// The layout depends only on the catalogue, so it is worked out once per catalogue and category.
const layouts = new WeakMap<Catalogue, Map<CategoryId, CategoryLayout>>();

function layoutOf(catalogue: Catalogue, category: CategoryId): CategoryLayout {
  let byCategory = layouts.get(catalogue);
  if (!byCategory) layouts.set(catalogue, (byCategory = new Map()));
  const cached = byCategory.get(category);
  if (cached) return cached;
  const items = catalogue.itemsFor(category);
  const assertions: CategoryLayout['assertions'] = [];
  const standards: CategoryLayout['standards'] = [];
  for (const s of catalogue.standards) {
    let applies = false;
    for (const a of s.assertions) {
      if (!a.items.some((i) => i.categories[category])) continue;
      applies = true;
      assertions.push({ id: a.id, title: a.title, results: new Map() });
    }
    if (applies) standards.push({ id: String(s.id), title: s.title, results: new Map() });
  }
  const layout: CategoryLayout = {
    items,
    sharedMet: items.map((a) => itemResult(a, 'met', NO_REASONS, undefined, undefined)),
    plainYesNo: Uint8Array.from(items, (a) =>
      a.item.responseType === 'yes-no' && !a.item.freshness && !a.item.threshold && a.exemptedBy.length === 0
        ? 1
        : 0,
    ),
    assertionOf: Int32Array.from(items, (i) => assertions.findIndex((a) => a.id === i.assertionId)),
    standardOf: Int32Array.from(items, (i) => standards.findIndex((s) => s.id === String(i.standardId))),
    assertions,
    standards,
    scratch: {
      aMet: new Int32Array(assertions.length),
      aTotal: new Int32Array(assertions.length),
      sMet: new Int32Array(standards.length),
      sTotal: new Int32Array(standards.length),
    },
    mandatoryCount: items.filter((i) => i.mandatory).length,
  };
  const aTotal = new Int32Array(assertions.length);
  const sTotal = new Int32Array(standards.length);
  items.forEach((item, i) => {
    if (!item.mandatory) return;
    aTotal[layout.assertionOf[i]!]! += 1;
    sTotal[layout.standardOf[i]!]! += 1;
  });
  layout.allMet = {
    assertions: groupResults(assertions, aTotal, aTotal),
    standards: groupResults(standards, sTotal, sTotal),
  };
  byCategory.set(category, layout);
  return layout;
}

// Group results repeat across organisations (most groups are fully met with the same count), so each
// (group, met, total) result is made once and shared.
function groupResults(groups: SharedGroup[], met: Int32Array, total: Int32Array): GroupResult[] {
  const out: GroupResult[] = new Array<GroupResult>(groups.length);
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    const key = met[i]! * 4096 + total[i]!;
    let result = g.results.get(key);
    if (!result)
      g.results.set(
        key,
        (result = Object.freeze({
          id: g.id,
          title: g.title,
          mandatoryMet: met[i]!,
          mandatoryTotal: total[i]!,
          met: met[i] === total[i],
        })),
      );
    out[i] = result;
  }
  return out;
}

function computeStandardsStatus(input: StatusInput, category: Category): AssessmentStatus {
  const { catalogue, organisation, at } = input;
  const responses = responsesById(input.responses);
  const latest = latestEvidenceByItem(input.evidence);
  const layout = layoutOf(catalogue, category.id);
  const cutoffs = cutoffsFor(at);
  const { aMet, aTotal, sMet, sTotal } = layout.scratch;
  aMet.fill(0);
  aTotal.fill(0);
  sMet.fill(0);
  sTotal.fill(0);
  const items: ItemResult[] = new Array<ItemResult>(layout.items.length);
  const unmet: ItemResult[] = [];
  let mandatoryTotal = 0;
  for (let i = 0; i < layout.items.length; i++) {
    const applicable = layout.items[i]!;
    const id = applicable.item.id;
    const response = responses.get(id);
    // The commonest case, a plain "yes" to an undated item that no certification exempts, needs no rule.
    const r =
      response !== undefined &&
      layout.plainYesNo[i] === 1 &&
      response.answer.type === 'yes-no' &&
      response.answer.value === true
        ? layout.sharedMet[i]!
        : evaluateItem(
            applicable,
            response,
            latest.get(id),
            organisation.certifications,
            at,
            cutoffs,
            layout.sharedMet[i],
          );
    items[i] = r;
    if (!r.mandatory || r.state === 'exempt') continue;
    mandatoryTotal += 1;
    const a = layout.assertionOf[i]!;
    const s = layout.standardOf[i]!;
    aTotal[a]! += 1;
    sTotal[s]! += 1;
    if (r.state === 'met') {
      aMet[a]! += 1;
      sMet[s]! += 1;
    } else unmet.push(r);
  }

  const result: AssessmentStatus = {
    track: 'standards',
    category: category.id,
    organisationType: organisation.type,
    at,
    status: 'standards-met',
    reasons: [],
    progress: { done: mandatoryTotal - unmet.length, total: mandatoryTotal },
    unmetTargets: unmet.map((r) => r.itemId),
    items,
    assertions: [],
    standards: [],
    outcomes: [],
    principles: [],
    objectives: [],
  };

  if (unmet.length === 0 && mandatoryTotal === layout.mandatoryCount && layout.allMet) {
    result.assertions = layout.allMet.assertions;
    result.standards = layout.allMet.standards;
  } else {
    result.assertions = groupResults(layout.assertions, aMet, aTotal);
    result.standards = groupResults(layout.standards, sMet, sTotal);
  }

  if (unmet.length === 0) {
    if (category.exceededWith && holdsValid(organisation.certifications, category.exceededWith, at))
      result.status = 'standards-exceeded';
    else if (category.exceededWith)
      result.reasons.push({
        subject: category.exceededWith,
        rule: 'exceeded',
        message: `Standards Exceeded also needs a valid ${certName(catalogue, category.exceededWith)} certificate`,
      });
    return result;
  }

  for (const r of unmet) result.reasons.push(...r.reasons);
  const subsetMissing: string[] = [];
  for (const r of unmet) if (r.approaching) subsetMissing.push(r.itemId);
  const approaching = approachingReasons(input, category, result.unmetTargets, subsetMissing);
  if (approaching.length === 0) result.status = 'approaching-standards';
  else {
    result.status = 'standards-not-met';
    result.reasons.push(...approaching);
  }
  return result;
}

function certName(catalogue: Catalogue, kind: CertificationKind): string {
  return catalogue.certifications.find((c) => c.id === kind)?.name ?? kind;
}

/** Why the assessment cannot be Approaching Standards; empty when it is. */
function approachingReasons(
  input: StatusInput,
  category: Category,
  unmetTargets: string[],
  /** Items of the Approaching subset that are not met (mandatory ones: the subset holds only those). */
  missing: string[],
): Reason[] {
  const reasons: Reason[] = [];
  const planProblems = checkPlanCovers(input.plan, unmetTargets, input.at);
  if (category.approachingRoute === 'improvement-plan') {
    if (!input.plan?.approvedBy)
      reasons.push({
        subject: 'improvement-plan',
        rule: 'improvement-plan',
        message:
          'Approaching Standards needs an improvement plan approved by NHS England or your commissioner',
      });
    return [...reasons, ...planProblems];
  }
  if (missing.length > 0)
    reasons.push({
      subject: 'approaching-subset',
      rule: 'approaching-subset',
      message: `Approaching Standards needs every item of its subset met; not yet: ${missing.join(', ')}`,
    });
  if (input.publishedApproachingBefore)
    reasons.push({
      subject: 'approaching-subset',
      rule: 'approaching-once',
      message:
        'Approaching Standards was published before; it may be published only once, so Standards Met is needed now',
    });
  return [...reasons, ...planProblems];
}

// ---------------------------------------------------------------------------------------------------------
// CAF-aligned track

/** Where each indicator of an outcome sits: its column and its bit in that column's mask. */
interface OutcomeIndex {
  position: Map<string, { column: 0 | 1 | 2; bit: number }>;
  /** The mask with every indicator of the column set: not achieved, partially achieved, achieved. */
  full: [number, number, number];
}

const outcomeIndexes = new WeakMap<Outcome, OutcomeIndex>();

function indexOf(outcome: Outcome): OutcomeIndex {
  let index = outcomeIndexes.get(outcome);
  if (index) return index;
  const position = new Map<string, { column: 0 | 1 | 2; bit: number }>();
  const columns = [
    outcome.indicators['not-achieved'],
    outcome.indicators['partially-achieved'],
    outcome.indicators.achieved,
  ];
  const full: [number, number, number] = [0, 0, 0];
  columns.forEach((list, column) => {
    // Columns hold a handful of statements; more than 31 would not fit a mask and is a content error.
    if (list.length > 31) throw new Error(`outcome ${outcome.id} has more than 31 indicators in one column`);
    list.forEach((indicator, i) => {
      position.set(indicator.id, { column: column as 0 | 1 | 2, bit: 1 << i });
      full[column as 0 | 1 | 2] |= 1 << i;
    });
  });
  outcomeIndexes.set(outcome, (index = { position, full }));
  return index;
}

/** Achievement from the indicators ticked true, by the CAF rule. Exported for the outcome pages. */
export function achievementOf(outcome: Outcome, response: OutcomeResponse | undefined): AchievementLevel {
  if (!response) return 'not-achieved';
  if (response.notApplicable !== undefined && outcome.mayBeNotApplicable) return 'achieved';
  const { position, full } = indexOf(outcome);
  // Masks of the true statements per column; duplicates and unknown IDs change nothing.
  const ticked = [0, 0, 0];
  for (const id of response.indicators) {
    const at = position.get(id);
    if (at) ticked[at.column]! |= at.bit;
  }
  if (ticked[0] !== 0) return 'not-achieved';
  if (ticked[2] === full[2]) return 'achieved';
  if (full[1] !== 0 && ticked[1] === full[1]) return 'partially-achieved';
  return 'not-achieved';
}

function evaluateOutcome(
  outcome: Outcome,
  response: OutcomeResponse | undefined,
  expected: AchievementLevel,
): OutcomeResult {
  const achieved = achievementOf(outcome, response);
  const meetsProfile = LEVEL_RANK[achieved] >= LEVEL_RANK[expected];
  return {
    outcomeId: outcome.id,
    title: outcome.title,
    achieved,
    expected,
    meetsProfile,
    answered: response !== undefined,
    reasons: meetsProfile ? NO_REASONS : [outcomeGap(outcome, response, achieved, expected)],
  };
}

/** Why an outcome is below its profile level: which bad statements are true, which good ones are not yet. */
function outcomeGap(
  outcome: Outcome,
  response: OutcomeResponse | undefined,
  achieved: AchievementLevel,
  expected: AchievementLevel,
): Reason {
  const name = `${outcome.id} ${outcome.title}`;
  if (!response)
    return {
      subject: outcome.id,
      rule: 'answered',
      message: `${name}: not answered yet; the profile expects ${LEVEL_LABEL[expected]}`,
    };
  const ticked = new Set(response.indicators);
  const bad = outcome.indicators['not-achieved'].filter((i) => ticked.has(i.id)).map((i) => i.id);
  const column =
    expected === 'achieved' ? outcome.indicators.achieved : outcome.indicators['partially-achieved'];
  const missing = column.filter((i) => !ticked.has(i.id)).map((i) => i.id);
  const parts = [`${name}: ${LEVEL_LABEL[achieved]}; the profile expects ${LEVEL_LABEL[expected]}`];
  if (bad.length > 0) parts.push(`not-achieved indicators true: ${bad.join(', ')}`);
  if (missing.length > 0) parts.push(`indicators not yet true: ${missing.join(', ')}`);
  return { subject: outcome.id, rule: 'profile', message: parts.join('; ') };
}

function computeCafStatus(input: StatusInput, category: Category): AssessmentStatus {
  const { catalogue, organisation, at } = input;
  const type = catalogue.organisationTypes.get(organisation.type);
  const profile = type?.profile ? catalogue.profiles.get(type.profile) : undefined;
  if (!profile) throw new Error(`organisation type "${organisation.type}" has no CAF profile`);
  const responses = new Map<string, OutcomeResponse>();
  for (const r of input.outcomeResponses ?? []) responses.set(r.outcomeId, r);

  const outcomes: OutcomeResult[] = [];
  for (const outcome of catalogue.outcomes.values()) {
    outcomes.push(
      evaluateOutcome(outcome, responses.get(outcome.id), profile.levels[outcome.id] ?? 'achieved'),
    );
  }
  const below = outcomes.filter((o) => !o.meetsProfile);
  const principles: GroupResult[] = [];
  const objectives: GroupResult[] = [];
  const byId = new Map(outcomes.map((o) => [o.outcomeId, o]));
  for (const objective of catalogue.objectives) {
    let met = 0;
    let total = 0;
    for (const principle of objective.principles) {
      const results = principle.outcomes.map((o) => byId.get(o.id));
      const ok = results.filter((r) => r?.meetsProfile).length;
      principles.push({
        id: principle.id,
        title: principle.title,
        mandatoryMet: ok,
        mandatoryTotal: results.length,
        met: ok === results.length,
      });
      met += ok;
      total += results.length;
    }
    objectives.push({
      id: objective.id,
      title: objective.title,
      mandatoryMet: met,
      mandatoryTotal: total,
      met: met === total,
    });
  }
  const base = {
    track: 'caf' as const,
    category: category.id,
    organisationType: organisation.type,
    at,
    progress: { done: outcomes.length - below.length, total: outcomes.length },
    unmetTargets: below.map((o) => o.outcomeId),
    items: [],
    assertions: [],
    standards: [],
    outcomes,
    principles,
    objectives,
  };
  if (below.length === 0) return { ...base, status: 'standards-met', reasons: [] };
  const reasons = below.flatMap((o) => o.reasons);
  const approaching = approachingReasons(input, category, base.unmetTargets, []);
  if (approaching.length === 0) return { ...base, status: 'approaching-standards', reasons };
  return { ...base, status: 'standards-not-met', reasons: [...reasons, ...approaching] };
}
