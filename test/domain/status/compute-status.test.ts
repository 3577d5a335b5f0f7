import { describe, expect, test } from 'vitest';
import { computeStatus, type StatusInput } from '../../../src/domain/status/compute-status.ts';
import type { ItemResponse, PlanAction } from '../../../src/domain/assessment.ts';
import {
  AT,
  aCatalogue,
  cafAtProfile,
  cePlus,
  metResponses,
  outcomeResponse,
} from '../../support/catalogue-builder.ts';

const catalogue = aCatalogue();

function setup(overrides: Partial<StatusInput> = {}) {
  return computeStatus({
    catalogue,
    organisation: { type: 'gp-practice', certifications: [] },
    responses: metResponses(),
    at: AT,
    ...overrides,
  });
}

const plan = (targets: string[], extra: Partial<PlanAction> = {}): { actions: PlanAction[] } => ({
  actions: targets.map((t) => ({
    targetId: t,
    gap: 'gap',
    action: 'act',
    owner: 'Jo Bloggs',
    dueDate: '2026-09-30',
    ...extra,
  })),
});

describe('standards track: items', () => {
  test('every mandatory item met gives Standards Met with full progress', () => {
    const s = setup();
    expect(s.status).toBe('standards-met');
    expect(s.reasons).toEqual([]);
    expect(s.progress).toEqual({ done: 5, total: 5 });
    expect(s.unmetTargets).toEqual([]);
  });

  test.each<[string, Partial<Record<string, Partial<ItemResponse> | null>>, string, string]>([
    ['an unanswered mandatory item', { '1.1.1': null }, '1.1.1', 'answered'],
    [
      'a yes-no item answered no',
      { '4.2.4': { answer: { type: 'yes-no', value: false } } },
      '4.2.4',
      'affirmed',
    ],
    ['an empty text answer', { '1.1.1': { answer: { type: 'text', value: '   ' } } }, '1.1.1', 'affirmed'],
    [
      'an empty document answer',
      { '1.1.2': { answer: { type: 'document', value: '' } } },
      '1.1.2',
      'affirmed',
    ],
    [
      'an answer of the wrong type',
      { '1.1.1': { answer: { type: 'yes-no', value: true } } },
      '1.1.1',
      'response-type',
    ],
    [
      'a register reviewed 13 months before publication',
      { '1.1.2': { effectiveDate: '2025-05-29' } },
      '1.1.2',
      'freshness',
    ],
    [
      'a test dated 13 months before publication',
      { '7.3.5': { answer: { type: 'date', value: '2025-05-01' }, effectiveDate: '2025-05-01' } },
      '7.3.5',
      'freshness',
    ],
    ['training below 95%', { '3.2.1': { metric: 94.9 } }, '3.2.1', 'threshold'],
  ])('%s is Not Met, naming the item and the rule', (_name, overrides, itemId, rule) => {
    const s = setup({ responses: metResponses(overrides) });
    expect(s.status).toBe('standards-not-met');
    expect(s.unmetTargets).toEqual([itemId]);
    expect(s.reasons[0]).toMatchObject({ subject: itemId, rule });
    expect(s.reasons[0]?.message).toContain(itemId);
    expect(s.progress).toEqual({ done: 4, total: 5 });
  });

  test.each([
    ['exactly 12 months before', '2025-06-30', 'standards-met'],
    ['one day more than 12 months before', '2025-06-29', 'standards-not-met'],
  ])('freshness boundary: a review %s publication', (_name, date, expected) => {
    expect(setup({ responses: metResponses({ '1.1.2': { effectiveDate: date } }) }).status).toBe(expected);
  });

  test('training at exactly 95% meets the threshold; no measured value relies on the answer', () => {
    expect(setup({ responses: metResponses({ '3.2.1': { metric: 95 } }) }).status).toBe('standards-met');
    expect(setup({ responses: metResponses({ '3.2.1': { metric: undefined } }) }).status).toBe(
      'standards-met',
    );
  });

  test('newer linked evidence refreshes an old answer', () => {
    const responses = metResponses({ '1.1.2': { effectiveDate: '2024-01-01' } });
    expect(setup({ responses }).status).toBe('standards-not-met');
    const s = setup({ responses, evidence: [{ itemId: '1.1.2', effectiveDate: '2026-03-01' }] });
    expect(s.status).toBe('standards-met');
    expect(s.items.find((i) => i.itemId === '1.1.2')).toMatchObject({
      factDate: '2026-03-01',
      freshUntil: '2027-03-01',
    });
  });

  test('an optional item answered no does not stop Standards Met', () => {
    const responses = [
      ...metResponses(),
      { itemId: '8.3.8', answer: { type: 'yes-no', value: false }, effectiveDate: AT } as ItemResponse,
    ];
    const s = setup({ responses });
    expect(s.status).toBe('standards-met');
    expect(s.items.find((i) => i.itemId === '8.3.8')?.state).toBe('not-met');
  });

  test('a valid Cyber Essentials Plus certificate exempts 4.2.4; an expired one does not', () => {
    const responses = metResponses({ '4.2.4': null });
    const exempt = setup({
      responses,
      organisation: { type: 'gp-practice', certifications: [cePlus('2026-12-31')] },
    });
    expect(exempt.status).toBe('standards-met');
    expect(exempt.items.find((i) => i.itemId === '4.2.4')).toMatchObject({
      state: 'exempt',
      exemptedBy: 'cyber-essentials-plus',
    });
    expect(exempt.progress).toEqual({ done: 4, total: 4 });
    const expired = setup({
      responses,
      organisation: { type: 'gp-practice', certifications: [cePlus('2026-06-29')] },
    });
    expect(expired.status).toBe('standards-not-met');
    expect(expired.unmetTargets).toEqual(['4.2.4']);
  });

  test('assertions and standards count their mandatory items', () => {
    const s = setup({ responses: metResponses({ '1.1.2': null }) });
    expect(s.assertions.find((a) => a.id === '1.1')).toMatchObject({
      mandatoryMet: 1,
      mandatoryTotal: 2,
      met: false,
    });
    expect(s.standards.find((a) => a.id === '1')).toMatchObject({
      mandatoryMet: 1,
      mandatoryTotal: 2,
      met: false,
    });
    expect(s.standards.find((a) => a.id === '3')).toMatchObject({
      mandatoryMet: 1,
      mandatoryTotal: 1,
      met: true,
    });
  });
});

describe('standards track: Exceeded and Approaching', () => {
  test('social care: Met plus valid CE+ is Standards Exceeded', () => {
    const s = setup({ organisation: { type: 'care-home', certifications: [cePlus()] } });
    expect(s.status).toBe('standards-exceeded');
  });

  test('social care: Met without CE+ is Standards Met and says what Exceeded needs', () => {
    const s = setup({ organisation: { type: 'care-home', certifications: [] } });
    expect(s.status).toBe('standards-met');
    expect(s.reasons).toEqual([expect.objectContaining({ rule: 'exceeded' })]);
  });

  test('GP practices have no Exceeded status, even with CE+', () => {
    expect(setup({ organisation: { type: 'gp-practice', certifications: [cePlus()] } }).status).toBe(
      'standards-met',
    );
  });

  test('small organisation: subset met plus a complete plan is Approaching Standards', () => {
    const responses = metResponses({ '1.1.2': null });
    expect(setup({ responses }).status).toBe('standards-not-met');
    const s = setup({ responses, plan: plan(['1.1.2']) });
    expect(s.status).toBe('approaching-standards');
    expect(s.reasons).toEqual([expect.objectContaining({ subject: '1.1.2', rule: 'answered' })]);
  });

  test.each<[string, Partial<StatusInput>, string]>([
    [
      'an item of the subset is unmet',
      { responses: metResponses({ '3.2.1': { metric: 80 } }), plan: plan(['3.2.1']) },
      'approaching-subset',
    ],
    [
      'Approaching was published before',
      { responses: metResponses({ '1.1.2': null }), plan: plan(['1.1.2']), publishedApproachingBefore: true },
      'approaching-once',
    ],
    [
      'the plan has no action for the item',
      { responses: metResponses({ '1.1.2': null }), plan: plan([]) },
      'improvement-plan',
    ],
    [
      'the plan action has no owner',
      { responses: metResponses({ '1.1.2': null }), plan: plan(['1.1.2'], { owner: ' ' }) },
      'improvement-plan',
    ],
    [
      'the plan action is due after six months',
      { responses: metResponses({ '1.1.2': null }), plan: plan(['1.1.2'], { dueDate: '2027-01-01' }) },
      'improvement-plan',
    ],
  ])('small organisation stays Not Met when %s', (_name, input, rule) => {
    const s = setup(input);
    expect(s.status).toBe('standards-not-met');
    expect(s.reasons.map((r) => r.rule)).toContain(rule);
  });

  test('large supplier: Not Met until the improvement plan is approved, then Approaching', () => {
    const responses = metResponses({ '3.2.1': { metric: 50 } });
    const organisation = { type: 'it-supplier-category-2', certifications: [] };
    const unapproved = setup({ responses, organisation, plan: plan(['3.2.1']) });
    expect(unapproved.status).toBe('standards-not-met');
    expect(unapproved.reasons.at(-1)).toMatchObject({ rule: 'improvement-plan' });
    const approved = setup({
      responses,
      organisation,
      plan: { ...plan(['3.2.1']), approvedBy: 'NHS England' },
    });
    expect(approved.status).toBe('approaching-standards');
  });
});

describe('CAF-aligned track', () => {
  const caf = (outcomeResponses = cafAtProfile(), extra: Partial<StatusInput> = {}) =>
    setup({
      organisation: { type: 'nhs-trust', certifications: [cePlus()] },
      responses: [],
      outcomeResponses,
      ...extra,
    });
  const replace = (id: string, ...indicators: string[]) =>
    cafAtProfile().map((r) => (r.outcomeId === id ? outcomeResponse(id, ...indicators) : r));

  test('every outcome at its profile level gives Standards Met (certifications exempt nothing)', () => {
    const s = caf();
    expect(s.status).toBe('standards-met');
    expect(s.progress).toEqual({ done: 5, total: 5 });
    expect(s.objectives).toHaveLength(5);
  });

  test.each([
    ['all achieved statements true', ['A1.a.A.1', 'A1.a.A.2', 'A1.a.A.3'], 'achieved'],
    [
      'all achieved and all partial statements true',
      ['A1.a.A.1', 'A1.a.A.2', 'A1.a.A.3', 'A1.a.PA.1', 'A1.a.PA.2'],
      'achieved',
    ],
    ['all partial statements true', ['A1.a.PA.1', 'A1.a.PA.2'], 'partially-achieved'],
    ['some partial statements true', ['A1.a.PA.1'], 'not-achieved'],
    [
      'a not-achieved statement true beside every good one',
      ['A1.a.NA.2', 'A1.a.A.1', 'A1.a.A.2', 'A1.a.A.3'],
      'not-achieved',
    ],
    ['nothing true', [], 'not-achieved'],
  ])('achievement: %s', (_name, indicators, level) => {
    const s = caf(replace('A1.a', ...indicators));
    expect(s.outcomes.find((o) => o.outcomeId === 'A1.a')?.achieved).toBe(level);
  });

  test('an outcome below its profile is Not Met, naming the outcome and the missing indicators', () => {
    const s = caf(replace('B1.a', 'B1.a.A.1'));
    expect(s.status).toBe('standards-not-met');
    expect(s.unmetTargets).toEqual(['B1.a']);
    expect(s.reasons[0]).toMatchObject({ subject: 'B1.a', rule: 'profile' });
    expect(s.reasons[0]?.message).toContain('B1.a.A.2, B1.a.A.3');
  });

  test('an unanswered outcome is Not Met unless its profile level is Not Achieved', () => {
    expect(caf(cafAtProfile().filter((r) => r.outcomeId !== 'D1.a')).status).toBe('standards-met');
    const s = caf(cafAtProfile().filter((r) => r.outcomeId !== 'C1.a'));
    expect(s.reasons[0]).toMatchObject({ subject: 'C1.a', rule: 'answered' });
  });

  test('a not-applicable outcome counts as Achieved only where the catalogue allows it', () => {
    const na = cafAtProfile().map((r) =>
      r.outcomeId === 'E3.a' ? { outcomeId: 'E3.a', indicators: [], notApplicable: 'No direct care' } : r,
    );
    expect(caf(na).status).toBe('standards-met');
    const notAllowed = cafAtProfile().map((r) =>
      r.outcomeId === 'B1.a' ? { outcomeId: 'B1.a', indicators: [], notApplicable: 'n/a' } : r,
    );
    expect(caf(notAllowed).status).toBe('standards-not-met');
  });

  test('below profile with an approved plan is Approaching Standards', () => {
    const below = replace('B1.a');
    const actions = [{ targetId: 'B1.a', gap: 'g', action: 'a', owner: 'CISO', dueDate: '2026-12-01' }];
    expect(caf(below, { plan: { actions } }).status).toBe('standards-not-met');
    expect(caf(below, { plan: { actions, approvedBy: 'NHS England' } }).status).toBe('approaching-standards');
  });
});
