// The improvement plan: one action per unmet mandatory item or outcome below profile, each with its gap,
// an action, an owner and a due date. Drafting is pure; the user edits owners and dates.
import type { ImprovementPlan, IsoDate, PlanAction } from '../assessment.ts';
import type { Catalogue } from '../catalogue/model.ts';
import { addMonths } from '../dates.ts';
import type { AssessmentStatus, Reason } from './compute-status.ts';

/** Actions must be due within this many months of publication. */
export const PLAN_HORIZON_MONTHS = 6;

// The status of many organisations is worked out on the same date, so the horizon is remembered.
let lastAt = '';
let lastDue = '';
function latestDueOn(at: IsoDate): IsoDate {
  if (at !== lastAt) {
    lastDue = addMonths(at, PLAN_HORIZON_MONTHS);
    lastAt = at;
  }
  return lastDue;
}

/** Problems that stop the plan from covering the unmet targets; empty when it covers them all. */
export function checkPlanCovers(
  plan: ImprovementPlan | undefined,
  targets: readonly string[],
  at: IsoDate,
): Reason[] {
  const reasons: Reason[] = [];
  const actions = plan?.actions ?? [];
  const byTarget = new Map<string, PlanAction>();
  for (const a of actions) byTarget.set(a.targetId, a);
  const latestDue = latestDueOn(at);
  const missing: string[] = [];
  for (const target of targets) {
    const action = byTarget.get(target);
    if (!action) {
      missing.push(target);
      continue;
    }
    if (!action.owner?.trim())
      reasons.push({
        subject: target,
        rule: 'improvement-plan',
        message: `the improvement-plan action for ${target} has no owner`,
      });
    if (!action.dueDate)
      reasons.push({
        subject: target,
        rule: 'improvement-plan',
        message: `the improvement-plan action for ${target} has no due date`,
      });
    else if (action.dueDate > latestDue)
      reasons.push({
        subject: target,
        rule: 'improvement-plan',
        message: `the improvement-plan action for ${target} is due ${action.dueDate}; it must be due by ${latestDue}, within ${PLAN_HORIZON_MONTHS} months`,
      });
  }
  if (missing.length > 0)
    reasons.unshift({
      subject: 'improvement-plan',
      rule: 'improvement-plan',
      message: `the improvement plan has no action for ${missing.join(', ')}`,
    });
  return reasons;
}

export interface DraftDefaults {
  owner?: string;
  dueDate?: IsoDate;
}

/**
 * Drafts the plan for the targets `status` reports as unmet. Actions already written for a target that is
 * still unmet are kept as the user left them (filling only blanks from `defaults`); actions for targets that
 * are now met are dropped.
 */
export function draftImprovementPlan(
  status: AssessmentStatus,
  catalogue: Catalogue,
  existing: readonly PlanAction[],
  defaults: DraftDefaults = {},
): PlanAction[] {
  const previous = new Map(existing.map((a) => [a.targetId, a]));
  const reasonsBy = new Map<string, string[]>();
  for (const r of [...status.items.flatMap((i) => i.reasons), ...status.outcomes.flatMap((o) => o.reasons)]) {
    const list = reasonsBy.get(r.subject) ?? [];
    list.push(r.message.replace(/^[^:]*: /, ''));
    reasonsBy.set(r.subject, list);
  }
  return status.unmetTargets.map((targetId) => {
    const before = previous.get(targetId);
    const gap = (reasonsBy.get(targetId) ?? ['below what Standards Met needs']).join('; ');
    const draft: PlanAction = {
      targetId,
      gap,
      action: before?.action ?? suggestedAction(catalogue, status, targetId),
    };
    const owner = before?.owner ?? defaults.owner;
    const dueDate = before?.dueDate ?? defaults.dueDate;
    if (owner) draft.owner = owner;
    if (dueDate) draft.dueDate = dueDate;
    return draft;
  });
}

function suggestedAction(catalogue: Catalogue, status: AssessmentStatus, targetId: string): string {
  const item = catalogue.items.get(targetId);
  if (item) return item.improve;
  const outcome = catalogue.outcomes.get(targetId);
  const result = status.outcomes.find((o) => o.outcomeId === targetId);
  if (!outcome || !result) return `Meet the requirements of ${targetId}.`;
  const column =
    result.expected === 'achieved' ? outcome.indicators.achieved : outcome.indicators['partially-achieved'];
  return `Bring ${outcome.id} ${outcome.title} to ${result.expected.replace('-', ' ')}: make these statements true of your organisation: ${column
    .map((i) => i.id)
    .join(', ')}; and make sure none of the not-achieved statements is true.`;
}
