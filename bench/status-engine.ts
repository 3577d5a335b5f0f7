// The status of 40,000 generated organisations, against a floor that reads and walks the same responses
// without evaluating any rule. Target: the engine within 2x of the floor.
import type {
  Certification,
  EvidenceDate,
  ItemResponse,
  OutcomeResponse,
  PlanAction,
} from '../src/domain/assessment.ts';
import type { Catalogue, CategoryId } from '../src/domain/catalogue/model.ts';
import { addMonths } from '../src/domain/dates.ts';
import { computeStatus, type StatusInput } from '../src/domain/status/compute-status.ts';

export const ORGANISATIONS = 40_000;
const AT = '2026-06-30';

/** A seeded generator, so every run measures the same organisations. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Roughly the real population: mostly social care and community providers (category 3), GP practices
 * (category 4), a few large suppliers (category 2) and NHS bodies on the CAF track (category 1). Most
 * organisations are complete and current (about 60%), a quarter have one to three gaps (a "no", a stale
 * date, training under 95%), and the rest are part-way through; some hold certifications and plans.
 */
export function generateOrganisations(
  catalogue: Catalogue,
  count = ORGANISATIONS,
  seed = 2026,
): StatusInput[] {
  const rnd = random(seed);
  const typesBy = (c: CategoryId) =>
    [...catalogue.organisationTypes.values()].filter((t) => t.category === c).map((t) => t.id);
  const types: Record<CategoryId, string[]> = {
    '1': typesBy('1'),
    '2': typesBy('2'),
    '3': typesBy('3'),
    '4': typesBy('4'),
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const recent = () => addMonths(AT, -Math.floor(rnd() * 11));
  const stale = () => addMonths(AT, -13 - Math.floor(rnd() * 30));
  const inputs: StatusInput[] = [];
  for (let n = 0; n < count; n++) {
    const r = rnd();
    const category: CategoryId = r < 0.05 ? '1' : r < 0.08 ? '2' : r < 0.8 ? '3' : '4';
    const tier = rnd();
    const completeness = tier < 0.85 ? 1 : rnd();
    // The chance that any one answer is a gap: none for the complete, a few for the next quarter.
    const gapChance = tier < 0.6 ? 0 : tier < 0.85 ? 0.05 : 0.1;
    const date = () => (rnd() < gapChance ? stale() : recent());
    const certifications: Certification[] =
      rnd() < 0.3
        ? [
            {
              kind: pick(['cyber-essentials', 'cyber-essentials-plus', 'iso-27001'] as const),
              number: `C${n}`,
              expires: rnd() < 0.8 ? '2027-01-31' : '2026-01-31',
            },
          ]
        : [];
    const responses: ItemResponse[] = [];
    const evidence: EvidenceDate[] = [];
    const outcomeResponses: OutcomeResponse[] = [];
    if (category === '1') {
      for (const outcome of catalogue.outcomes.values()) {
        if (rnd() > completeness) continue;
        const indicators: string[] = [];
        for (const column of [
          outcome.indicators.achieved,
          outcome.indicators['partially-achieved'],
          outcome.indicators['not-achieved'],
        ])
          for (const i of column)
            if (rnd() < (column === outcome.indicators['not-achieved'] ? gapChance / 4 : 1 - gapChance))
              indicators.push(i.id);
        outcomeResponses.push({ outcomeId: outcome.id, indicators });
      }
    } else {
      for (const a of catalogue.itemsFor(category)) {
        if (rnd() > completeness) continue;
        const t = a.item.responseType;
        const value = rnd() >= gapChance;
        responses.push({
          itemId: a.item.id,
          answer:
            t === 'yes-no'
              ? { type: t, value }
              : t === 'date'
                ? { type: t, value: date() }
                : { type: t, value: value ? 'In the governance folder' : '' },
          effectiveDate: date(),
          ...(a.item.threshold
            ? { metric: rnd() < gapChance ? 80 + Math.floor(rnd() * 15) : 95 + Math.floor(rnd() * 6) }
            : {}),
        });
        if (t === 'document' && rnd() < 0.6) evidence.push({ itemId: a.item.id, effectiveDate: date() });
      }
    }
    const actions: PlanAction[] =
      rnd() < 0.3
        ? [...catalogue.itemsFor(category), ...catalogue.outcomes.values()].slice(0, 20).map((x) => ({
            targetId: 'item' in x ? x.item.id : x.id,
            gap: 'g',
            action: 'a',
            owner: 'Owner',
            dueDate: '2026-10-31',
          }))
        : [];
    inputs.push({
      catalogue,
      organisation: { type: pick(types[category]), certifications },
      responses,
      outcomeResponses,
      evidence,
      plan: { actions, ...(rnd() < 0.5 ? { approvedBy: 'NHS England' } : {}) },
      publishedApproachingBefore: rnd() < 0.1,
      at: AT,
    });
  }
  return inputs;
}

/**
 * The floor: everything the engine must do anyway (index each organisation's responses and evidence, look
 * up every applicable item or outcome, read its answer and dates) with no rule evaluated.
 */
export function walkWithoutRules(inputs: StatusInput[]): number {
  let touched = 0;
  for (const input of inputs) {
    const type = input.catalogue.organisationTypes.get(input.organisation.type)!;
    const responses = new Map<string, ItemResponse>();
    for (const r of input.responses) responses.set(r.itemId, r);
    const latest = new Map<string, string>();
    for (const e of input.evidence ?? []) latest.set(e.itemId, e.effectiveDate);
    if (type.category === '1') {
      const outcomes = new Map<string, OutcomeResponse>();
      for (const r of input.outcomeResponses ?? []) outcomes.set(r.outcomeId, r);
      for (const outcome of input.catalogue.outcomes.values()) {
        const r = outcomes.get(outcome.id);
        if (r) for (const id of r.indicators) touched += id.length;
        touched += outcome.indicators.achieved.length;
      }
    } else {
      for (const a of input.catalogue.itemsFor(type.category)) {
        const r = responses.get(a.item.id);
        if (r)
          touched += r.answer.type.length + r.effectiveDate.length + (latest.get(a.item.id)?.length ?? 0);
        touched += a.exemptedBy.length;
      }
    }
    for (const action of input.plan?.actions ?? []) touched += action.targetId.length;
  }
  return touched;
}

export function evaluateAll(inputs: StatusInput[]): number {
  let score = 0;
  for (const input of inputs) score += computeStatus(input).progress.done;
  return score;
}
