// Records that NHS England or the commissioner approved the improvement plan; for organisations on the
// improvement-plan route this lets a Not Met assessment become Approaching Standards.
import { failure, success, type Result } from '../domain/result.ts';
import { actorName, type Actor } from './actor.ts';
import { assessmentFor } from './assessment-context.ts';
import type { Deps } from './ports.ts';
import { findOrganisation } from './find-organisation.ts';

export async function approvePlan(
  deps: Deps,
  actor: Actor,
  input: { odsCode: string; approvedBy: string },
): Promise<Result<{ approvedBy: string; approvedAt: string }>> {
  // Approval comes from outside the organisation, so only an operator records it.
  if (actor.kind !== 'operator')
    return failure('forbidden', 'only an operator can record the approval of an improvement plan');
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'read');
  if (!found.ok) return found;
  const approvedBy = input.approvedBy.trim();
  if (approvedBy === '') return failure('bad-input', 'expected who approved the plan', '--approved-by');
  const org = found.value;
  return deps.store.transaction(async (tx) => {
    const assessment = await assessmentFor(tx, deps, org);
    if ((await tx.planActions.list(assessment.id)).length === 0)
      return failure(
        'refused',
        `${org.odsCode} has no improvement plan to approve; draft one with "dspt plan ${org.odsCode}"`,
      );
    const approvedAt = deps.clock.now().toISOString();
    await tx.assessments.setPlanApproval(assessment.id, approvedBy, approvedAt);
    await tx.audit.append({
      actor: actorName(actor),
      action: 'plan.approved',
      organisationId: org.id,
      subject: `${org.odsCode} ${assessment.year}`,
      details: { approvedBy },
    });
    return success({ approvedBy, approvedAt });
  });
}
