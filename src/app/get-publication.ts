// A published assessment, for its certificate page and printable summary: members only.
import { failure, success, type Result } from '../domain/result.ts';
import type { Actor } from './actor.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps, OrganisationRecord, PublicationRecord } from './ports.ts';

export async function getPublication(
  deps: Deps,
  actor: Actor,
  input: { odsCode: string; publicationId: string },
): Promise<Result<{ organisation: OrganisationRecord; publication: PublicationRecord }>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'read');
  if (!found.ok) return found;
  const assessment = await deps.store.assessments.find(found.value.id, deps.catalogue.year);
  const publication = assessment
    ? (await deps.store.publications.list(assessment.id)).find((p) => p.id === input.publicationId)
    : undefined;
  if (!publication) return failure('not-found', 'no such publication', `publication ${input.publicationId}`);
  return success({ organisation: found.value, publication });
}
