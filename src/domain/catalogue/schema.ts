// The shape of a year's catalogue files (catalogue/<year>/*.yaml), checked with zod so that a typo in the
// content names its file and path instead of surfacing later as a wrong status.
import { z } from 'zod';

export const RESPONSE_TYPES = ['yes-no', 'text', 'date', 'document'] as const;
export const ACHIEVEMENT_LEVELS = ['not-achieved', 'partially-achieved', 'achieved'] as const;
export const CATEGORY_IDS = ['1', '2', '3', '4'] as const;

const id = (pattern: RegExp, what: string) => z.string().regex(pattern, `expected ${what}`);
const plain = z.string().trim().min(1, 'expected some text');
/** Where a fact came from: `facts` is backed by the research notes, `inferred` is our best judgement. */
const source = z.enum(['facts', 'inferred']);

export const certificationKindSchema = z.enum([
  'cyber-essentials',
  'cyber-essentials-plus',
  'iso-27001',
  'psn',
  'nhsmail',
]);

/** `catalogue.yaml`: the year, its deadlines, categories, organisation types and certifications. */
export const catalogueFileSchema = z.strictObject({
  year: id(/^\d{4}-\d{2}$/, 'a year such as 2025-26'),
  cafVersion: plain,
  deadlines: z.strictObject({
    baseline: z.iso.date(),
    final: z.iso.date(),
  }),
  certifications: z
    .array(
      z.strictObject({
        id: certificationKindSchema,
        name: plain,
        description: plain,
      }),
    )
    .min(1),
  categories: z
    .array(
      z.strictObject({
        id: z.enum(CATEGORY_IDS),
        name: plain,
        track: z.enum(['standards', 'caf']),
        description: plain,
        /**
         * How an organisation that is not yet Met reaches Approaching Standards: `improvement-plan` (large
         * organisations: the plan is approved) or `approaching-subset` (small organisations: the subset is met
         * and an action plan is recorded, once).
         */
        approachingRoute: z.enum(['improvement-plan', 'approaching-subset']),
        /** Standards Exceeded: Met plus a valid certification of this kind. Absent: no Exceeded status. */
        exceededWith: certificationKindSchema.optional(),
        source,
      }),
    )
    .min(1),
  organisationTypes: z
    .array(
      z.strictObject({
        id: id(/^[a-z0-9-]+$/, 'a kebab-case identifier'),
        name: plain,
        category: z.enum(CATEGORY_IDS),
        /** The CAF expected profile for organisation types on the CAF track. */
        profile: id(/^[a-z0-9-]+$/, 'a kebab-case profile identifier').optional(),
        source,
      }),
    )
    .min(1),
});

const freshnessSchema = z.strictObject({
  /** The fact (review, test, training) must be dated no more than this many months before publication. */
  withinMonths: z.number().int().positive(),
  /** What must have happened in that window, in plain English ("reviewed", "tested"). */
  what: plain,
});

const thresholdSchema = z.strictObject({
  metric: id(/^[a-z0-9-]+$/, 'a kebab-case metric name'),
  /** The smallest acceptable value, inclusive. */
  atLeast: z.number(),
  unit: z.enum(['percent', 'count', 'days']),
  what: plain,
});

const itemCategorySchema = z.strictObject({
  mandatory: z.boolean(),
  /** Part of the Approaching Standards subset for categories that use that route. */
  approaching: z.boolean().default(false),
  /** Declared certifications that skip this item for this category. */
  exemptedBy: z.array(certificationKindSchema).default([]),
  /** Category-specific wording, when it differs from the item's. */
  asks: plain.optional(),
  guidance: plain.optional(),
  source,
});

export const evidenceItemSchema = z.strictObject({
  id: id(/^\d{1,2}\.\d{1,2}\.\d{1,2}$/, 'an evidence item ID such as 1.1.1'),
  title: plain,
  responseType: z.enum(RESPONSE_TYPES),
  /** What the item asks, in plain English. */
  asks: plain,
  /** What good evidence looks like. */
  guidance: plain,
  /** A suggested improvement action when the item is not met. */
  improve: plain,
  freshness: freshnessSchema.optional(),
  threshold: thresholdSchema.optional(),
  collectors: z.array(id(/^[a-z0-9-]+$/, 'a collector kind')).default([]),
  /** Per category that the item applies to; categories absent here do not see the item. */
  categories: z.partialRecord(z.enum(CATEGORY_IDS), itemCategorySchema),
});

export const standardsFileSchema = z.strictObject({
  standards: z
    .array(
      z.strictObject({
        id: z.number().int().min(1).max(10),
        title: plain,
        obligation: z.enum(['people', 'process', 'technology']),
        summary: plain,
        assertions: z
          .array(
            z.strictObject({
              id: id(/^\d{1,2}\.\d{1,2}$/, 'an assertion ID such as 1.1'),
              title: plain,
              items: z.array(evidenceItemSchema).min(1),
            }),
          )
          .min(1),
      }),
    )
    .length(10, 'expected all ten National Data Guardian standards'),
});

const indicatorSchema = z.strictObject({
  id: id(/^[A-E]\d\.[a-z]\.(NA|PA|A)\.\d{1,2}$/, 'an indicator ID such as A1.a.NA.1'),
  text: plain,
});

export const outcomeSchema = z.strictObject({
  id: id(/^[A-E]\d\.[a-z]$/, 'an outcome ID such as A1.a'),
  title: plain,
  /** What the outcome is about, in plain English. */
  summary: plain,
  /** Some Objective E outcomes may not apply (no direct care); they are then Achieved with a justification. */
  mayBeNotApplicable: z.boolean().default(false),
  indicators: z.strictObject({
    'not-achieved': z.array(indicatorSchema).min(1),
    'partially-achieved': z.array(indicatorSchema).default([]),
    achieved: z.array(indicatorSchema).min(1),
  }),
});

export const cafObjectiveFileSchema = z.strictObject({
  objective: z.strictObject({
    id: id(/^[A-E]$/, 'an objective letter A-E'),
    title: plain,
    summary: plain,
    principles: z
      .array(
        z.strictObject({
          id: id(/^[A-E]\d$/, 'a principle ID such as A1'),
          title: plain,
          summary: plain,
          outcomes: z.array(outcomeSchema).min(1),
        }),
      )
      .min(1),
  }),
});

export const profilesFileSchema = z.strictObject({
  profiles: z
    .array(
      z.strictObject({
        id: id(/^[a-z0-9-]+$/, 'a kebab-case identifier'),
        name: plain,
        description: plain,
        source,
        levels: z.record(id(/^[A-E]\d\.[a-z]$/, 'an outcome ID such as A1.a'), z.enum(ACHIEVEMENT_LEVELS)),
      }),
    )
    .min(1),
});

export type CatalogueFile = z.infer<typeof catalogueFileSchema>;
export type StandardsFile = z.infer<typeof standardsFileSchema>;
export type CafObjectiveFile = z.infer<typeof cafObjectiveFileSchema>;
export type ProfilesFile = z.infer<typeof profilesFileSchema>;
