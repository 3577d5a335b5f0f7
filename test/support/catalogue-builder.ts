// A small catalogue built in memory for the status-engine tables: every rule appears once, and the tests
// say exactly which items exist, independent of the content of the real yearly catalogue.
import {
  cafObjectiveFileSchema,
  catalogueFileSchema,
  profilesFileSchema,
  standardsFileSchema,
} from '../../src/domain/catalogue/schema.ts';
import { assembleCatalogue, type Catalogue } from '../../src/domain/catalogue/model.ts';
import type { Certification, ItemResponse, OutcomeResponse } from '../../src/domain/assessment.ts';

const text = 'Plain words for a test.';

const item = (id: string, responseType: string, categories: Record<string, object>, extra: object = {}) => ({
  id,
  title: `Item ${id}`,
  responseType,
  asks: text,
  guidance: text,
  improve: `Do what ${id} asks.`,
  categories,
  ...extra,
});

const m = (extra: object = {}) => ({ mandatory: true, source: 'facts', ...extra });
const o = { mandatory: false, source: 'facts' };

/** Mandatory items for category 4: 1.1.1 (text), 1.1.2 (document, 12 months), 3.2.1 (yes-no, 95% threshold,
 * 12 months), 4.2.4 (yes-no, CE+ exempts), 7.3.5 (date, 12 months); optional 8.3.8. The subset is 1.1.1
 * and 3.2.1. Category 3 has the same items and Exceeded with CE+; category 2 goes by improvement plan. */
const standardsData = () => {
  const specific: Record<number, object[]> = {
    1: [
      item('1.1.1', 'text', { '2': m(), '3': m({ approaching: true }), '4': m({ approaching: true }) }),
      item(
        '1.1.2',
        'document',
        { '2': m(), '3': m(), '4': m() },
        { freshness: { withinMonths: 12, what: 'reviewed' } },
      ),
    ],
    3: [
      item(
        '3.2.1',
        'yes-no',
        { '2': m(), '3': m({ approaching: true }), '4': m({ approaching: true }) },
        {
          freshness: { withinMonths: 12, what: 'counted' },
          threshold: {
            metric: 'staff-trained-percent',
            atLeast: 95,
            unit: 'percent',
            what: 'the share of staff trained',
          },
        },
      ),
    ],
    4: [item('4.2.4', 'yes-no', { '2': m(), '3': m(), '4': m({ exemptedBy: ['cyber-essentials-plus'] }) })],
    7: [
      item(
        '7.3.5',
        'date',
        { '2': m(), '3': m(), '4': m() },
        { freshness: { withinMonths: 12, what: 'tested' } },
      ),
    ],
    8: [item('8.3.8', 'yes-no', { '2': o, '3': o, '4': o })],
  };
  return {
    standards: Array.from({ length: 10 }, (_, i) => {
      const id = i + 1;
      const items = specific[id] ?? [item(`${id}.9.1`, 'yes-no', { '4': o })];
      const byAssertion = new Map<string, object[]>();
      for (const it of items as { id: string }[]) {
        const a = it.id.split('.').slice(0, 2).join('.');
        byAssertion.set(a, [...(byAssertion.get(a) ?? []), it]);
      }
      return {
        id,
        title: `Standard ${id}`,
        obligation: id <= 3 ? 'people' : id <= 7 ? 'process' : 'technology',
        summary: text,
        assertions: [...byAssertion].map(([aid, its]) => ({
          id: aid,
          title: `Assertion ${aid}`,
          items: its,
        })),
      };
    }),
  };
};

const ind = (outcome: string, col: 'NA' | 'PA' | 'A', n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `${outcome}.${col}.${i + 1}`, text }));

const objective = (letter: string, outcome: string, pa: number, extra: object = {}) => ({
  objective: {
    id: letter,
    title: `Objective ${letter}`,
    summary: text,
    principles: [
      {
        id: outcome.slice(0, 2),
        title: `Principle ${outcome.slice(0, 2)}`,
        summary: text,
        outcomes: [
          {
            id: outcome,
            title: `Outcome ${outcome}`,
            summary: text,
            indicators: {
              'not-achieved': ind(outcome, 'NA', 2),
              'partially-achieved': ind(outcome, 'PA', pa),
              achieved: ind(outcome, 'A', 3),
            },
            ...extra,
          },
        ],
      },
    ],
  },
});

export function aCatalogue(): Catalogue {
  const catalogue = catalogueFileSchema.parse({
    year: '2025-26',
    cafVersion: 'test',
    deadlines: { baseline: '2025-12-31', final: '2026-06-30' },
    certifications: ['cyber-essentials', 'cyber-essentials-plus', 'iso-27001', 'psn', 'nhsmail'].map(
      (id) => ({ id, name: id, description: text }),
    ),
    categories: [
      {
        id: '1',
        name: 'Cat 1',
        track: 'caf',
        description: text,
        approachingRoute: 'improvement-plan',
        source: 'facts',
      },
      {
        id: '2',
        name: 'Cat 2',
        track: 'standards',
        description: text,
        approachingRoute: 'improvement-plan',
        source: 'facts',
      },
      {
        id: '3',
        name: 'Cat 3',
        track: 'standards',
        description: text,
        approachingRoute: 'approaching-subset',
        exceededWith: 'cyber-essentials-plus',
        source: 'facts',
      },
      {
        id: '4',
        name: 'Cat 4',
        track: 'standards',
        description: text,
        approachingRoute: 'approaching-subset',
        source: 'facts',
      },
    ],
    organisationTypes: [
      { id: 'nhs-trust', name: 'Trust', category: '1', profile: 'test-profile', source: 'facts' },
      { id: 'it-supplier-category-2', name: 'Supplier', category: '2', source: 'facts' },
      { id: 'care-home', name: 'Care home', category: '3', source: 'facts' },
      { id: 'gp-practice', name: 'GP', category: '4', source: 'facts' },
    ],
  });
  const result = assembleCatalogue({
    catalogue: { file: 'catalogue.yaml', data: catalogue },
    standards: { file: 'standards.yaml', data: standardsFileSchema.parse(standardsData()) },
    objectives: [
      objective('A', 'A1.a', 2),
      objective('B', 'B1.a', 0),
      objective('C', 'C1.a', 2),
      objective('D', 'D1.a', 1),
      objective('E', 'E3.a', 2, { mayBeNotApplicable: true }),
    ].map((data, i) => ({ file: `objective-${i}.yaml`, data: cafObjectiveFileSchema.parse(data) })),
    profiles: {
      file: 'profiles.yaml',
      data: profilesFileSchema.parse({
        profiles: [
          {
            id: 'test-profile',
            name: 'Test',
            description: text,
            source: 'inferred',
            levels: {
              'A1.a': 'partially-achieved',
              'B1.a': 'achieved',
              'C1.a': 'partially-achieved',
              'D1.a': 'not-achieved',
              'E3.a': 'achieved',
            },
          },
        ],
      }),
    },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.catalogue;
}

export const AT = '2026-06-30';

/** Responses that meet every mandatory item of the test catalogue on `AT`. */
export function metResponses(
  overrides: Partial<Record<string, Partial<ItemResponse> | null>> = {},
): ItemResponse[] {
  const base: ItemResponse[] = [
    { itemId: '1.1.1', answer: { type: 'text', value: 'ZA123456' }, effectiveDate: '2026-05-01' },
    {
      itemId: '1.1.2',
      answer: { type: 'document', value: 'IAR held on the shared drive' },
      effectiveDate: '2026-01-15',
    },
    { itemId: '3.2.1', answer: { type: 'yes-no', value: true }, effectiveDate: '2026-06-01', metric: 97 },
    { itemId: '4.2.4', answer: { type: 'yes-no', value: true }, effectiveDate: '2026-06-01' },
    { itemId: '7.3.5', answer: { type: 'date', value: '2026-02-10' }, effectiveDate: '2026-02-10' },
  ];
  return base.flatMap((r) => {
    const o = overrides[r.itemId];
    if (o === null) return [];
    return [{ ...r, ...o } as ItemResponse];
  });
}

export const cePlus = (expires = '2027-01-01'): Certification => ({
  kind: 'cyber-essentials-plus',
  number: 'CE-1',
  expires,
});

export function outcomeResponse(outcomeId: string, ...indicators: string[]): OutcomeResponse {
  return { outcomeId, indicators };
}

/** CAF responses that meet the test profile exactly. */
export function cafAtProfile(): OutcomeResponse[] {
  return [
    outcomeResponse('A1.a', 'A1.a.PA.1', 'A1.a.PA.2'),
    outcomeResponse('B1.a', 'B1.a.A.1', 'B1.a.A.2', 'B1.a.A.3'),
    outcomeResponse('C1.a', 'C1.a.PA.1', 'C1.a.PA.2'),
    outcomeResponse('D1.a'),
    outcomeResponse('E3.a', 'E3.a.A.1', 'E3.a.A.2', 'E3.a.A.3'),
  ];
}
