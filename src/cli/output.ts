// Readable text for the `dspt` command: plain English, one fact per line, what to do next.
import type { AssessmentContext } from '../app/assessment-context.ts';
import type {
  OrganisationRecord,
  PlanActionRecord,
  PublicationRecord,
  StoredOutcomeResponse,
  StoredResponse,
} from '../app/ports.ts';
import type { Config } from '../config.ts';
import type { Catalogue, CategoryId } from '../domain/catalogue/model.ts';
import { daysBetween, formatLongDate } from '../domain/dates.ts';
import {
  LEVEL_LABEL,
  STATUS_LABEL,
  categoryOf,
  type AssessmentStatus,
} from '../domain/status/compute-status.ts';
import type { AchievementLevel } from '../domain/catalogue/model.ts';

const EXAMPLE_ODS = 'A81001';

export function firstStep(organisations: number): string {
  return organisations === 0
    ? `Register your organisation: npx dspt org add --ods ${EXAMPLE_ODS} --name "Riverside Surgery" --type gp-practice`
    : 'See where each organisation stands: npx dspt org list, then npx dspt status <ODS code>';
}

export function initialised(
  config: Config,
  engine: string,
  catalogue: Catalogue,
  organisations: number,
): string {
  const where = engine === 'sqlite' ? `SQLite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  return [
    `openDSPT is ready: data in ${where}, evidence encrypted in ${config.dataDir}/evidence.`,
    `Catalogue ${catalogue.year}: final publication due ${formatLongDate(catalogue.deadlines.final)}.`,
    '',
    `Next: ${firstStep(organisations)}`,
    'Organisation types: npx dspt catalogue show',
  ].join('\n');
}

/**
 * What `npm start` prints: where the application is, and the one thing to do next. With no accounts yet that is
 * the one-time link to the first operator account; after that, signing in.
 */
export function serving(
  config: Config,
  catalogue: Catalogue,
  organisations: number,
  setupToken: string | null,
): string {
  const base = config.publicUrl;
  const running = `openDSPT is running at ${base} (catalogue ${catalogue.year}). Press Ctrl+C to stop.`;
  const register = `npx dspt org add --ods ${EXAMPLE_ODS} --name "Riverside Surgery" --type gp-practice`;
  if (setupToken !== null)
    return [
      running,
      '',
      'First step: no accounts yet. Create the first operator account with this one-time link (valid for 24 hours):',
      `  ${base}/setup/${setupToken}`,
      `Then register your organisation in the browser, or from the command line: ${register}`,
      '',
    ].join('\n');
  return [
    running,
    organisations === 0
      ? `First step: sign in at ${base}/sign-in and register your organisation, or from the command line: ${register}`
      : `First step: sign in at ${base}/sign-in to see where each organisation stands, or: npx dspt org list`,
  ].join('\n');
}

function typeName(catalogue: Catalogue, type: string): string {
  return catalogue.organisationTypes.get(type)?.name ?? type;
}

export function registered(org: OrganisationRecord, catalogue: Catalogue): string {
  const category = categoryOf(catalogue, org.type);
  const track = category.track === 'caf' ? 'the CAF-aligned track (47 outcomes)' : 'the standards track';
  const mandatory = catalogue.itemsFor(category.id).filter((i) => i.mandatory).length;
  return [
    `Registered ${org.odsCode} ${org.name}: ${typeName(catalogue, org.type)}, category ${category.id}, on ${track}.`,
    category.track === 'caf'
      ? `Next: record each outcome's indicators, for example: npx dspt caf ${org.odsCode} A1.a --indicators A1.a.A.1,A1.a.A.2`
      : `${mandatory} mandatory items to answer. Next: npx dspt catalogue show --category ${category.id}, then for example: npx dspt answer ${org.odsCode} 1.1.1 --text ZA123456`,
  ].join('\n');
}

export function organisations(orgs: OrganisationRecord[], catalogue: Catalogue): string {
  if (orgs.length === 0) return `No organisations yet. ${firstStep(0)}`;
  return orgs
    .map(
      (o) =>
        `${o.odsCode.padEnd(8)} ${o.name} (${typeName(catalogue, o.type)}, category ${categoryOf(catalogue, o.type).id})`,
    )
    .join('\n');
}

export function catalogueSummary(catalogue: Catalogue): string {
  const lines = [`Catalogue ${catalogue.year} is valid.`];
  for (const c of catalogue.categories.values()) {
    if (c.track === 'caf') {
      lines.push(
        `  category ${c.id}: CAF-aligned, ${catalogue.outcomes.size} outcomes in ${catalogue.objectives.length} objectives`,
      );
      continue;
    }
    const items = catalogue.itemsFor(c.id);
    const inferred = items.filter((i) => i.inferred).length;
    lines.push(
      `  category ${c.id}: ${items.length} evidence items, ${items.filter((i) => i.mandatory).length} mandatory` +
        (inferred > 0 ? ` (${inferred} marked inferred)` : ''),
    );
  }
  lines.push(
    `  ${catalogue.organisationTypes.size} organisation types, ${catalogue.certifications.length} certifications, ${catalogue.profiles.size} CAF profile(s)`,
  );
  return lines.join('\n');
}

export function catalogueText(catalogue: Catalogue, category?: CategoryId): string {
  if (category === undefined) {
    const lines = [`Catalogue ${catalogue.year}. Organisation types (use with "dspt org add --type"):`];
    for (const c of catalogue.categories.values()) {
      lines.push('', `${c.name}: ${c.track === 'caf' ? 'CAF-aligned track' : 'standards track'}`);
      for (const t of catalogue.organisationTypes.values())
        if (t.category === c.id) lines.push(`  ${t.id.padEnd(24)} ${t.name}`);
    }
    lines.push('', "Show a category's items with: dspt catalogue show --category 4");
    return lines.join('\n');
  }
  const c = catalogue.categories.get(category)!;
  if (c.track === 'caf') {
    const lines = [`${c.name}: CAF-aligned track, ${catalogue.outcomes.size} outcomes.`];
    for (const o of catalogue.objectives) {
      lines.push('', `${o.id} ${o.title}`);
      for (const p of o.principles)
        for (const out of p.outcomes)
          lines.push(
            `  ${out.id.padEnd(5)} ${out.title} (${out.indicators['not-achieved'].length}/${out.indicators['partially-achieved'].length}/${out.indicators.achieved.length} indicators)`,
          );
    }
    return lines.join('\n');
  }
  const items = catalogue.itemsFor(category);
  const lines = [
    `${c.name}: ${items.length} evidence items, ${items.filter((i) => i.mandatory).length} mandatory.`,
  ];
  for (const s of catalogue.standards) {
    const mine = items.filter((i) => i.standardId === s.id);
    if (mine.length === 0) continue;
    lines.push('', `Standard ${s.id}: ${s.title}`);
    for (const i of mine) {
      const flags = [i.mandatory ? 'mandatory' : 'optional', i.item.responseType];
      if (i.exemptedBy.length > 0) flags.push(`exempt with ${i.exemptedBy.join(' or ')}`);
      if (i.inferred) flags.push('inferred');
      lines.push(`  ${i.item.id.padEnd(7)} ${i.item.title} [${flags.join(', ')}]`);
    }
  }
  return lines.join('\n');
}

export function catalogueJson(catalogue: Catalogue, category?: CategoryId): unknown {
  if (category === undefined)
    return {
      year: catalogue.year,
      deadlines: catalogue.deadlines,
      categories: [...catalogue.categories.values()],
      organisationTypes: [...catalogue.organisationTypes.values()],
      certifications: catalogue.certifications,
    };
  const c = catalogue.categories.get(category)!;
  if (c.track === 'caf')
    return {
      year: catalogue.year,
      category: c,
      objectives: catalogue.objectives,
      profiles: [...catalogue.profiles.values()],
    };
  return {
    year: catalogue.year,
    category: c,
    items: catalogue.itemsFor(category).map((i) => ({
      id: i.item.id,
      standard: i.standardId,
      assertion: i.assertionId,
      title: i.item.title,
      responseType: i.item.responseType,
      mandatory: i.mandatory,
      approaching: i.approaching,
      exemptedBy: i.exemptedBy,
      asks: i.asks,
      guidance: i.guidance,
      freshness: i.item.freshness,
      threshold: i.item.threshold,
      collectors: i.item.collectors,
      source: i.inferred ? 'inferred' : 'facts',
    })),
  };
}

export function answered(r: StoredResponse, catalogue: Catalogue): string {
  const item = catalogue.items.get(r.itemId);
  const a = r.answer;
  const value =
    a.type === 'yes-no'
      ? a.value
        ? 'yes'
        : 'no'
      : a.type === 'document' && a.evidenceId
        ? `document ${a.value} (encrypted evidence)`
        : a.value;
  return `Recorded ${r.itemId} ${item?.title ?? ''}: ${value}, as of ${r.effectiveDate}.`;
}

export function outcomeRecorded(r: StoredOutcomeResponse & { achieved: AchievementLevel }): string {
  return `Recorded ${r.outcomeId}: ${r.notApplicable !== undefined ? `not applicable (${r.notApplicable})` : `${r.indicators.length} indicators true`}; achievement ${LEVEL_LABEL[r.achieved]}.`;
}

export function status(s: AssessmentStatus, ctx: AssessmentContext, catalogue: Catalogue): string {
  const org = ctx.organisation;
  const days = daysBetween(s.at, catalogue.deadlines.final);
  const lines = [
    `${org.odsCode} ${org.name}: ${typeName(catalogue, org.type)}, category ${s.category}`,
    `Assessment ${ctx.assessment.year}, evaluated on ${formatLongDate(s.at)}` +
      (days >= 0
        ? ` (${days} days before the ${formatLongDate(catalogue.deadlines.final)} deadline)`
        : ` (the ${formatLongDate(catalogue.deadlines.final)} deadline has passed)`),
    '',
    `Status: ${STATUS_LABEL[s.status]}`,
    s.track === 'caf'
      ? `Outcomes at the expected profile: ${s.progress.done} of ${s.progress.total}`
      : `Mandatory items met: ${s.progress.done} of ${s.progress.total}`,
  ];
  const exempt = s.items.filter((i) => i.state === 'exempt');
  if (exempt.length > 0)
    lines.push(`Exempt through certification: ${exempt.map((i) => i.itemId).join(', ')}`);
  if (s.reasons.length > 0) {
    lines.push('', s.status === 'standards-met' ? 'To go further:' : 'What is missing:');
    const shown = s.reasons.slice(0, 40);
    for (const r of shown) lines.push(`  - ${r.message}`);
    if (s.reasons.length > shown.length)
      lines.push(`  ... and ${s.reasons.length - shown.length} more (use --json for all)`);
  }
  if (s.status === 'standards-not-met')
    lines.push(
      '',
      `Next: answer what is missing, or draft the improvement plan: npx dspt plan ${org.odsCode} --owner "<name>"`,
    );
  else
    lines.push(
      '',
      `Next: publish: npx dspt publish ${org.odsCode} --kind final --signer "<name>" --role SIRO`,
    );
  return lines.join('\n');
}

export function plan(actions: PlanActionRecord[], ods: string): string {
  if (actions.length === 0)
    return `Nothing to plan: every mandatory requirement of ${ods.toUpperCase()} is met.`;
  const lines = [
    `Improvement plan for ${ods.toUpperCase()}: ${actions.length} action${actions.length === 1 ? '' : 's'}.`,
  ];
  for (const a of actions) {
    lines.push(
      '',
      `${a.targetId}: ${a.gap}`,
      `  Action: ${a.action}`,
      `  Owner: ${a.owner ?? '(none yet: use --owner)'}  Due: ${a.dueDate ?? '(none yet: use --due)'}`,
    );
  }
  return lines.join('\n');
}

export function published(p: PublicationRecord, ods: string): string {
  return [
    `Published the ${p.kind} assessment of ${ods.toUpperCase()}: ${STATUS_LABEL[p.status as keyof typeof STATUS_LABEL] ?? p.status}.`,
    `Signed by ${p.signerName} (${p.signerRole}) at ${p.publishedAt}.`,
    `Snapshot SHA-256: ${p.sha256}`,
    'The snapshot is locked; later changes start a new draft.',
  ].join('\n');
}
