// Public catalogue pages: organisation types and categories, the evidence items of each standards-track
// category, one item in full, and the CAF-aligned objectives, principles and outcomes with their indicators.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type {
  ApplicableItem,
  Assertion,
  Catalogue,
  Category,
  CategoryId,
  CertificationKind,
  EvidenceItem,
  Standard,
} from '../../domain/catalogue/model.ts';
import { freshnessRule, responseTypeLabel, thresholdRule } from '../format.ts';
import { renderBadRequest } from '../set-up-error-pages.ts';

type CategoryChoice = { ok: true; category?: Category } | { ok: false; message: string };

/** Read `?category=` as one of the standards-track categories; absent is allowed, anything else is explained. */
function parseCategory(
  catalogue: Catalogue,
  query: unknown,
  standardsCategories: readonly Category[],
): CategoryChoice {
  const raw = z.object({ category: z.unknown().optional() }).parse(query ?? {}).category;
  if (raw === undefined || raw === '') return { ok: true };
  const choices = standardsCategories.map((c) => c.id);
  const list = `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
  if (typeof raw !== 'string') return { ok: false, message: `Give one category only: ${list}.` };
  const category = catalogue.categories.get(raw as CategoryId);
  if (category && category.track === 'caf')
    return {
      ok: false,
      message: `${category.name} uses the CAF-aligned track, which has outcomes instead of evidence items. Choose category ${list}, or read the CAF outcomes.`,
    };
  if (!category || !choices.includes(category.id))
    return {
      ok: false,
      message: `There is no category "${raw.slice(0, 20)}" with evidence items. Choose category ${list}.`,
    };
  return { ok: true, category };
}

interface ItemRow {
  id: string;
  title: string;
  href: string;
  responseType: string;
  mandatory: boolean;
  exemptions: string[];
}

export function registerCatalogueRoutes(app: FastifyInstance, deps: { catalogue: Catalogue }): void {
  const { catalogue } = deps;
  const categories = [...catalogue.categories.values()].sort((a, b) => a.id.localeCompare(b.id));
  const standardsCategories = categories.filter((c) => c.track === 'standards');
  const certificationNames = new Map(catalogue.certifications.map((c) => [c.id, c.name]));
  const exemptionNames = (kinds: readonly CertificationKind[]) =>
    kinds.map((k) => certificationNames.get(k) ?? k);

  // Where each item sits, computed once: the pages name its standard and assertion.
  const placeOf = new Map<string, { standard: Standard; assertion: Assertion }>();
  for (const standard of catalogue.standards)
    for (const assertion of standard.assertions)
      for (const item of assertion.items) placeOf.set(item.id, { standard, assertion });

  const itemHref = (id: string, category?: Category) =>
    `/catalogue/standards/items/${encodeURIComponent(id)}${category ? `?category=${category.id}` : ''}`;
  const standardsHref = (category: Category) => `/catalogue/standards?category=${category.id}`;

  app.get('/catalogue', async (_request, reply) =>
    reply.render('catalogue/index.njk', {
      pageTitle: 'Organisation types and categories',
      breadcrumbs: [{ href: '/', text: 'Home' }],
      year: catalogue.year,
      groups: categories.map((category) => ({
        category,
        href: category.track === 'standards' ? standardsHref(category) : '/catalogue/caf',
        types: [...catalogue.organisationTypes.values()].filter((t) => t.category === category.id),
        itemCount: category.track === 'standards' ? catalogue.itemsFor(category.id).length : undefined,
      })),
      outcomeCount: catalogue.outcomes.size,
      certificationRows: catalogue.certifications.map((c) => ({
        key: { text: c.name },
        value: { text: c.description },
      })),
    }),
  );

  app.get('/catalogue/standards', async (request, reply) => {
    const choice = parseCategory(catalogue, request.query, standardsCategories);
    if (!choice.ok) return renderBadRequest(reply, choice.message);
    const { category } = choice;
    if (!category)
      return reply.render('catalogue/choose-category.njk', {
        pageTitle: 'Choose a category',
        breadcrumbs: [
          { href: '/', text: 'Home' },
          { href: '/catalogue', text: 'Catalogue' },
        ],
        choices: standardsCategories.map((c) => ({
          category: c,
          href: standardsHref(c),
          itemCount: catalogue.itemsFor(c.id).length,
        })),
      });

    const applicable = catalogue.itemsFor(category.id);
    const rowsByAssertion = new Map<string, ItemRow[]>();
    for (const a of applicable) {
      const rows = rowsByAssertion.get(a.assertionId) ?? [];
      rows.push(itemRow(a));
      rowsByAssertion.set(a.assertionId, rows);
    }
    return reply.render('catalogue/standards.njk', {
      pageTitle: `Evidence items for ${category.name}`,
      breadcrumbs: [
        { href: '/', text: 'Home' },
        { href: '/catalogue', text: 'Catalogue' },
      ],
      year: catalogue.year,
      category,
      otherCategories: standardsCategories
        .filter((c) => c.id !== category.id)
        .map((c) => ({ category: c, href: standardsHref(c) })),
      itemCount: applicable.length,
      mandatoryCount: applicable.filter((a) => a.mandatory).length,
      standards: catalogue.standards.map((s) => ({
        id: s.id,
        title: s.title,
        obligation: s.obligation,
        summary: s.summary,
        assertions: s.assertions
          .map((a) => ({ id: a.id, title: a.title, items: rowsByAssertion.get(a.id) ?? [] }))
          .filter((a) => a.items.length > 0),
      })),
    });

    function itemRow(a: ApplicableItem): ItemRow {
      return {
        id: a.item.id,
        title: a.item.title,
        href: itemHref(a.item.id, category),
        responseType: responseTypeLabel(a.item.responseType),
        mandatory: a.mandatory,
        exemptions: exemptionNames(a.exemptedBy),
      };
    }
  });

  app.get<{ Params: { id: string } }>('/catalogue/standards/items/:id', async (request, reply) => {
    // Any string is looked up as it is: an ID that is not in the catalogue, however malformed, is simply not found.
    const { id } = request.params;
    const item = catalogue.items.get(id);
    const place = placeOf.get(id);
    if (!item || !place) return reply.callNotFound();
    const choice = parseCategory(catalogue, request.query, standardsCategories);
    if (!choice.ok) return renderBadRequest(reply, choice.message);
    const { category } = choice;
    const applicable = category ? catalogue.itemsFor(category.id).find((a) => a.item.id === id) : undefined;

    return reply.render('catalogue/item.njk', {
      pageTitle: `${item.id} ${item.title}`,
      breadcrumbs: [
        { href: '/', text: 'Home' },
        { href: '/catalogue', text: 'Catalogue' },
        category
          ? { href: standardsHref(category), text: `Evidence items for category ${category.id}` }
          : { href: '/catalogue/standards', text: 'Evidence items' },
      ],
      item,
      standard: place.standard,
      assertion: place.assertion,
      category,
      appliesToCategory: category ? applicable !== undefined : undefined,
      asks: applicable?.asks ?? item.asks,
      guidance: applicable?.guidance ?? item.guidance,
      mandatory: applicable?.mandatory,
      exemptions: applicable ? exemptionNames(applicable.exemptedBy) : [],
      responseType: responseTypeLabel(item.responseType),
      freshness: item.freshness ? freshnessRule(item.freshness) : undefined,
      threshold: item.threshold ? thresholdRule(item.threshold) : undefined,
      applicability: standardsCategories.map((c) => applicabilityRow(item, c)),
    });
  });

  function applicabilityRow(item: EvidenceItem, category: Category) {
    const flags = item.categories[category.id];
    return {
      category,
      href: itemHref(item.id, category),
      applies: flags !== undefined,
      mandatory: flags?.mandatory ?? false,
      approaching: flags?.approaching ?? false,
      exemptions: flags ? exemptionNames(flags.exemptedBy) : [],
    };
  }

  const profiles = [...catalogue.profiles.values()];
  const typesByProfile = new Map(
    profiles.map((p) => [p.id, [...catalogue.organisationTypes.values()].filter((t) => t.profile === p.id)]),
  );

  app.get('/catalogue/caf', async (_request, reply) =>
    reply.render('catalogue/caf.njk', {
      pageTitle: 'CAF-aligned objectives and outcomes',
      breadcrumbs: [
        { href: '/', text: 'Home' },
        { href: '/catalogue', text: 'Catalogue' },
      ],
      year: catalogue.year,
      cafVersion: catalogue.cafVersion,
      outcomeCount: catalogue.outcomes.size,
      objectives: catalogue.objectives,
      profiles,
    }),
  );

  app.get<{ Params: { outcomeId: string } }>('/catalogue/caf/:outcomeId', async (request, reply) => {
    const { outcomeId } = request.params;
    const outcome = catalogue.outcomes.get(outcomeId);
    if (!outcome) return reply.callNotFound();
    const objective = catalogue.objectives.find((o) =>
      o.principles.some((p) => p.outcomes.some((x) => x.id === outcomeId)),
    );
    const principle = objective?.principles.find((p) => p.outcomes.some((x) => x.id === outcomeId));
    return reply.render('catalogue/outcome.njk', {
      pageTitle: `${outcome.id} ${outcome.title}`,
      breadcrumbs: [
        { href: '/', text: 'Home' },
        { href: '/catalogue', text: 'Catalogue' },
        { href: '/catalogue/caf', text: 'CAF outcomes' },
      ],
      outcome,
      objective,
      principle,
      columns: [
        {
          level: 'not-achieved',
          heading: 'Not achieved',
          lead: 'If any of these is true, the outcome is not achieved.',
          indicators: outcome.indicators['not-achieved'],
        },
        {
          level: 'partially-achieved',
          heading: 'Partially achieved',
          lead: 'All of these must be true, and none of the not achieved statements.',
          indicators: outcome.indicators['partially-achieved'],
        },
        {
          level: 'achieved',
          heading: 'Achieved',
          lead: 'All of these must be true, and none of the not achieved statements.',
          indicators: outcome.indicators.achieved,
        },
      ],
      expected: profiles.map((p) => ({
        profile: p,
        level: p.levels[outcome.id],
        types: typesByProfile.get(p.id) ?? [],
      })),
    });
  });
}
