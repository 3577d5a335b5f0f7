// The CSV tokenizer: quoted commas, doubled quotes and line breaks inside quotes, CRLF and BOM, however the
// bytes are split, with true line numbers; and the malformed cases named by line.
import { describe, expect, test } from 'vitest';
import { readCsvRecords } from '../../../src/collectors/access-review/csv-records.ts';
import { InputError } from '../../../src/collectors/access-review/input-file.ts';

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
