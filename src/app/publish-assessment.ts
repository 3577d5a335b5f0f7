// Publishes an assessment: the signer's declaration and a locked snapshot of everything published, with its
// SHA-256. Refused when the assessment is not Met and the improvement plan does not cover every gap.
import { randomUUID } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../domain/canonical-json.ts';
import { toIsoDate } from '../domain/dates.ts';
import { STATUS_LABEL, STATUS_RANK } from '../domain/status/compute-status.ts';
import { checkPlanCovers } from '../domain/status/improvement-plan.ts';
import { failure, success, type Result } from '../domain/result.ts';
import { actorName, type Actor } from './actor.ts';
import { assessmentFor, loadAssessment, statusOf } from './assessment-context.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps, PublicationKind, PublicationRecord } from './ports.ts';

export interface PublishInput {
  odsCode: string;
  kind: 'baseline' | 'final';
  signerName: string;
  signerRole: string;
}

export function declarationFor(organisationName: string, signerName: string, signerRole: string): string {
  return (
    `I, ${signerName} (${signerRole}), confirm that this assessment for ${organisationName} is accurate to the ` +
    'best of my knowledge, that the evidence it refers to exists and can be shown to an auditor, and that I am ' +
    'authorised to publish it on behalf of the organisation.'
  );
}

export async function publishAssessment(
  deps: Deps,
  actor: Actor,
  input: PublishInput,
): Promise<Result<PublicationRecord>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'publish');
  if (!found.ok) return found;
  if (input.kind !== 'baseline' && input.kind !== 'final')
    return failure(
      'bad-input',
      `"${String(input.kind)}" is not a kind of publication: expected baseline or final`,
      '--kind',
    );
  const signerName = input.signerName.trim();
  const signerRole = input.signerRole.trim();
  if (signerName === '') return failure('bad-input', 'expected the name of the person signing', '--signer');
  if (signerRole === '')
    return failure(
      'bad-input',
      'expected the role of the person signing, such as SIRO or Chief executive',
      '--role',
    );
  const org = found.value;
  const now = deps.clock.now();
  const at = toIsoDate(now);

  return deps.store.transaction(async (tx) => {
    const ctx = await loadAssessment(tx, deps, org);
    const status = statusOf(deps, ctx, at);
    if (STATUS_RANK[status.status] < STATUS_RANK['standards-met']) {
      const gaps = checkPlanCovers({ actions: ctx.plan }, status.unmetTargets, at);
      if (gaps.length > 0)
        return failure(
          'refused',
          `${org.odsCode} is ${STATUS_LABEL[status.status]}, so publishing needs an improvement plan covering every gap ` +
            `("dspt plan ${org.odsCode} --owner <name>"): ${gaps.map((g) => g.message).join('; ')}`,
        );
    }
    const assessment = await assessmentFor(tx, deps, org);
    const kind: PublicationKind =
      input.kind === 'final' && ctx.publications.some((p) => p.kind !== 'baseline')
        ? 'republish'
        : input.kind;
    const declaration = declarationFor(org.name, signerName, signerRole);
    const publishedAt = now.toISOString();
    const evidence = new Map(ctx.links.map((l) => [l.evidenceId, l.sha256]));
    const snapshot = canonicalJson({
      format: 'opendspt-publication',
      version: 1,
      organisation: {
        odsCode: org.odsCode,
        name: org.name,
        type: org.type,
        category: status.category,
        icoNumber: org.icoNumber,
        certifications: org.certifications,
      },
      year: assessment.year,
      track: status.track,
      kind,
      publishedAt,
      signer: { name: signerName, role: signerRole },
      declaration,
      status: {
        status: status.status,
        label: STATUS_LABEL[status.status],
        progress: status.progress,
        reasons: status.reasons,
        unmetTargets: status.unmetTargets,
      },
      responses: ctx.responses.map((r) => ({
        ...r,
        answer:
          r.answer.type === 'document' && r.answer.evidenceId
            ? { ...r.answer, evidenceSha256: evidence.get(r.answer.evidenceId) }
            : r.answer,
      })),
      outcomeResponses: ctx.outcomeResponses,
      evidence: ctx.links.map((l) => ({
        itemId: l.itemId,
        sha256: l.sha256,
        effectiveDate: l.effectiveDate,
      })),
      plan: ctx.plan.map(({ targetId, gap, action, owner, dueDate }) => ({
        targetId,
        gap,
        action,
        owner,
        dueDate,
      })),
      planApprovedBy: assessment.planApprovedBy,
    });
    const publication: PublicationRecord = {
      id: randomUUID(),
      assessmentId: assessment.id,
      kind,
      status: status.status,
      snapshot,
      sha256: sha256Hex(snapshot),
      signerName,
      signerRole,
      declaration,
      publishedAt,
    };
    await tx.publications.insert(publication);
    await tx.audit.append({
      actor: actorName(actor),
      action: 'assessment.published',
      organisationId: org.id,
      subject: `${org.odsCode} ${assessment.year}`,
      details: {
        kind,
        status: status.status,
        sha256: publication.sha256,
        signer: signerName,
        role: signerRole,
      },
    });
    return success(publication);
  });
}
