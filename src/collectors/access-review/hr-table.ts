// The HR export as columns: a few typed arrays and one string, rather than a million objects. The reader
// fills one, a worker thread can hand it over without copying it object by object (typed arrays move,
// strings copy in one piece), and `HrRows` makes the records the review reads from it. Pure.
import { sameText, type KeyRanges } from './key-index.ts';
import type { HrRecord } from './model.ts';
import { DayPool } from './parse-values.ts';

export interface HrTable {
  rows: number;
  /** Every row's employee number, then every row's e-mail, then every name, with nothing between them. */
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

/**
 * Codes for the words a column repeats (statuses, job roles, departments, managers). `codeAt` looks a word up
 * where it stands in the text, through a small cache, so a row needs no new string for one seen before.
 */
export class WordCodes {
  readonly words: string[] = [];
  private readonly codes = new Map<string, number>();
  private readonly recent = new Int32Array(RECENT).fill(-1);

  code(word: string | null): number {
    if (word === null) return -1;
    let code = this.codes.get(word);
    if (code === undefined) {
      code = this.words.push(word) - 1;
      this.codes.set(word, code);
    }
    return code;
  }

  /** The code of `text[s..e)`, which must not be empty. */
  codeAt(text: string, s: number, e: number): number {
    // The cache is keyed by the length and a few characters (the last three tell managers' numbers apart);
    // a hit is checked in full, so a clash only costs a lookup.
    const n = e - s;
    let h = n;
    h = Math.imul(h ^ text.charCodeAt(s), 0x01000193);
    h = Math.imul(h ^ text.charCodeAt(s + (n >> 1)), 0x01000193);
    h = Math.imul(h ^ text.charCodeAt(e - 1), 0x01000193);
    if (n > 2) {
      h = Math.imul(h ^ text.charCodeAt(e - 2), 0x01000193);
      h = Math.imul(h ^ text.charCodeAt(e - 3), 0x01000193);
    }
    const slot = (h ^ (h >>> 15)) & (RECENT - 1);
    const seen = this.recent[slot]!;
    if (seen !== -1) {
      const word = this.words[seen]!;
      if (word.length === n && sameText(text, s, word)) return seen;
    }
    const code = this.code(text.slice(s, e));
    this.recent[slot] = code;
    return code;
  }
}

const RECENT = 4096;

function grown(a: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  if (size <= a.length) return a;
  const b = new Int32Array(Math.max(size, a.length * 2));
  b.set(a);
  return b;
}

/** Pieces of text, joined a few thousand at a time so that the pieces die young and only the joins are kept. */
class TextBlocks {
  private pieces: string[] = [];
  private readonly blocks: string[] = [];

  push(piece: string): void {
    if (this.pieces.push(piece) === 4096) this.flush();
  }

  private flush(): void {
    this.blocks.push(this.pieces.join(''));
    this.pieces = [];
  }

  join(): string {
    return TextBlocks.join(this);
  }

  /** The pieces of each, one after another, in one string: joined once, not joined and then joined again. */
  static join(...texts: TextBlocks[]): string {
    const blocks: string[] = [];
    for (const t of texts) {
      t.flush();
      blocks.push(...t.blocks);
    }
    return blocks.join('');
  }
}

export class HrTableBuilder {
  rows = 0;
  readonly words = new WordCodes();
  private readonly numbers = new TextBlocks();
  private readonly emails = new TextBlocks();
  private readonly names = new TextBlocks();
  private lengths = new Int32Array(3 * 1024);
  private codes = new Int32Array(4 * 1024);
  private dates = new Int32Array(2 * 1024);
  private lines = new Int32Array(1024);

  /** Status, job role, department and manager come as codes from `words`. */
  add(
    employeeNumber: string,
    email: string | null,
    name: string,
    status: number,
    jobRole: number,
    department: number,
    manager: number,
    startDate: number,
    leaveDate: number,
    line: number,
  ): void {
    const r = this.rows++;
    if (this.rows > this.lines.length) {
      this.lengths = grown(this.lengths, 3 * this.rows);
      this.codes = grown(this.codes, 4 * this.rows);
      this.dates = grown(this.dates, 2 * this.rows);
      this.lines = grown(this.lines, this.rows);
    }
    this.numbers.push(employeeNumber);
    if (email !== null) this.emails.push(email);
    this.names.push(name);
    this.lengths[3 * r] = employeeNumber.length;
    this.lengths[3 * r + 1] = email === null ? -1 : email.length;
    this.lengths[3 * r + 2] = name.length;
    this.codes[4 * r] = status;
    this.codes[4 * r + 1] = jobRole;
    this.codes[4 * r + 2] = department;
    this.codes[4 * r + 3] = manager;
    this.dates[2 * r] = startDate;
    this.dates[2 * r + 1] = leaveDate;
    this.lines[r] = line;
  }

  /** The table of the rows added so far. */
  build(): HrTable {
    const rows = this.rows;
    return {
      rows,
      // One string for all of them: the strings read from the file were cut from megabyte chunks, and
      // keeping them would keep the chunks.
      text: TextBlocks.join(this.numbers, this.emails, this.names),
      // Views of the rows used, not copies: the room grown beyond them was never written, so it takes no
      // memory, and moves to another thread with them.
      lengths: this.lengths.subarray(0, 3 * rows),
      codes: this.codes.subarray(0, 4 * rows),
      words: this.words.words,
      dates: this.dates.subarray(0, 2 * rows),
      lines: this.lines.subarray(0, rows),
    };
  }
}

/** 0, 1, ... n - 1. */
export function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let r = 0; r < n; r++) rows[r] = r;
  return rows;
}

/** Where each row's employee number and e-mail stand in the table's text, for the indexes. */
export function keyRanges(table: HrTable): { numbers: KeyRanges; emails: KeyRanges } {
  const numbers = { starts: new Int32Array(table.rows), lengths: new Int32Array(table.rows) };
  const emails = { starts: new Int32Array(table.rows), lengths: new Int32Array(table.rows) };
  const { lengths } = table;
  let at = 0;
  for (let r = 0; r < table.rows; r++) {
    numbers.starts[r] = at;
    numbers.lengths[r] = lengths[3 * r]!;
    at += lengths[3 * r]!;
  }
  for (let r = 0; r < table.rows; r++) {
    emails.starts[r] = at;
    emails.lengths[r] = lengths[3 * r + 1]!;
    at += Math.max(0, lengths[3 * r + 1]!);
  }
  return { numbers, emails };
}

/**
 * The records of a table's rows, each made when first asked for and then kept, sharing the table's text and
 * one string per day: a review reads only the rows its accounts match and, of those, most only to ask whether
 * the person has left, which `left` answers from the columns.
 */
export class HrRows {
  readonly length: number;
  /** Three per row: where its employee number, e-mail and name start in the text; made when first needed. */
  #starts: Int32Array | undefined;
  private readonly made: (HrRecord | undefined)[];
  private readonly leaverWord: boolean[];

  constructor(
    private readonly table: HrTable,
    /** Whether a status word says the person has gone, for rows with no leave date. */
    isLeaverStatus: (status: string) => boolean,
    private readonly days = new DayPool(),
  ) {
    this.length = table.rows;
    this.made = new Array<HrRecord | undefined>(table.rows);
    this.leaverWord = table.words.map(isLeaverStatus);
  }

  /** A review that only counts reads no record, and never needs these. */
  private starts(): Int32Array {
    if (this.#starts !== undefined) return this.#starts;
    const { lengths, rows } = this.table;
    const starts = new Int32Array(3 * rows);
    let at = 0;
    for (let f = 0; f < 3; f++)
      for (let r = 0; r < rows; r++) {
        starts[3 * r + f] = at;
        at += Math.max(0, lengths[3 * r + f]!);
      }
    return (this.#starts = starts);
  }

  at(row: number): HrRecord | undefined {
    if (row < 0 || row >= this.length) return undefined;
    return (this.made[row] ??= this.make(row));
  }

  /** True when the person of `row` had left on the day `on` (YYYYMMDD): as `hasLeft` says of the record. */
  left(row: number, on: number): boolean {
    const leave = this.table.dates[2 * row + 1]!;
    if (leave !== 0) return leave <= on;
    const status = this.table.codes[4 * row]!;
    return status !== -1 && this.leaverWord[status]!;
  }

  /** The leave date of `row`'s record, without making the record. */
  leaveDate(row: number): string | null {
    const key = this.table.dates[2 * row + 1]!;
    return key === 0 ? null : this.days.day(key);
  }

  /** The status of `row`'s record, without making the record. */
  status(row: number): string | null {
    const code = this.table.codes[4 * row]!;
    return code === -1 ? null : this.table.words[code]!;
  }

  /** Every row's record. */
  all(): HrRecord[] {
    const records = new Array<HrRecord>(this.length);
    for (let r = 0; r < this.length; r++) records[r] = this.at(r)!;
    return records;
  }

  private make(r: number): HrRecord {
    const { text, lengths, codes, dates, lines, words } = this.table;
    const word = (code: number) => (code === -1 ? null : words[code]!);
    const day = (key: number) => (key === 0 ? null : this.days.day(key));
    const s = this.starts();
    const m = lengths[3 * r + 1]!;
    return {
      employeeNumber: text.slice(s[3 * r]!, s[3 * r]! + lengths[3 * r]!),
      email: m === -1 ? null : text.slice(s[3 * r + 1]!, s[3 * r + 1]! + m),
      name: text.slice(s[3 * r + 2]!, s[3 * r + 2]! + lengths[3 * r + 2]!),
      status: word(codes[4 * r]!),
      startDate: day(dates[2 * r]!),
      leaveDate: day(dates[2 * r + 1]!),
      jobRole: word(codes[4 * r + 1]!),
      department: word(codes[4 * r + 2]!),
      manager: word(codes[4 * r + 3]!),
      line: lines[r]!,
    };
  }
}
