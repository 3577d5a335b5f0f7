// The status of an organisation's assessment on a date, with every reason it is not higher.
import type { IsoDate } from '../domain/assessment.ts';
import { toIsoDate } from '../domain/dates.ts';
import type { AssessmentStatus } from '../domain/status/compute-status.ts';
import { isIsoDate } from '../domain/dates.ts';
import { failure, success, type Result } from '../domain/result.ts';
import type { Actor } from './actor.ts';
import { readAssessment, readStatus, type AssessmentContext } from './assessment-context.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps } from './ports.ts';

export async function getStatus(
  deps: Deps,
  actor: Actor,
  input: { odsCode: string; at?: IsoDate },
): Promise<Result<{ status: AssessmentStatus; context: AssessmentContext }>> {
  const at = input.at ?? toIsoDate(deps.clock.now());
  if (!isIsoDate(at)) return failure('bad-input', `"${at}" is not a date: expected YYYY-MM-DD`, '--at');
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'read');
  if (!found.ok) return found;
  const context = await readAssessment(deps, found.value);
  return success({ status: readStatus(deps, context, at), context });
}
