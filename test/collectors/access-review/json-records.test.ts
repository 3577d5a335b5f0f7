// The incremental JSON reader: the same records however the bytes are split, escapes and BOMs handled, and
// truncated or malformed documents named by line.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InputError } from '../../../src/collectors/access-review/input-file.ts';
import {
  OBJECT,
  readJsonRecords,
  RecordFields,
  type RecordValues,
} from '../../../src/collectors/access-review/json-records.ts';

async function* chunked(text: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function read(text: string | Buffer, size = 1 << 20) {
  const records: { value: unknown; line: number }[] = [];
  const info = await readJsonRecords(chunked(text, size), 'users.json', (value, line) =>
    records.push({ value, line }),
  );
  return { records, info };
}

const GRAPH = `{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
  "schemas": ["not", "the", "records"],
  "value": [
    { "userPrincipalName": "a\\"b@x.nhs.uk", "note": "brace } and [ in \\\\ a string" },
    {
      "userPrincipalName": "café@x.nhs.uk", "nested": { "list": [1, {"x": "}"}] }
    }
  ],
  "@odata.nextLink": null
}`;

describe('readJsonRecords', () => {
  test.each([1, 2, 3, 7, 64, 1 << 20])(
    'finds the same records under "value" with %i-byte chunks',
    async (size) => {
      const { records, info } = await read(GRAPH, size);
      expect(info).toEqual({ container: 'value', records: 2 });
      expect(records.map((r) => (r.value as { userPrincipalName: string }).userPrincipalName)).toEqual([
        'a"b@x.nhs.uk',
        'café@x.nhs.uk',
      ]);
      expect(records.map((r) => r.line)).toEqual([5, 6]);
    },
  );

  test('reads a bare array with a UTF-8 byte-order mark', async () => {
    const { records, info } = await read(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[{"a":1},{"a":2}]')]),
      2,
    );
    expect(info.container).toBeNull();
    expect(records.map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  test('an escaped quote split across chunks does not end the string', async () => {
    const text = '[{"k":"x\\\\\\"y"},{"k":"z"}]';
    for (let size = 1; size <= text.length; size++) {
      const { records } = await read(text, size);
      expect(records.map((r) => r.value)).toEqual([{ k: 'x\\"y' }, { k: 'z' }]);
    }
  });

  test.each<[string, string, RegExp]>([
    ['truncated', '{"value": [\n{"a": 1},\n{"a": 2', /users\.json:3.*truncated/],
    ['empty', '   \n', /holds no JSON/],
    ['a CSV', 'userPrincipalName,displayName\n', /is this a CSV file/],
    ['no records array', '{"kind": "x", "items": []}', /found no list of records/],
    ['a bad record', '[\n{"a": 1},\n{"a": tru}\n]', /users\.json:3.*not valid JSON/],
    ['numbers in the list', '[1, 2]', /expected an object/],
  ])('%s is a clear error with the file and line', async (_name, text, message) => {
    const error = await read(text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(`${(error as InputError).where}: ${(error as InputError).message}`).toMatch(message);
  });
});

describe('readJsonRecords with the fields a reader wants', () => {
  /** Reads `text`, switching to `fields` after the first record; each record's values, and the first's too. */
  async function readFields(text: string | Buffer, fields: RecordFields, size = 1 << 20) {
    const got: { values: unknown[]; line: number }[] = [];
    const all = (values: RecordValues) => Array.from({ length: fields.size }, (_, slot) => values.get(slot));
    const info = await readJsonRecords(chunked(text, size), 'users.json', (record, line, _c, listen) => {
      got.push({ values: all(fields.fromObject(record)), line });
      listen({ fields, onFields: (values, at) => got.push({ values: all(values), line: at }) });
    });
    return { got, info };
  }

  const fields = new RecordFields(['id', 'name', ['name', 'given'], 'tags', 'n', 'ok', 'nothing']);

  test('gives the same values as JSON.parse for any records, however the bytes are split', async () => {
    // Any code points: ASCII, accents, emoji, control characters (which JSON.stringify escapes).
    const anyText = fc.string({ unit: 'binary' });
    const record = fc.record(
      {
        id: fc.oneof(anyText, fc.integer(), fc.constant(null)),
        name: fc.oneof(
          fc.record({ given: anyText, family: anyText }, { requiredKeys: [] }),
          anyText,
          fc.constant(null),
        ),
        tags: fc.array(fc.jsonValue(), { maxLength: 3 }),
        n: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()),
        ok: fc.boolean(),
        other: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 300 }),
        fc.boolean(),
        async (records, size, pretty) => {
          const text = pretty ? JSON.stringify(records, null, 2) : JSON.stringify(records);
          const { got, info } = await readFields(text, fields, size);
          expect(info.records).toBe(records.length);
          // JSON.parse, not the records themselves: -0 and the like come back as JSON says.
          const parsed = JSON.parse(text) as Record<string, unknown>[];
          expect(got.map((g) => g.values)).toEqual(
            parsed.map((r) => {
              const values = fields.fromObject(r);
              return Array.from({ length: fields.size }, (_, slot) => values.get(slot));
            }),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  test('escapes, non-ASCII text, a repeated key and lines', async () => {
    const text = `[
{"id": "first"},
{"id": "a\\"b\\u00e9\\n", "name": {"given": "Zoë"},
  "name": {"given": "Siân"}, "tags": [1, {"t": "}"}], "n": -1.5e3, "ok": false, "nothing": null}
]`;
    for (const size of [1, 5, 1 << 20]) {
      const { got } = await readFields(text, fields, size);
      expect(got[1]).toEqual({
        values: ['a"bé\n', OBJECT, 'Siân', [1, { t: '}' }], -1500, false, null],
        line: 3,
      });
    }
  });

  test.each<[string, string, RegExp]>([
    ['a misspelt literal', '[{"id":1},\n{"id": tru}]', /users\.json:2: this record is not valid JSON/],
    ['a trailing comma', '[{"id":1},\n{"id": 2,\n}]', /users\.json:3: this record is not valid JSON/],
    ['a raw tab in a string', '[{"id":1},\n{"id": "a\tb"}]', /users\.json:2: this record is not valid JSON/],
    ['a bad escape', '[{"id":1},\n{"x": "\\q"}]', /users\.json:2: this record is not valid JSON/],
    [
      'a number with a leading zero',
      '[{"id":1},\n{"x": 01}]',
      /users\.json:2: this record is not valid JSON/,
    ],
    ['a missing colon', '[{"id":1},\n{"x" 1}]', /users\.json:2: this record is not valid JSON/],
    ['a truncated record', '[{"id":1},\n{"id": "a", "x": [1, 2', /users\.json:2: .*truncated/],
  ])('%s is an error with the file and line', async (_name, text, message) => {
    for (const size of [3, 1 << 20]) {
      const error = await readFields(text, fields, size).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect(`${(error as InputError).where}: ${(error as InputError).message}`).toMatch(message);
    }
  });
});
