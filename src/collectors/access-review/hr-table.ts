// The HR export as columns: a few typed arrays and one string, rather than a million objects. The reader
// fills one, a worker thread can hand it over without copying it object by object (typed arrays move,
// strings copy in one piece), and `hrRecords` turns it into the records the review keeps. Pure.
import type { HrRecord } from './model.ts';
import { DayPool } from './parse-values.ts';

export interface HrTable {
  rows: number;
  /** Each row's employee number, e-mail and name, one after another, with nothing between them. */
  text: string;
  /** Three per row: the lengths of those; -1 for a missing e-mail. */
  lengths: Int32Array;
  /** Four per row: status, job role, department and line manager, as indexes into `words`; -1 for none. */
  codes: Int32Array;
  words: string[];
  /** Two per row: start and leave dates as the number YYYYMMDD; 0 for none. */
  dates: Int32Array;
  lines: Int32Array;
}

function grown(a: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  if (size <= a.length) return a;
  const b = new Int32Array(Math.max(size, a.length * 2));
  b.set(a);
  return b;
}

export class HrTableBuilder {
  rows = 0;
  private parts: string[] = [];
  private lengths = new Int32Array(3 * 1024);
  private codes = new Int32Array(4 * 1024);
  private dates = new Int32Array(2 * 1024);
  private lines = new Int32Array(1024);
  private readonly words: string[] = [];
  private readonly wordCodes = new Map<string, number>();

  private code(word: string | null): number {
    if (word === null) return -1;
    let code = this.wordCodes.get(word);
    if (code === undefined) {
      code = this.words.push(word) - 1;
      this.wordCodes.set(word, code);
    }
    return code;
  }

  add(
    employeeNumber: string,
    email: string | null,
    name: string,
    status: string | null,
    jobRole: string | null,
    department: string | null,
    manager: string | null,
    startDate: number,
    leaveDate: number,
    line: number,
  ): void {
    const r = this.rows++;
    this.lengths = grown(this.lengths, 3 * this.rows);
    this.codes = grown(this.codes, 4 * this.rows);
    this.dates = grown(this.dates, 2 * this.rows);
    this.lines = grown(this.lines, this.rows);
    this.parts.push(employeeNumber, email ?? '', name);
    this.lengths[3 * r] = employeeNumber.length;
    this.lengths[3 * r + 1] = email === null ? -1 : email.length;
    this.lengths[3 * r + 2] = name.length;
    this.codes[4 * r] = this.code(status);
    this.codes[4 * r + 1] = this.code(jobRole);
    this.codes[4 * r + 2] = this.code(department);
    this.codes[4 * r + 3] = this.code(manager);
    this.dates[2 * r] = startDate;
    this.dates[2 * r + 1] = leaveDate;
    this.lines[r] = line;
  }

  lineOf(row: number): number {
    return this.lines[row]!;
  }

  build(): HrTable {
    const rows = this.rows;
    return {
      rows,
      // One string for all of them: the strings read from the file were cut from megabyte chunks, and
      // keeping them would keep the chunks.
      text: this.parts.join(''),
      lengths: this.lengths.slice(0, 3 * rows),
      codes: this.codes.slice(0, 4 * rows),
      words: this.words,
      dates: this.dates.slice(0, 2 * rows),
      lines: this.lines.slice(0, rows),
    };
  }
}

/** The records the review keeps, one per row, sharing the table's text and one string per day. */
export function hrRecords(table: HrTable, days = new DayPool()): HrRecord[] {
  const { text, lengths, codes, dates, lines, words } = table;
  const records = new Array<HrRecord>(table.rows);
  const word = (code: number) => (code === -1 ? null : words[code]!);
  const day = (key: number) => (key === 0 ? null : days.day(key));
  let at = 0;
  for (let r = 0; r < table.rows; r++) {
    const employeeNumber = text.slice(at, (at += lengths[3 * r]!));
    const e = lengths[3 * r + 1]!;
    const email = e === -1 ? null : text.slice(at, (at += e));
    const name = text.slice(at, (at += lengths[3 * r + 2]!));
    records[r] = {
      employeeNumber,
      email,
      name,
      status: word(codes[4 * r]!),
      startDate: day(dates[2 * r]!),
      leaveDate: day(dates[2 * r + 1]!),
      jobRole: word(codes[4 * r + 1]!),
      department: word(codes[4 * r + 2]!),
      manager: word(codes[4 * r + 3]!),
      line: lines[r]!,
    };
  }
  return records;
}
