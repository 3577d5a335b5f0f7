// Records the answer to an evidence item, with its comment, effective date and, for documents, the file.
import { randomUUID } from 'node:crypto';
import type { Answer, IsoDate } from '../domain/assessment.ts';
import { checkEvidenceFile } from '../domain/evidence-file.ts';
import { isIsoDate, toIsoDate } from '../domain/dates.ts';
import { failure, success, type Result } from '../domain/result.ts';
import { actorName, type Actor } from './actor.ts';
import { assessmentFor, trackOf } from './assessment-context.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps, EvidenceRecord, StoredResponse } from './ports.ts';

export type AnswerInput =
  | { type: 'yes-no'; value: boolean }
  | { type: 'text'; value: string }
  | { type: 'date'; value: string }
  | { type: 'file'; fileName: string; bytes: Uint8Array }
  /** Evidence the organisation already holds, by the SHA-256 of its content. */
  | { type: 'evidence'; sha256: string };

export interface RecordAnswerInput {
  odsCode: string;
  itemId: string;
  answer: AnswerInput;
  comment?: string;
  /** When the fact was true; today when absent. */
  effectiveDate?: string;
  metric?: number;
}

// In the words of the item, not of one interface: the CLI, the pages and the API each show this message.
const HOW: Record<string, string> = {
  'yes-no': 'a yes or no answer',
  text: 'a written answer',
  date: 'a date (YYYY-MM-DD)',
  document: 'a document, or a note of where it is kept',
};

export async function recordAnswer(
  deps: Deps & { maxEvidenceBytes?: number },
  actor: Actor,
  input: RecordAnswerInput,
): Promise<Result<StoredResponse>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'answer');
  if (!found.ok) return found;
  const org = found.value;
  const category = trackOf(deps, org);
  const item = deps.catalogue.items.get(input.itemId);
  if (!item)
    return failure(
      'bad-input',
      `there is no evidence item ${input.itemId} in the ${deps.catalogue.year} catalogue`,
      `item ${input.itemId}`,
    );
  if (category.track === 'caf')
    return failure(
      'bad-input',
      `${org.odsCode} is on the CAF-aligned track: answer outcomes with "dspt caf" instead`,
      `item ${input.itemId}`,
    );
  if (!deps.catalogue.itemsFor(category.id).some((a) => a.item.id === item.id))
    return failure(
      'bad-input',
      `item ${item.id} does not apply to category ${category.id} organisations`,
      `item ${input.itemId}`,
    );

  const given = input.answer.type;
  const fits =
    given === item.responseType ||
    (item.responseType === 'document' && (given === 'file' || given === 'text' || given === 'evidence'));
  if (!fits)
    return failure('bad-input', `item ${item.id} expects ${HOW[item.responseType]}`, `item ${item.id}`);

  const today = toIsoDate(deps.clock.now());
  const effectiveDate: IsoDate = input.effectiveDate ?? today;
  if (!isIsoDate(effectiveDate))
    return failure('bad-input', `"${effectiveDate}" is not a date: expected YYYY-MM-DD`, 'effective date');
  if (effectiveDate > today)
    return failure('bad-input', `the effective date ${effectiveDate} is in the future`, 'effective date');
  if (input.answer.type === 'date') {
    if (!isIsoDate(input.answer.value))
      return failure(
        'bad-input',
        `"${input.answer.value}" is not a date: expected YYYY-MM-DD`,
        `item ${item.id}`,
      );
    if (input.answer.value > today)
      return failure('bad-input', `the date ${input.answer.value} is in the future`, `item ${item.id}`);
  }
  if (input.answer.type === 'text' && input.answer.value.trim() === '')
    return failure('bad-input', 'expected some text', `item ${item.id}`);
  if (input.metric !== undefined) {
    if (!item.threshold)
      return failure(
        'bad-input',
        `item ${item.id} has no measured threshold, so it takes no value`,
        `item ${item.id}`,
      );
    if (
      !Number.isFinite(input.metric) ||
      input.metric < 0 ||
      (item.threshold.unit === 'percent' && input.metric > 100)
    )
      return failure(
        'bad-input',
        `"${input.metric}" is not a valid ${item.threshold.unit} value`,
        `item ${item.id}`,
      );
  }

  let file: { fileName: string; mediaType: string; bytes: Uint8Array } | undefined;
  if (input.answer.type === 'file') {
    const checked = checkEvidenceFile(
      input.answer.fileName,
      input.answer.bytes.byteLength,
      deps.maxEvidenceBytes,
    );
    if (!checked.ok) return checked;
    file = { ...checked.value, bytes: input.answer.bytes };
  }
  // The encrypted blob is written before the transaction: it is content-addressed, so a failure after this
  // point leaves at most an unreferenced copy, never a record without its bytes.
  const blob = file ? await deps.blobs.put(file.bytes) : undefined;

  return deps.store.transaction(async (tx) => {
    const assessment = await assessmentFor(tx, deps, org);
    let answer: Answer;
    let evidence: EvidenceRecord | undefined;
    if (file && blob) {
      evidence = await tx.evidence.findBySha256(org.id, blob.sha256);
      if (!evidence) {
        evidence = {
          id: randomUUID(),
          organisationId: org.id,
          kind: 'file',
          title: file.fileName,
          fileName: file.fileName,
          mediaType: file.mediaType,
          size: blob.size,
          sha256: blob.sha256,
          effectiveDate,
          storageKey: blob.storageKey,
          createdBy: actorName(actor),
          createdAt: deps.clock.now().toISOString(),
        };
        await tx.evidence.insert(evidence);
      }
      await tx.evidence.link({ evidenceId: evidence.id, assessmentId: assessment.id, itemId: item.id });
      answer = { type: 'document', value: evidence.fileName ?? evidence.title, evidenceId: evidence.id };
    } else if (input.answer.type === 'evidence') {
      evidence = await tx.evidence.findBySha256(org.id, input.answer.sha256);
      if (!evidence)
        return failure(
          'bad-input',
          `${org.odsCode} holds no evidence with SHA-256 ${input.answer.sha256}; attach the file with --file`,
          `item ${item.id}`,
        );
      await tx.evidence.link({ evidenceId: evidence.id, assessmentId: assessment.id, itemId: item.id });
      answer = { type: 'document', value: evidence.fileName ?? evidence.title, evidenceId: evidence.id };
    } else if (input.answer.type === 'text' && item.responseType === 'document') {
      answer = { type: 'document', value: input.answer.value.trim() };
    } else {
      answer = input.answer as Answer;
    }
    const response: StoredResponse = {
      itemId: item.id,
      answer,
      effectiveDate,
      answeredBy: actorName(actor),
      answeredAt: deps.clock.now().toISOString(),
      ...(input.comment?.trim() ? { comment: input.comment.trim() } : {}),
      ...(input.metric !== undefined ? { metric: input.metric } : {}),
    };
    await tx.responses.upsert(assessment.id, response);
    await tx.audit.append({
      actor: actorName(actor),
      action: 'response.recorded',
      organisationId: org.id,
      subject: `${org.odsCode} ${item.id}`,
      details: {
        year: assessment.year,
        answer: answer.type === 'text' ? { type: 'text', length: answer.value.length } : answer,
        effectiveDate,
        ...(evidence ? { evidenceSha256: evidence.sha256 } : {}),
        ...(input.metric !== undefined ? { metric: input.metric } : {}),
      },
    });
    return success(response);
  });
}
