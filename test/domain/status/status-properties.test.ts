// Property tests: whatever the answers, more good answers never lower the status and older dates never raise it.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { computeStatus, STATUS_RANK, type StatusInput } from '../../../src/domain/status/compute-status.ts';
import type { Answer, ItemResponse } from '../../../src/domain/assessment.ts';
import { addMonths } from '../../../src/domain/dates.ts';
import { AT, aCatalogue, cePlus } from '../../support/catalogue-builder.ts';

const catalogue = aCatalogue();
const standardsTypes = ['gp-practice', 'care-home', 'it-supplier-category-2'];
const allItems = [...catalogue.items.values()];

const dateArb = fc.integer({ min: -30, max: 2 }).map((months) => addMonths(AT, months));

function answerArb(type: string): fc.Arbitrary<Answer> {
  switch (type) {
    case 'yes-no':
      return fc.boolean().map((value) => ({ type: 'yes-no', value }));
    case 'date':
      return dateArb.map((value) => ({ type: 'date', value }));
    case 'document':
      return fc.constantFrom('', 'held in the policy folder').map((value) => ({ type: 'document', value }));
    default:
      return fc.constantFrom('', 'ZA1234').map((value) => ({ type: 'text', value }));
  }
}

const responseArb = (itemId: string, type: string): fc.Arbitrary<ItemResponse> =>
  fc.record({
    itemId: fc.constant(itemId),
    answer: answerArb(type),
    effectiveDate: dateArb,
    metric: fc.option(fc.integer({ min: 80, max: 100 }), { nil: undefined }),
  });

const inputArb: fc.Arbitrary<StatusInput> = fc
  .record({
    type: fc.constantFrom(...standardsTypes),
    cert: fc.option(fc.constantFrom('2026-01-01', '2027-01-01'), { nil: undefined }),
    responses: fc.tuple(
      ...allItems.map((i) => fc.option(responseArb(i.id, i.responseType), { nil: undefined })),
    ),
    evidence: fc.array(
      fc.record({ itemId: fc.constantFrom(...allItems.map((i) => i.id)), effectiveDate: dateArb }),
      { maxLength: 4 },
    ),
    planOwner: fc.option(fc.constant('Jo'), { nil: undefined }),
    approved: fc.boolean(),
    once: fc.boolean(),
  })
  .map((g) => ({
    catalogue,
    organisation: { type: g.type, certifications: g.cert ? [cePlus(g.cert)] : [] },
    responses: g.responses.filter((r): r is ItemResponse => r !== undefined),
    evidence: g.evidence,
    plan: {
      actions: allItems.map((i) => ({
        targetId: i.id,
        gap: 'g',
        action: 'a',
        owner: g.planOwner,
        dueDate: '2026-10-01',
      })),
      approvedBy: g.approved ? 'NHS England' : undefined,
    },
    publishedApproachingBefore: g.once,
    at: AT,
  }));

const rank = (input: StatusInput) => STATUS_RANK[computeStatus(input).status];

const goodAnswer = (itemId: string): ItemResponse => {
  const type = catalogue.items.get(itemId)?.responseType;
  const answer: Answer =
    type === 'yes-no'
      ? { type, value: true }
      : type === 'date'
        ? { type, value: AT }
        : { type: type as 'text', value: 'done' };
  return { itemId, answer, effectiveDate: AT, metric: 100 };
};

describe('status properties', () => {
  test('answering one more mandatory item well never lowers the status', () => {
    fc.assert(
      fc.property(inputArb, fc.nat(), (input, pick) => {
        const category = catalogue.organisationTypes.get(input.organisation.type)!.category;
        const answered = new Set([...input.responses].map((r) => r.itemId));
        const open = catalogue.itemsFor(category).filter((a) => a.mandatory && !answered.has(a.item.id));
        fc.pre(open.length > 0);
        const itemId = open[pick % open.length]!.item.id;
        const after = { ...input, responses: [...input.responses, goodAnswer(itemId)] };
        expect(rank(after)).toBeGreaterThanOrEqual(rank(input));
      }),
      { numRuns: 500 },
    );
  });

  test('making an answer or evidence date older never raises the status', () => {
    fc.assert(
      fc.property(inputArb, fc.nat(), fc.integer({ min: 1, max: 40 }), (input, pick, months) => {
        const responses = [...input.responses];
        fc.pre(responses.length > 0);
        const i = pick % responses.length;
        const older = responses.map((r, j) =>
          j === i ? { ...r, effectiveDate: addMonths(r.effectiveDate, -months) } : r,
        );
        const olderEvidence = [...(input.evidence ?? [])].map((e) => ({
          ...e,
          effectiveDate: addMonths(e.effectiveDate, -months),
        }));
        expect(rank({ ...input, responses: older })).toBeLessThanOrEqual(rank(input));
        expect(rank({ ...input, evidence: olderEvidence })).toBeLessThanOrEqual(rank(input));
      }),
      { numRuns: 500 },
    );
  });

  test('the status is Standards Met or better exactly when no mandatory item is unmet', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const s = computeStatus(input);
        expect(STATUS_RANK[s.status] >= STATUS_RANK['standards-met']).toBe(s.unmetTargets.length === 0);
        // every unmet target is explained by at least one reason naming it
        for (const t of s.unmetTargets) expect(s.reasons.some((r) => r.subject === t)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
