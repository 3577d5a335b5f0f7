// The portable form of an assessment's answers, as JSON or CSV, so that answers can be exported, kept,
// reviewed in a spreadsheet and imported again. Parsing checks every row and names the line that is wrong.
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import type { IsoDate } from './assessment.ts';
import { failure, success, type Result } from './result.ts';

export const EXCHANGE_FORMAT = 'opendspt-assessment' as const;

export interface ExchangeRow {
  kind: 'item' | 'outcome';
  id: string;
  type: 'yes-no' | 'text' | 'date' | 'document' | 'indicators';
  /** yes/no, the text, the date, the document's name or location, or the true indicators separated by spaces. */
  value: string;
  comment?: string;
  effectiveDate?: IsoDate;
  metric?: number;
  evidenceSha256?: string;
  notApplicable?: string;
  /** Where the row came from, for messages: `line 7` or `responses[3]`. */
  where?: string;
}

export interface ExchangeDocument {
  format: typeof EXCHANGE_FORMAT;
  version: 1;
  year: string;
  organisation: string;
  exportedAt: string;
  rows: ExchangeRow[];
}

export const CSV_COLUMNS = [
  'kind',
  'id',
  'type',
  'value',
  'comment',
  'effective_date',
  'metric',
  'evidence_sha256',
  'not_applicable',
] as const;

function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: readonly ExchangeRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows)
    lines.push(
      [r.kind, r.id, r.type, r.value, r.comment, r.effectiveDate, r.metric, r.evidenceSha256, r.notApplicable]
        .map(csvField)
        .join(','),
    );
  return `${lines.join('\n')}\n`;
}

export function toJson(doc: ExchangeDocument): string {
  const { rows, ...head } = doc;
  return `${JSON.stringify(
    {
      ...head,
      responses: rows.filter((r) => r.kind === 'item').map(({ kind: _k, where: _w, ...r }) => r),
      outcomes: rows.filter((r) => r.kind === 'outcome').map(({ kind: _k, where: _w, type: _t, ...r }) => r),
    },
    null,
    2,
  )}\n`;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SHA = /^[0-9a-f]{64}$/;

const rowSchema = z.strictObject({
  kind: z.enum(['item', 'outcome'], 'expected "item" or "outcome"'),
  id: z.string().trim().min(1, 'expected an item or outcome ID'),
  type: z.enum(
    ['yes-no', 'text', 'date', 'document', 'indicators'],
    'expected yes-no, text, date, document or indicators',
  ),
  value: z.string(),
  comment: z.string().optional(),
  effectiveDate: z.string().regex(DATE, 'expected a date YYYY-MM-DD').optional(),
  metric: z.number('expected a number').optional(),
  evidenceSha256: z.string().regex(SHA, 'expected a SHA-256 of 64 lowercase hex digits').optional(),
  notApplicable: z.string().optional(),
});

function checkRow(raw: Record<string, unknown>, where: string): Result<ExchangeRow> {
  const parsed = rowSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return failure('bad-input', `${issue.path.join('.') || 'row'}: ${issue.message}`, where);
  }
  const row = parsed.data;
  if ((row.kind === 'outcome') !== (row.type === 'indicators'))
    return failure(
      'bad-input',
      'type: outcomes take "indicators" and items take yes-no, text, date or document',
      where,
    );
  if (row.type === 'yes-no' && row.value !== 'yes' && row.value !== 'no')
    return failure('bad-input', `value: expected yes or no, found "${row.value}"`, where);
  if (row.type === 'date' && !DATE.test(row.value))
    return failure('bad-input', `value: expected a date YYYY-MM-DD, found "${row.value}"`, where);
  return success({ ...row, where });
}

/** Reads an exported assessment, JSON or CSV (told apart by the content), checking every row. */
export function parseExchange(
  text: string,
  fileName: string,
): Result<{ rows: ExchangeRow[]; year?: string }> {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') return failure('bad-input', 'the file is empty', fileName);
  if (body.trimStart().startsWith('{')) return parseJson(body, fileName);
  return parseCsvText(body, fileName);
}

function parseJson(text: string, fileName: string): Result<{ rows: ExchangeRow[]; year?: string }> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return failure('bad-input', `not valid JSON: ${(e as Error).message}`, fileName);
  }
  const head = z
    .object({
      format: z.literal(EXCHANGE_FORMAT, `expected "format": "${EXCHANGE_FORMAT}"`),
      version: z.literal(1, 'expected version 1'),
      year: z.string(),
      responses: z.array(z.record(z.string(), z.unknown()), 'expected a list of responses').default([]),
      outcomes: z.array(z.record(z.string(), z.unknown()), 'expected a list of outcomes').default([]),
    })
    .safeParse(doc);
  if (!head.success) {
    const issue = head.error.issues[0]!;
    return failure('bad-input', `${issue.path.join('.') || 'document'}: ${issue.message}`, fileName);
  }
  const rows: ExchangeRow[] = [];
  const all = [
    ...head.data.responses.map((r, i) => ({
      raw: { kind: 'item', ...r },
      where: `${fileName} responses[${i}]`,
    })),
    ...head.data.outcomes.map((r, i) => ({
      raw: { kind: 'outcome', type: 'indicators', ...r },
      where: `${fileName} outcomes[${i}]`,
    })),
  ];
  for (const { raw, where } of all) {
    const checked = checkRow(raw, where);
    if (!checked.ok) return checked;
    rows.push(checked.value);
  }
  return success({ rows, year: head.data.year });
}

function parseCsvText(text: string, fileName: string): Result<{ rows: ExchangeRow[] }> {
  let records: string[][];
  try {
    records = parseCsv(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    const err = e as Error & { lines?: number };
    return failure(
      'bad-input',
      `not valid CSV: ${err.message.replace(/^Invalid Record Length: /, '')}`,
      err.lines ? `${fileName} line ${err.lines}` : fileName,
    );
  }
  const header = records[0] ?? [];
  const missing = CSV_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0)
    return failure(
      'bad-input',
      `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; found ${header.join(', ') || 'none'}${header.length === 1 && /;|\t/.test(header[0] ?? '') ? ' (is the file separated by commas?)' : ''}`,
      `${fileName} line 1`,
    );
  const index = new Map(header.map((h, i) => [h, i]));
  const rows: ExchangeRow[] = [];
  for (const [n, record] of records.slice(1).entries()) {
    const where = `${fileName} line ${n + 2}`;
    if (record.length !== header.length)
      return failure('bad-input', `expected ${header.length} fields, found ${record.length}`, where);
    const cell = (c: (typeof CSV_COLUMNS)[number]) => {
      const v = record[index.get(c)!] ?? '';
      return v === '' ? undefined : v;
    };
    const metric = cell('metric');
    if (metric !== undefined && !Number.isFinite(Number(metric)))
      return failure('bad-input', `metric: expected a number, found "${metric}"`, where);
    const raw: Record<string, unknown> = {
      kind: cell('kind'),
      id: cell('id'),
      type: cell('type'),
      value: cell('value') ?? '',
      comment: cell('comment'),
      effectiveDate: cell('effective_date'),
      metric: metric === undefined ? undefined : Number(metric),
      evidenceSha256: cell('evidence_sha256'),
      notApplicable: cell('not_applicable'),
    };
    for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
    const checked = checkRow(raw, where);
    if (!checked.ok) return checked;
    rows.push(checked.value);
  }
  return success({ rows });
}
