// Drafts (or redrafts) the improvement plan from the current status and stores it: one action per unmet
// mandatory item or outcome below profile, keeping what was already written for targets still unmet.
import { randomUUID } from 'node:crypto';
import type { IsoDate } from '../domain/assessment.ts';
import { addMonths, isIsoDate, toIsoDate } from '../domain/dates.ts';
import { draftImprovementPlan, PLAN_HORIZON_MONTHS } from '../domain/status/improvement-plan.ts';
import { failure, success, type Result } from '../domain/result.ts';
import { actorName, type Actor } from './actor.ts';
import { assessmentFor, loadAssessment, statusOf } from './assessment-context.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps, PlanActionRecord } from './ports.ts';

export interface DraftPlanInput {
  odsCode: string;
  /** Fills actions that have no owner yet. */
  owner?: string;
  /** Fills actions that have no due date yet; must be within six months. Default: six months after `at`. */
  dueDate?: IsoDate;
  at?: IsoDate;
}

export async function draftPlan(
  deps: Deps,
  actor: Actor,
  input: DraftPlanInput,
): Promise<Result<PlanActionRecord[]>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'plan');
  if (!found.ok) return found;
  const at = input.at ?? toIsoDate(deps.clock.now());
  if (!isIsoDate(at)) return failure('bad-input', `"${at}" is not a date: expected YYYY-MM-DD`, '--at');
  if (input.dueDate !== undefined) {
    if (!isIsoDate(input.dueDate))
      return failure('bad-input', `"${input.dueDate}" is not a date: expected YYYY-MM-DD`, '--due');
    const latest = addMonths(at, PLAN_HORIZON_MONTHS);
    if (input.dueDate > latest || input.dueDate < at)
      return failure(
        'bad-input',
        `the due date must be between ${at} and ${latest}, within ${PLAN_HORIZON_MONTHS} months`,
        '--due',
      );
  }
  if (input.owner !== undefined && input.owner.trim() === '')
    return failure('bad-input', 'expected the name of an owner', '--owner');
  const org = found.value;
  return deps.store.transaction(async (tx) => {
    const ctx = await loadAssessment(tx, deps, org);
    const status = statusOf(deps, ctx, at);
    const drafted = draftImprovementPlan(status, deps.catalogue, ctx.plan, {
      ...(input.owner ? { owner: input.owner.trim() } : {}),
      dueDate: input.dueDate ?? addMonths(at, PLAN_HORIZON_MONTHS),
    });
    const assessment = await assessmentFor(tx, deps, org);
    const now = deps.clock.now().toISOString();
    const before = new Map(ctx.plan.map((a) => [a.targetId, a]));
    const records: PlanActionRecord[] = drafted.map((a) => ({
      ...a,
      id: before.get(a.targetId)?.id ?? randomUUID(),
      assessmentId: assessment.id,
      createdAt: before.get(a.targetId)?.createdAt ?? now,
      updatedAt: now,
    }));
    await tx.planActions.replaceAll(assessment.id, records);
    // A changed plan needs approving again.
    if (assessment.planApprovedBy) await tx.assessments.setPlanApproval(assessment.id, null, null);
    await tx.audit.append({
      actor: actorName(actor),
      action: 'plan.drafted',
      organisationId: org.id,
      subject: `${org.odsCode} ${assessment.year}`,
      details: {
        targets: records.map((r) => r.targetId),
        owner: input.owner ?? null,
        dueDate: input.dueDate ?? null,
      },
    });
    return success(records);
  });
}
