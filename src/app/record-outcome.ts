// Records which indicators of a CAF outcome are true of the organisation (or, where allowed, why the
// outcome does not apply), and returns the achievement they give.
import type { AchievementLevel } from '../domain/catalogue/model.ts';
import { achievementOf } from '../domain/status/compute-status.ts';
import { failure, success, type Result } from '../domain/result.ts';
import { actorName, type Actor } from './actor.ts';
import { assessmentFor, trackOf } from './assessment-context.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps, StoredOutcomeResponse } from './ports.ts';

export interface RecordOutcomeInput {
  odsCode: string;
  outcomeId: string;
  indicators: string[];
  notApplicable?: string;
  comment?: string;
}

export async function recordOutcome(
  deps: Deps,
  actor: Actor,
  input: RecordOutcomeInput,
): Promise<Result<StoredOutcomeResponse & { achieved: AchievementLevel }>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'answer');
  if (!found.ok) return found;
  const org = found.value;
  if (trackOf(deps, org).track !== 'caf')
    return failure(
      'bad-input',
      `${org.odsCode} is on the standards track: answer evidence items with "dspt answer" instead`,
      `outcome ${input.outcomeId}`,
    );
  const outcome = deps.catalogue.outcomes.get(input.outcomeId);
  if (!outcome)
    return failure(
      'bad-input',
      `there is no CAF outcome ${input.outcomeId} in the ${deps.catalogue.year} catalogue`,
      `outcome ${input.outcomeId}`,
    );
  const known = new Set(Object.values(outcome.indicators).flatMap((column) => column.map((i) => i.id)));
  const indicators = [...new Set(input.indicators.map((i) => i.trim()).filter((i) => i !== ''))];
  const unknown = indicators.filter((i) => !known.has(i));
  if (unknown.length > 0)
    return failure(
      'bad-input',
      `${unknown.join(', ')} ${unknown.length === 1 ? 'is not an indicator' : 'are not indicators'} of ${outcome.id}; expected IDs such as ${outcome.id}.A.1`,
      `outcome ${outcome.id}`,
    );
  if (input.notApplicable !== undefined) {
    if (!outcome.mayBeNotApplicable)
      return failure(
        'bad-input',
        `${outcome.id} always applies; it cannot be marked not applicable`,
        `outcome ${outcome.id}`,
      );
    if (input.notApplicable.trim() === '')
      return failure(
        'bad-input',
        'expected a justification for marking the outcome not applicable',
        `outcome ${outcome.id}`,
      );
  }
  const response: StoredOutcomeResponse = {
    outcomeId: outcome.id,
    indicators: indicators.sort(),
    answeredBy: actorName(actor),
    answeredAt: deps.clock.now().toISOString(),
    ...(input.notApplicable !== undefined ? { notApplicable: input.notApplicable.trim() } : {}),
    ...(input.comment?.trim() ? { comment: input.comment.trim() } : {}),
  };
  const achieved = achievementOf(outcome, response);
  return deps.store.transaction(async (tx) => {
    const assessment = await assessmentFor(tx, deps, org);
    await tx.outcomeResponses.upsert(assessment.id, response);
    await tx.audit.append({
      actor: actorName(actor),
      action: 'outcome.recorded',
      organisationId: org.id,
      subject: `${org.odsCode} ${outcome.id}`,
      details: {
        year: assessment.year,
        indicators: response.indicators,
        notApplicable: response.notApplicable ?? null,
        achieved,
      },
    });
    return success({ ...response, achieved });
  });
}
