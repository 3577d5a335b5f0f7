// The CSV tokenizer: quoted commas, doubled quotes and line breaks inside quotes, CRLF and BOM, however the
// bytes are split, with true line numbers; and the malformed cases named by line.
import { describe, expect, test } from 'vitest';
import {
  readCsvRecords,
  readCsvRows,
  type CsvRow,
} from '../../../src/collectors/access-review/csv-records.ts';
import { InputError } from '../../../src/collectors/access-review/input-file.ts';
import { DayPool } from '../../../src/collectors/access-review/parse-values.ts';

async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function read(text: string, size = 1 << 20) {
  const rows: [string[], number][] = [];
  let header: string[] = [];
  await readCsvRecords(chunked(text, size), 'hr.csv', (columns) => {
    header = columns.header;
    return (row, line) => rows.push([row, line]);
  });
  return { header, rows };
}

const TRICKY =
  '\ufeffEmployee Number,Name,Note\r\n' +
  'E1,"Patel, Asha","said ""hello"""\r\n' +
  '\r\n' +
  'E2,Jones,"two\r\nlines"\r\n' +
  'E3,"Café Ünïcode",\r\n';

describe('readCsvRecords', () => {
  test.each([1, 2, 3, 5, 8, 1 << 20])(
    'reads quoted cells, CRLF and a BOM the same with %i-byte chunks',
    async (size) => {
      const { header, rows } = await read(TRICKY, size);
      expect(header).toEqual(['Employee Number', 'Name', 'Note']);
      expect(rows).toEqual([
        [['E1', 'Patel, Asha', 'said "hello"'], 2],
        [['E2', 'Jones', 'two\r\nlines'], 4],
        [['E3', 'Café Ünïcode', ''], 6],
      ]);
    },
  );

  test('a last row without a line break is read', async () => {
    expect((await read('a,b\n1,2')).rows).toEqual([[['1', '2'], 2]]);
  });

  test.each<[string, string, RegExp]>([
    ['an unclosed quote', 'a,b\n1,"open\n2,3\n', /hr\.csv:2: a quoted cell is never closed/],
    ['text after a closing quote', 'a,b\n1,"x"y\n', /hr\.csv:2: unexpected "y" after a closing quote/],
    ['too few cells', 'a,b,c\n1,2,3\n4,5\n', /hr\.csv:3: this row has 2 cells where the header has 3/],
    ['tabs instead of commas', 'a\tb\n1\t2\n', /hr\.csv:1: the header is separated by tabs/],
    ['an empty file', '', /hr\.csv: the file has no header row/],
  ])('%s is named with its line', async (_name, text, message) => {
    const error = await read(text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(`${(error as InputError).where}: ${(error as InputError).message}`).toMatch(message);
  });
});

describe('CsvRow, the row readCsvRows hands over', () => {
  async function rowsOf(text: string, read: (row: CsvRow, line: number) => unknown, size = 1 << 20) {
    const out: unknown[] = [];
    await readCsvRows(chunked(text, size), 'hr.csv', () => (row, line) => out.push(read(row, line)));
    return out;
  }

  test('a value is trimmed, and null when empty or when the column is absent', async () => {
    const text = 'a,b,c\n  x ,\u00a0y\u00a0,\n"  q ",\t,z\n';
    for (const size of [1, 4, 1 << 20])
      expect(
        await rowsOf(text, (row) => [row.value(0), row.value(1), row.value(2), row.value(-1)], size),
      ).toEqual([
        ['x', 'y', null, null],
        ['q', null, 'z', null],
      ]);
  });

  test.each<[string, string | null]>([
    ['2026-03-31', '2026-03-31'],
    [' 2026-03-31T10:22:13Z ', '2026-03-31'],
    ['2026-03-31 10:22', '2026-03-31'],
    ['31/03/2026', '2026-03-31'],
    ['1/3/2026', '2026-03-01'],
    ['2026/03/31 10:22:13', '2026-03-31'],
    ['2024-02-29', '2024-02-29'],
    ['', null],
  ])('the date %j reads as %j', async (cell, iso) => {
    const days = new DayPool();
    expect(
      await rowsOf(`d,x\n${cell},1\n"${cell}",1\n`, (row, line) => row.date(0, days, 'hr.csv', line, 'Date')),
    ).toEqual([iso, iso]);
  });

  test.each(['2026-02-29', '2026-13-01', '2026-04-31', '31-03-2026', 'soon', '2026-03-31x'])(
    'the date %j is refused with its line and column',
    async (cell) => {
      const error = await rowsOf(`d\n2026-01-01\n${cell}\n`, (row, line) =>
        row.date(0, new DayPool(), 'hr.csv', line, 'Leave Date'),
      ).catch((e: unknown) => e);
      expect((error as InputError).where).toBe('hr.csv:3');
      expect((error as InputError).message).toMatch(/^Leave Date ".*" is not a date/);
    },
  );
});
