// Loads an organisation's assessment for the catalogue year and turns it into the status engine's input.
// Shared by the use cases that read or change an assessment; not a use case itself.
import { randomUUID } from 'node:crypto';
import { computeStatus, type AssessmentStatus } from '../domain/status/compute-status.ts';
import { categoryOf } from '../domain/status/compute-status.ts';
import type { IsoDate } from '../domain/assessment.ts';
import type {
  AssessmentRecord,
  Deps,
  EvidenceLinkRecord,
  OrganisationRecord,
  PlanActionRecord,
  PublicationRecord,
  Store,
  StoredOutcomeResponse,
  StoredResponse,
} from './ports.ts';

export interface AssessmentContext {
  organisation: OrganisationRecord;
  assessment: AssessmentRecord;
  responses: StoredResponse[];
  outcomeResponses: StoredOutcomeResponse[];
  links: (EvidenceLinkRecord & { effectiveDate: IsoDate; sha256: string })[];
  plan: PlanActionRecord[];
  publications: PublicationRecord[];
}

/** The assessment of `organisation` for the catalogue's year, created on first use. */
export async function assessmentFor(
  store: Store,
  deps: Pick<Deps, 'catalogue' | 'clock'>,
  organisation: OrganisationRecord,
): Promise<AssessmentRecord> {
  const year = deps.catalogue.year;
  const existing = await store.assessments.find(organisation.id, year);
  if (existing) return existing;
  const created: AssessmentRecord = {
    id: randomUUID(),
    organisationId: organisation.id,
    year,
    createdAt: deps.clock.now().toISOString(),
    planApprovedBy: null,
    planApprovedAt: null,
  };
  await store.assessments.insert(created);
  return created;
}

/**
 * Everything recorded in the assessment. Reading never writes: an assessment not started yet is returned
 * empty, with an ID of its own that is not stored.
 */
export async function loadAssessment(
  store: Store,
  deps: Pick<Deps, 'catalogue' | 'clock'>,
  organisation: OrganisationRecord,
): Promise<AssessmentContext> {
  const assessment = await store.assessments.find(organisation.id, deps.catalogue.year);
  if (!assessment) {
    const unsaved: AssessmentRecord = {
      id: randomUUID(),
      organisationId: organisation.id,
      year: deps.catalogue.year,
      createdAt: deps.clock.now().toISOString(),
      planApprovedBy: null,
      planApprovedAt: null,
    };
    return {
      organisation,
      assessment: unsaved,
      responses: [],
      outcomeResponses: [],
      links: [],
      plan: [],
      publications: [],
    };
  }
  const [responses, outcomeResponses, links, plan, publications] = await Promise.all([
    store.responses.list(assessment.id),
    store.outcomeResponses.list(assessment.id),
    store.evidence.listLinks(assessment.id),
    store.planActions.list(assessment.id),
    store.publications.list(assessment.id),
  ]);
  return { organisation, assessment, responses, outcomeResponses, links, plan, publications };
}

/**
 * `loadAssessment` for readers that change nothing: while the organisation's revision is the one last read,
 * the assessment read then is reused (frozen, so it must not be changed). Writers use `loadAssessment` inside
 * their transaction.
 */
export async function readAssessment(
  deps: Pick<Deps, 'store' | 'catalogue' | 'clock' | 'assessmentCache'>,
  organisation: OrganisationRecord,
): Promise<AssessmentContext> {
  const { assessmentCache: cache, catalogue } = deps;
  if (!cache || organisation.revision === undefined) return loadAssessment(deps.store, deps, organisation);
  const kept = cache.get(organisation, catalogue.year);
  if (kept) return kept;
  const context = await loadAssessment(deps.store, deps, organisation);
  cache.set(organisation, catalogue.year, context);
  return context;
}

/** `statusOf` for readers: worked out once per revision and date while the assessment is kept. */
export function readStatus(
  deps: Pick<Deps, 'catalogue' | 'assessmentCache'>,
  context: AssessmentContext,
  at: IsoDate,
): AssessmentStatus {
  const compute = () => statusOf(deps, context, at);
  return deps.assessmentCache
    ? deps.assessmentCache.status(context.organisation, deps.catalogue.year, at, compute)
    : compute();
}

export function statusOf(
  deps: Pick<Deps, 'catalogue'>,
  ctx: AssessmentContext,
  at: IsoDate,
): AssessmentStatus {
  return computeStatus({
    catalogue: deps.catalogue,
    organisation: { type: ctx.organisation.type, certifications: ctx.organisation.certifications },
    responses: ctx.responses,
    outcomeResponses: ctx.outcomeResponses,
    evidence: ctx.links,
    plan: {
      actions: ctx.plan,
      ...(ctx.assessment.planApprovedBy ? { approvedBy: ctx.assessment.planApprovedBy } : {}),
    },
    publishedApproachingBefore: ctx.publications.some((p) => p.status === 'approaching-standards'),
    at,
  });
}

export function trackOf(deps: Pick<Deps, 'catalogue'>, organisation: OrganisationRecord) {
  return categoryOf(deps.catalogue, organisation.type);
}
