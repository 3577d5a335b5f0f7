// Streams a CSV export (RFC 4180: commas, double quotes, quoted line breaks, CRLF or LF, a UTF-8 BOM): the
// header row checked first (delimiter, required columns named with the columns found), then each row handed
// over with its line, so a million rows never sit in memory. Our own tokenizer rather than csv-parse, which
// took about 20 microseconds a row here: whole lines are decoded a chunk at a time (Latin-1 when the bytes
// are ASCII, which is a copy), a row without quotes is split by scanning for commas, and a cell becomes a
// string only when the reader asks for it. Rows with quotes take the careful path.
import { isAscii } from 'node:buffer';
import type { WordCodes } from './hr-table.ts';
import { InputError } from './input-file.ts';
import { isoDateKey, parseDate, type DayPool } from './parse-values.ts';

export interface CsvColumns {
  /** Finds a column by any of its names (case and spacing ignored); -1 when absent. */
  index(...names: string[]): number;
  header: string[];
}

/** Header cells compared without case, spaces, underscores or hyphens: `Employee No`, `employee_no`, `EmployeeNo`. */
export function headerKey(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.]+/g, '');
}

function columnsOf(header: string[]): CsvColumns {
  const keys = header.map(headerKey);
  return {
    header,
    index(...names) {
      for (const name of names) {
        const at = keys.indexOf(headerKey(name));
        if (at !== -1) return at;
      }
      return -1;
    },
  };
}

/** Fails with the required column's name and every column that was found. */
export function requireColumn(columns: CsvColumns, file: string, label: string, names: string[]): number {
  const at = columns.index(...names);
  if (at === -1)
    throw new InputError(
      file,
      1,
      `no ${label} column (looked for ${names.map((n) => `"${n}"`).join(', ')}); the columns found are ${columns.header
        .map((h) => `"${h}"`)
        .join(', ')}`,
    );
  return at;
}

const OTHER_DELIMITERS: [string, string][] = [
  [';', 'semicolons'],
  ['\t', 'tabs'],
  ['|', 'vertical bars'],
];

function checkDelimiter(firstLine: string, file: string): void {
  const outsideQuotes = firstLine.replace(/"[^"]*"/g, '');
  if (outsideQuotes.includes(',')) return;
  for (const [d, name] of OTHER_DELIMITERS)
    if (outsideQuotes.includes(d))
      throw new InputError(
        file,
        1,
        `the header is separated by ${name}, not commas: save the export as comma-separated CSV (UTF-8)`,
      );
}

const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

/** The whitespace String#trim removes that ASCII has: tab, line feed, vertical tab, form feed, CR, space. */
function isAsciiSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * One row, read in place: the cells are positions in the decoded text, and become strings only when asked
 * for. The object is reused from row to row, so a handler must copy out what it keeps.
 */
export class CsvRow {
  /** The number of cells. */
  length = 0;
  private text = '';
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  /** The cells of a row with quotes, unquoted by the careful path. */
  private unquoted: string[] | null = null;

  /** Splits a line without quotes; false for a blank line (empty, or only commas). */
  split(text: string, from: number, to: number): boolean {
    let cells = 0;
    let start = from;
    // String#indexOf is a built-in search, several times quicker than a loop over the characters.
    for (let comma = text.indexOf(',', from); comma !== -1 && comma < to; comma = text.indexOf(',', start)) {
      this.put(cells++, start, comma);
      start = comma + 1;
    }
    // Nothing but commas: a spreadsheet's empty row.
    if (to - from === cells) return false;
    this.put(cells++, start, to);
    this.text = text;
    this.length = cells;
    this.unquoted = null;
    return true;
  }

  setCells(cells: string[]): void {
    this.unquoted = cells;
    this.length = cells.length;
  }

  private put(i: number, start: number, end: number): void {
    if (i === this.starts.length) {
      const starts = new Int32Array(i * 2);
      const ends = new Int32Array(i * 2);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.starts[i] = start;
    this.ends[i] = end;
  }

  /** The cell as written, quotes removed; '' for a column the row does not have. */
  cell(i: number): string {
    if (i < 0 || i >= this.length) return '';
    if (this.unquoted !== null) return this.unquoted[i]!;
    return this.text.slice(this.starts[i], this.ends[i]);
  }

  cells(): string[] {
    const out = new Array<string>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.cell(i);
    return out;
  }

  /** The cell trimmed, or null when it is empty or the column is absent (-1). */
  value(i: number): string | null {
    if (i < 0 || i >= this.length) return null;
    if (this.unquoted !== null) {
      const t = this.unquoted[i]!.trim();
      return t === '' ? null : t;
    }
    const text = this.text;
    let s = this.starts[i]!;
    let e = this.ends[i]!;
    while (s < e && isAsciiSpace(text.charCodeAt(s))) s++;
    while (e > s && isAsciiSpace(text.charCodeAt(e - 1))) e--;
    if (s === e) return null;
    const v = text.slice(s, e);
    // Past ASCII, String#trim knows more spaces (no-break, ideographic...).
    if (text.charCodeAt(s) > 0x7f || text.charCodeAt(e - 1) > 0x7f) {
      const t = v.trim();
      return t === '' ? null : t;
    }
    return v;
  }

  /** The code in `words` of the trimmed cell; -1 when it is empty or the column is absent (-1). */
  code(i: number, words: WordCodes): number {
    if (i < 0 || i >= this.length) return -1;
    if (this.unquoted === null) {
      const text = this.text;
      let s = this.starts[i]!;
      let e = this.ends[i]!;
      while (s < e && isAsciiSpace(text.charCodeAt(s))) s++;
      while (e > s && isAsciiSpace(text.charCodeAt(e - 1))) e--;
      if (s === e) return -1;
      if (text.charCodeAt(s) <= 0x7f && text.charCodeAt(e - 1) <= 0x7f) return words.codeAt(text, s, e);
    }
    return words.code(this.value(i));
  }

  /**
   * The cell as a date (see `parseDate`): the number YYYYMMDD, or 0 when the cell is empty. An ISO date is
   * read from the characters where it stands; the other forms, and anything that is not a date, go through
   * `parseDate`, which names the line and column of a bad one.
   */
  dateKey(i: number, file: string, line: number, column: string): number {
    if (i < 0 || i >= this.length) return 0;
    if (this.unquoted === null) {
      const text = this.text;
      let s = this.starts[i]!;
      let e = this.ends[i]!;
      while (s < e && isAsciiSpace(text.charCodeAt(s))) s++;
      while (e > s && isAsciiSpace(text.charCodeAt(e - 1))) e--;
      if (s === e) return 0;
      const key = isoDateKey(text, s, e);
      if (key !== -1) return key;
    }
    const iso = parseDate(this.cell(i), file, line, column);
    return iso === null ? 0 : isoDateKey(iso, 0, 10);
  }

  /** The cell as a date, one shared string per day. */
  date(i: number, days: DayPool, file: string, line: number, column: string): string | null {
    const key = this.dateKey(i, file, line, column);
    return key === 0 ? null : days.day(key);
  }
}

interface QuotedRow {
  cells: string[];
  /** Where the row ends: the index just after its line break. */
  next: number;
  /** Line breaks inside quoted cells, so line numbers stay true. */
  innerLines: number;
}

/**
 * Parses the row starting at `p` cell by cell, honouring quotes. Null when the text ends inside the row and
 * more may come; at the end of the file an unclosed quote is an error.
 */
function quotedRow(s: string, p: number, final: boolean, file: string, line: number): QuotedRow | null {
  const cells: string[] = [];
  let innerLines = 0;
  let k = p;
  for (;;) {
    let cell = '';
    if (s.charCodeAt(k) === 0x22) {
      k++;
      for (;;) {
        const q = s.indexOf('"', k);
        if (q === -1) {
          if (final)
            throw new InputError(
              file,
              line,
              'a quoted cell is never closed: the file looks truncated or a quote is missing',
            );
          return null;
        }
        const part = s.slice(k, q);
        for (let i = part.indexOf('\n'); i !== -1; i = part.indexOf('\n', i + 1)) innerLines++;
        cell += part;
        if (s.charCodeAt(q + 1) === 0x22) {
          cell += '"';
          k = q + 2;
          continue;
        }
        k = q + 1;
        break;
      }
      const c = s.charCodeAt(k);
      if (k >= s.length && !final) return null;
      if (k < s.length && c !== COMMA && c !== LF && c !== CR)
        throw new InputError(file, line + innerLines, `unexpected "${s[k]}" after a closing quote`);
    } else {
      let end = k;
      while (end < s.length) {
        const c = s.charCodeAt(end);
        if (c === COMMA || c === LF) break;
        end++;
      }
      if (end >= s.length && !final) return null;
      cell = s.slice(k, end);
      if (cell.endsWith('\r') && s.charCodeAt(end) !== COMMA) cell = cell.slice(0, -1);
      if (cell.includes('"'))
        throw new InputError(
          file,
          line + innerLines,
          'a quote inside an unquoted cell: quote the whole cell and double the quote',
        );
      k = end;
    }
    cells.push(cell);
    const c = s.charCodeAt(k);
    if (c === COMMA) {
      k++;
      continue;
    }
    if (c === CR) {
      k++;
      // A CR at the very end of what has arrived: its LF may be in the next chunk.
      if (k >= s.length && !final) return null;
    }
    if (s.charCodeAt(k) === LF) k++;
    return { cells, next: k, innerLines };
  }
}

/**
 * Reads the header, lets `onHeader` check it and return the row handler, then streams every row to it.
 * Blank lines are skipped; a row with the wrong number of cells is an error naming its line.
 */
export async function readCsvRows(
  chunks: AsyncIterable<Buffer>,
  file: string,
  onHeader: (columns: CsvColumns) => (row: CsvRow, line: number) => void,
): Promise<number> {
  const row = new CsvRow();
  let line = 1;
  let width = -1;
  let rows = 0;
  let started = false;
  let onRow: ((row: CsvRow, line: number) => void) | undefined;

  const take = (at: number) => {
    if (onRow === undefined) {
      const cells = row.cells();
      checkDelimiter(cells.join(','), file);
      width = cells.length;
      onRow = onHeader(columnsOf(cells.map((h) => h.trim())));
      return;
    }
    if (row.length !== width)
      throw new InputError(file, at, `this row has ${row.length} cells where the header has ${width}`);
    rows++;
    onRow(row, at);
  };

  /** Reads the whole rows in `s`; returns the unfinished rest. */
  const consume = (s: string, final: boolean): string => {
    let p = 0;
    // The next quote at or after p (-1: none); looked for again only once p has passed it.
    let quote = -2;
    const n = s.length;
    while (p < n) {
      let nl = s.indexOf('\n', p);
      if (nl === -1) {
        if (!final) return s.slice(p);
        nl = n;
      }
      if (quote !== -1 && quote < p) quote = s.indexOf('"', p);
      if (quote !== -1 && quote < nl) {
        const quoted = quotedRow(s, p, final, file, line);
        if (quoted === null) return s.slice(p);
        row.setCells(quoted.cells);
        take(line);
        line += 1 + quoted.innerLines;
        p = quoted.next;
        continue;
      }
      const end = nl > p && s.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
      // Blank lines (a trailing newline, a spreadsheet's empty rows) are not rows.
      if (row.split(s, p, end)) take(line);
      line++;
      p = nl + 1;
    }
    return '';
  };

  const decode = (bytes: Buffer): string => {
    let text = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
    if (!started && text.length > 0) {
      started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  };

  let rest = '';
  // Bytes after the last line break of what has arrived: decoded only once their line is whole, so a
  // character split between two chunks is never cut. Only that line is joined to the next chunk's start.
  let pending: Buffer | null = null;
  for await (const chunk of chunks) {
    let from = 0;
    if (pending !== null) {
      const first = chunk.indexOf(LF);
      if (first === -1) {
        pending = Buffer.concat([pending, chunk]);
        continue;
      }
      from = first + 1;
      rest = consume(rest + decode(Buffer.concat([pending, chunk.subarray(0, from)])), false);
      pending = null;
    }
    const cut = chunk.lastIndexOf(LF) + 1;
    if (cut <= from) {
      if (from < chunk.length) pending = chunk.subarray(from);
      continue;
    }
    if (cut < chunk.length) pending = chunk.subarray(cut);
    const text = decode(chunk.subarray(from, cut));
    rest = consume(rest === '' ? text : rest + text, false);
  }
  const tail = pending === null ? '' : decode(pending);
  consume(rest + tail, true);
  if (onRow === undefined) throw new InputError(file, null, 'the file has no header row (it is empty)');
  return rows;
}

/** `readCsvRows` with each row as an array of its cells: for the small files, where speed does not matter. */
export async function readCsvRecords(
  chunks: AsyncIterable<Buffer>,
  file: string,
  onHeader: (columns: CsvColumns) => (row: string[], line: number) => void,
): Promise<number> {
  return readCsvRows(chunks, file, (columns) => {
    const onRow = onHeader(columns);
    return (row, line) => onRow(row.cells(), line);
  });
}
