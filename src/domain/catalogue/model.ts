// The catalogue of one assessment year, assembled from its files and cross-checked, with the lookups the
// status engine needs precomputed per category.
import type { z } from 'zod';
import {
  ACHIEVEMENT_LEVELS,
  type CafObjectiveFile,
  type CatalogueFile,
  type ProfilesFile,
  type StandardsFile,
  type certificationKindSchema,
  type evidenceItemSchema,
  type outcomeSchema,
} from './schema.ts';

export type CategoryId = '1' | '2' | '3' | '4';
export type Track = 'standards' | 'caf';
export type ResponseType = 'yes-no' | 'text' | 'date' | 'document';
export type AchievementLevel = (typeof ACHIEVEMENT_LEVELS)[number];
export type CertificationKind = z.infer<typeof certificationKindSchema>;
export type EvidenceItem = z.infer<typeof evidenceItemSchema>;
export type Outcome = z.infer<typeof outcomeSchema>;
export type Category = CatalogueFile['categories'][number];
export type OrganisationType = CatalogueFile['organisationTypes'][number];
export type Standard = StandardsFile['standards'][number];
export type Assertion = Standard['assertions'][number];
export type Objective = CafObjectiveFile['objective'];
export type Principle = Objective['principles'][number];
export type Profile = ProfilesFile['profiles'][number];

/** An evidence item as it applies to one category: the wording and flags of that category. */
export interface ApplicableItem {
  item: EvidenceItem;
  assertionId: string;
  standardId: number;
  mandatory: boolean;
  approaching: boolean;
  exemptedBy: readonly CertificationKind[];
  asks: string;
  guidance: string;
  inferred: boolean;
}

export interface Catalogue {
  year: string;
  cafVersion: string;
  deadlines: CatalogueFile['deadlines'];
  certifications: CatalogueFile['certifications'];
  categories: ReadonlyMap<CategoryId, Category>;
  organisationTypes: ReadonlyMap<string, OrganisationType>;
  standards: readonly Standard[];
  objectives: readonly Objective[];
  profiles: ReadonlyMap<string, Profile>;
  items: ReadonlyMap<string, EvidenceItem>;
  outcomes: ReadonlyMap<string, Outcome>;
  /** Items per category, in catalogue order. */
  itemsFor(category: CategoryId): readonly ApplicableItem[];
}

/** A problem in the catalogue content: which file, where inside it, and what was expected. */
export interface CatalogueProblem {
  file: string;
  path: (string | number)[];
  message: string;
}

export interface CatalogueFiles {
  catalogue: { file: string; data: CatalogueFile };
  standards: { file: string; data: StandardsFile };
  objectives: { file: string; data: CafObjectiveFile }[];
  profiles: { file: string; data: ProfilesFile };
}

/** Assemble the parsed files into a catalogue, or list every cross-file inconsistency found. */
export function assembleCatalogue(
  files: CatalogueFiles,
): { ok: true; catalogue: Catalogue } | { ok: false; problems: CatalogueProblem[] } {
  const problems: CatalogueProblem[] = [];
  const cat = files.catalogue.data;
  const catFile = files.catalogue.file;

  const categories = new Map<CategoryId, Category>();
  cat.categories.forEach((c, i) => {
    if (categories.has(c.id)) problems.push({ file: catFile, path: ['categories', i, 'id'], message: `category ${c.id} is defined twice` });
    categories.set(c.id, c);
  });
  const certKinds = new Set(cat.certifications.map((c) => c.id));
  cat.categories.forEach((c, i) => {
    if (c.exceededWith && !certKinds.has(c.exceededWith))
      problems.push({ file: catFile, path: ['categories', i, 'exceededWith'], message: `unknown certification "${c.exceededWith}"` });
  });

  const profiles = new Map<string, Profile>();
  files.profiles.data.profiles.forEach((p, i) => {
    if (profiles.has(p.id))
      problems.push({ file: files.profiles.file, path: ['profiles', i, 'id'], message: `profile "${p.id}" is defined twice` });
    profiles.set(p.id, p);
  });

  const organisationTypes = new Map<string, OrganisationType>();
  cat.organisationTypes.forEach((t, i) => {
    const where = ['organisationTypes', i];
    if (organisationTypes.has(t.id)) problems.push({ file: catFile, path: [...where, 'id'], message: `organisation type "${t.id}" is defined twice` });
    organisationTypes.set(t.id, t);
    const category = categories.get(t.category);
    if (!category) {
      problems.push({ file: catFile, path: [...where, 'category'], message: `category ${t.category} is not defined under categories` });
      return;
    }
    if (category.track === 'caf' && !t.profile)
      problems.push({ file: catFile, path: [...where, 'profile'], message: 'expected a profile: this type is on the CAF-aligned track' });
    if (category.track === 'standards' && t.profile)
      problems.push({ file: catFile, path: [...where, 'profile'], message: 'unexpected profile: this type is on the standards track' });
    if (t.profile && !profiles.has(t.profile))
      problems.push({ file: catFile, path: [...where, 'profile'], message: `profile "${t.profile}" is not defined in ${files.profiles.file}` });
  });

  // Standards track: IDs nest (item 1.1.2 sits under assertion 1.1 under standard 1) and are unique.
  const items = new Map<string, EvidenceItem>();
  const stdFile = files.standards.file;
  const standardsTrackCategories = [...categories.values()].filter((c) => c.track === 'standards').map((c) => c.id);
  files.standards.data.standards.forEach((s, si) => {
    if (s.id !== si + 1) problems.push({ file: stdFile, path: ['standards', si, 'id'], message: `expected standard ${si + 1} here, in order` });
    s.assertions.forEach((a, ai) => {
      const aPath = ['standards', si, 'assertions', ai];
      if (!a.id.startsWith(`${s.id}.`)) problems.push({ file: stdFile, path: [...aPath, 'id'], message: `expected an assertion of standard ${s.id} (${s.id}.N)` });
      a.items.forEach((item, ii) => {
        const iPath = [...aPath, 'items', ii];
        if (!item.id.startsWith(`${a.id}.`)) problems.push({ file: stdFile, path: [...iPath, 'id'], message: `expected an item of assertion ${a.id} (${a.id}.N)` });
        if (items.has(item.id)) problems.push({ file: stdFile, path: [...iPath, 'id'], message: `item ${item.id} is defined twice` });
        items.set(item.id, item);
        for (const [cid, flags] of Object.entries(item.categories)) {
          if (!standardsTrackCategories.includes(cid as CategoryId))
            problems.push({ file: stdFile, path: [...iPath, 'categories', cid], message: `category ${cid} is not on the standards track` });
          flags?.exemptedBy.forEach((kind, ei) => {
            if (!certKinds.has(kind)) problems.push({ file: stdFile, path: [...iPath, 'categories', cid, 'exemptedBy', ei], message: `unknown certification "${kind}"` });
          });
          if (flags?.approaching && !flags.mandatory)
            problems.push({ file: stdFile, path: [...iPath, 'categories', cid, 'approaching'], message: 'expected only mandatory items in the Approaching Standards subset' });
        }
        if (item.threshold && item.responseType === 'date')
          problems.push({ file: stdFile, path: [...iPath, 'threshold'], message: 'a date item cannot carry a threshold' });
      });
    });
  });

  // CAF-aligned track: objectives A-E once each, outcome IDs nested and unique, indicator IDs in their column.
  const outcomes = new Map<string, Outcome>();
  const objectives = [...files.objectives].sort((a, b) => a.data.objective.id.localeCompare(b.data.objective.id));
  const seenObjectives = new Set<string>();
  for (const { file, data } of objectives) {
    const o = data.objective;
    if (seenObjectives.has(o.id)) problems.push({ file, path: ['objective', 'id'], message: `objective ${o.id} is defined in more than one file` });
    seenObjectives.add(o.id);
    o.principles.forEach((p, pi) => {
      const pPath = ['objective', 'principles', pi];
      if (!p.id.startsWith(o.id)) problems.push({ file, path: [...pPath, 'id'], message: `expected a principle of objective ${o.id}` });
      p.outcomes.forEach((out, oi) => {
        const oPath = [...pPath, 'outcomes', oi];
        if (!out.id.startsWith(`${p.id}.`)) problems.push({ file, path: [...oPath, 'id'], message: `expected an outcome of principle ${p.id} (${p.id}.x)` });
        if (outcomes.has(out.id)) problems.push({ file, path: [...oPath, 'id'], message: `outcome ${out.id} is defined twice` });
        outcomes.set(out.id, out);
        const seenIndicators = new Set<string>();
        for (const [column, prefix] of [['not-achieved', 'NA'], ['partially-achieved', 'PA'], ['achieved', 'A']] as const) {
          out.indicators[column].forEach((ind, ii) => {
            if (!ind.id.startsWith(`${out.id}.${prefix}.`))
              problems.push({ file, path: [...oPath, 'indicators', column, ii, 'id'], message: `expected ${out.id}.${prefix}.N in the ${column} column` });
            if (seenIndicators.has(ind.id)) problems.push({ file, path: [...oPath, 'indicators', column, ii, 'id'], message: `indicator ${ind.id} is defined twice` });
            seenIndicators.add(ind.id);
          });
        }
      });
    });
  }
  for (const letter of ['A', 'B', 'C', 'D', 'E'])
    if (!seenObjectives.has(letter)) problems.push({ file: 'caf/', path: [], message: `expected a file for CAF objective ${letter}` });

  files.profiles.data.profiles.forEach((p, pi) => {
    for (const [outcomeId, level] of Object.entries(p.levels)) {
      const outcome = outcomes.get(outcomeId);
      const path = ['profiles', pi, 'levels', outcomeId];
      if (!outcome) problems.push({ file: files.profiles.file, path, message: `outcome ${outcomeId} is not in the CAF files` });
      else if (level === 'partially-achieved' && outcome.indicators['partially-achieved'].length === 0)
        problems.push({ file: files.profiles.file, path, message: `outcome ${outcomeId} has no partially-achieved column, so expected achieved or not-achieved` });
    }
    for (const outcomeId of outcomes.keys())
      if (!(outcomeId in p.levels)) problems.push({ file: files.profiles.file, path: ['profiles', pi, 'levels'], message: `expected a level for outcome ${outcomeId}` });
  });

  if (problems.length > 0) return { ok: false, problems };

  const standards = files.standards.data.standards;
  const byCategory = new Map<CategoryId, ApplicableItem[]>();
  for (const categoryId of categories.keys()) {
    const list: ApplicableItem[] = [];
    for (const s of standards)
      for (const a of s.assertions)
        for (const item of a.items) {
          const flags = item.categories[categoryId];
          if (!flags) continue;
          list.push({
            item,
            assertionId: a.id,
            standardId: s.id,
            mandatory: flags.mandatory,
            approaching: flags.approaching,
            exemptedBy: flags.exemptedBy,
            asks: flags.asks ?? item.asks,
            guidance: flags.guidance ?? item.guidance,
            inferred: flags.source === 'inferred',
          });
        }
    byCategory.set(categoryId, list);
  }

  return {
    ok: true,
    catalogue: {
      year: cat.year,
      cafVersion: cat.cafVersion,
      deadlines: cat.deadlines,
      certifications: cat.certifications,
      categories,
      organisationTypes,
      standards,
      objectives: objectives.map((o) => o.data.objective),
      profiles,
      items,
      outcomes,
      itemsFor: (category) => byCategory.get(category) ?? [],
    },
  };
}
