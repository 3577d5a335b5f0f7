// Exports an organisation's answers as JSON or CSV, in the form "dspt import" reads back.
import { EXCHANGE_FORMAT, toCsv, toJson, type ExchangeRow } from '../domain/assessment-exchange.ts';
import { failure, success, type Result } from '../domain/result.ts';
import type { Actor } from './actor.ts';
import { loadAssessment } from './assessment-context.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps } from './ports.ts';

export async function exportAssessment(
  deps: Deps,
  actor: Actor,
  input: { odsCode: string; format: string },
): Promise<Result<{ text: string; rows: number }>> {
  if (input.format !== 'json' && input.format !== 'csv')
    return failure(
      'bad-input',
      `"${input.format}" is not an export format: expected json or csv`,
      '--format',
    );
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'read');
  if (!found.ok) return found;
  const ctx = await loadAssessment(deps.store, deps, found.value);
  const shaOf = new Map(ctx.links.map((l) => [l.evidenceId, l.sha256]));
  const itemOrder = [...deps.catalogue.items.keys()];
  const outcomeOrder = [...deps.catalogue.outcomes.keys()];
  const rows: ExchangeRow[] = [
    ...[...ctx.responses]
      .sort((a, b) => itemOrder.indexOf(a.itemId) - itemOrder.indexOf(b.itemId))
      .map((r): ExchangeRow => {
        const a = r.answer;
        const sha = a.type === 'document' && a.evidenceId ? shaOf.get(a.evidenceId) : undefined;
        return {
          kind: 'item',
          id: r.itemId,
          type: a.type,
          value: a.type === 'yes-no' ? (a.value ? 'yes' : 'no') : a.value,
          ...(r.comment !== undefined ? { comment: r.comment } : {}),
          effectiveDate: r.effectiveDate,
          ...(r.metric !== undefined ? { metric: r.metric } : {}),
          ...(sha ? { evidenceSha256: sha } : {}),
        };
      }),
    ...[...ctx.outcomeResponses]
      .sort((a, b) => outcomeOrder.indexOf(a.outcomeId) - outcomeOrder.indexOf(b.outcomeId))
      .map((r): ExchangeRow => ({
        kind: 'outcome',
        id: r.outcomeId,
        type: 'indicators',
        value: r.indicators.join(' '),
        ...(r.comment !== undefined ? { comment: r.comment } : {}),
        ...(r.notApplicable !== undefined ? { notApplicable: r.notApplicable } : {}),
      })),
  ];
  const doc = {
    format: EXCHANGE_FORMAT,
    version: 1 as const,
    year: ctx.assessment.year,
    organisation: found.value.odsCode,
    exportedAt: deps.clock.now().toISOString(),
    rows,
  };
  return success({ text: input.format === 'json' ? toJson(doc) : toCsv(rows), rows: rows.length });
}
