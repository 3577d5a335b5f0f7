// Imports answers exported by "dspt export" (JSON or CSV) into an organisation's assessment. Every row is
// checked with the same rules as a single answer, and all rows land in one transaction or none do.
import { parseExchange, type ExchangeRow } from '../domain/assessment-exchange.ts';
import { failure, success, type Problem, type Result } from '../domain/result.ts';
import type { Actor } from './actor.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps } from './ports.ts';
import { recordAnswer, type AnswerInput } from './record-answer.ts';
import { recordOutcome } from './record-outcome.ts';

class RowRejected extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

function answerOf(row: ExchangeRow): AnswerInput {
  switch (row.type) {
    case 'yes-no':
      return { type: 'yes-no', value: row.value === 'yes' };
    case 'date':
      return { type: 'date', value: row.value };
    case 'document':
      return row.evidenceSha256
        ? { type: 'evidence', sha256: row.evidenceSha256 }
        : { type: 'text', value: row.value };
    default:
      return { type: 'text', value: row.value };
  }
}

export async function importAssessment(
  deps: Deps,
  actor: Actor,
  input: { odsCode: string; fileName: string; text: string },
): Promise<Result<{ items: number; outcomes: number }>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'answer');
  if (!found.ok) return found;
  const parsed = parseExchange(input.text, input.fileName);
  if (!parsed.ok) return parsed;
  if (parsed.value.year && parsed.value.year !== deps.catalogue.year)
    return failure(
      'bad-input',
      `the file holds answers for ${parsed.value.year}; this catalogue is ${deps.catalogue.year}`,
      input.fileName,
    );
  const { rows } = parsed.value;
  try {
    await deps.store.transaction(async (tx) => {
      const txDeps = { ...deps, store: tx };
      for (const row of rows) {
        const result =
          row.kind === 'outcome'
            ? await recordOutcome(txDeps, actor, {
                odsCode: input.odsCode,
                outcomeId: row.id,
                indicators: row.value.split(/\s+/),
                ...(row.notApplicable !== undefined ? { notApplicable: row.notApplicable } : {}),
                ...(row.comment !== undefined ? { comment: row.comment } : {}),
              })
            : await recordAnswer(txDeps, actor, {
                odsCode: input.odsCode,
                itemId: row.id,
                answer: answerOf(row),
                ...(row.comment !== undefined ? { comment: row.comment } : {}),
                ...(row.effectiveDate !== undefined ? { effectiveDate: row.effectiveDate } : {}),
                ...(row.metric !== undefined ? { metric: row.metric } : {}),
              });
        if (!result.ok) throw new RowRejected({ ...result.error, where: row.where ?? input.fileName });
      }
    });
  } catch (e) {
    if (e instanceof RowRejected) return { ok: false, error: e.problem };
    throw e;
  }
  return success({
    items: rows.filter((r) => r.kind === 'item').length,
    outcomes: rows.filter((r) => r.kind === 'outcome').length,
  });
}
