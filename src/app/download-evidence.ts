// Hands an evidence file to a member of its organisation, decrypted; to anyone else it does not exist.
import { failure, success, type Result } from '../domain/result.ts';
import { actorName, type Actor } from './actor.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps, EvidenceRecord } from './ports.ts';

export async function downloadEvidence(
  deps: Deps,
  actor: Actor,
  input: { odsCode: string; evidenceId: string },
): Promise<Result<{ evidence: EvidenceRecord; bytes: Uint8Array }>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'read');
  if (!found.ok) return found;
  const evidence = await deps.store.evidence.findById(found.value.id, input.evidenceId);
  if (!evidence?.storageKey)
    return failure('not-found', 'no such evidence file', `evidence ${input.evidenceId}`);
  const bytes = await deps.blobs.get(evidence.storageKey);
  await deps.store.audit.append({
    actor: actorName(actor),
    action: 'evidence.downloaded',
    organisationId: found.value.id,
    subject: `${found.value.odsCode} ${evidence.sha256}`,
    details: { evidenceId: evidence.id, fileName: evidence.fileName },
  });
  return success({ evidence, bytes });
}
