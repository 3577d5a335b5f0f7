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
import { text } from '../../../src/collectors/access-review/parse-values.ts';

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

  test('a string copied as bytes is the text the string reads as, and only plain strings are copied', async () => {
    const values = ['jo.bloggs@trust.nhs.uk', ' padded ', '', 'tab\t', 'café', 'a\\"b', 'x', 42, null, true];
    const records = values.map((id) => ({ id }));
    const copied: (string | null)[] = [];
    const into = {
      bytes: '',
      pushBytes(bytes: Buffer, start: number, end: number) {
        this.bytes = bytes.toString('utf8', start, end);
      },
    };
    await readJsonRecords(chunked(JSON.stringify(records), 1 << 20), 'users.json', (_r, _l, _c, listen) =>
      listen({
        fields: new RecordFields(['id']),
        onFields: (v) => copied.push(v.copyPlainText(0, into) ? into.bytes : null),
      }),
    );
    // The first record goes to onRecord, parsed whole; the rest are read from the bytes.
    expect(copied).toEqual(values.slice(1).map((v) => (v === 'x' ? 'x' : null)));
    expect(copied.every((c, i) => c === null || c === text(values[i + 1]))).toBe(true);
  });

  test('an employee number with a lower-case letter is not copied when asked to refuse those', async () => {
    const records = [{ n: 'first' }, { n: 'E0001' }, { n: 'e0001' }, { n: 'EMP-z' }, { n: '42A' }];
    const copied: (string | null)[] = [];
    const into = {
      bytes: '',
      pushBytes(bytes: Buffer, start: number, end: number) {
        this.bytes = bytes.toString('utf8', start, end);
      },
    };
    await readJsonRecords(chunked(JSON.stringify(records), 1 << 20), 'users.json', (_r, _l, _c, listen) =>
      listen({
        fields: new RecordFields(['n']),
        onFields: (v) => copied.push(v.copyPlainText(0, into, true) ? into.bytes : null),
      }),
    );
    expect(copied).toEqual(['E0001', null, null, '42A']);
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

  // Keys are compared four bytes at a time, and strings scanned four bytes at a time: a difference or a
  // special byte at any place in a word, or in the bytes after the last whole word, must still count.
  test('keys that differ from a wanted one at any byte, and keys in a changing order', async () => {
    // Quoted, these are 16, 13, 15, 6 and 4 bytes long: no bytes after the last word, one, three, two, none.
    const wanted = new RecordFields(['accountEnabled', 'displayName', 'userPrincipal', 'mail', 'id']);
    const names = [
      ...['accountEnabled', 'accountEnablee', 'AccountEnabled', 'accountEnabledX', 'accountEnable'],
      ...[
        'displayName',
        'displayNamf',
        'dIsplayName',
        'userPrincipal',
        'userPrincipak',
        'userPrincipaL',
        'displayNameX',
      ],
      ...['userPrincipa', 'userPrincipalX', 'mail', 'maim', 'mai', 'Mail', 'id', 'ie', 'i'],
    ];
    const records = Array.from({ length: 60 }, (_, r) => {
      const record: Record<string, unknown> = {};
      // A different subset in a different order each time, so the guessed next key is often wrong.
      for (let k = 0; k < names.length; k++) {
        const name = names[(r * 7 + k * 5) % names.length]!;
        if ((r + k) % 3 !== 0) record[name] = `${name}-${r}`;
      }
      return record;
    });
    // And each near miss right after a record with the wanted key in its place, where it is the guess.
    for (const [key, miss] of [
      ['userPrincipal', 'userPrincipalX'],
      ['displayName', 'displayNameX'],
      ['accountEnabled', 'accountEnabledX'],
      ['mail', 'maim'],
      ['userPrincipal', 'userPrincipaL'],
    ])
      records.push({ id: 'a', [key!]: 'wanted', n: 1 }, { id: 'b', [miss!]: 'not wanted', n: 2 });
    const text = JSON.stringify(records);
    for (const size of [1, 3, 4, 5, 7, 64, 1 << 20]) {
      const { got } = await readFields(text, wanted, size);
      expect(got.map((g) => g.values)).toEqual(
        records.map((r) => {
          const values = wanted.fromObject(r);
          return Array.from({ length: wanted.size }, (_, slot) => values.get(slot));
        }),
      );
    }
  });

  test('strings with a quote, backslash, escape or non-ASCII character at every place in a word', async () => {
    const specials = ['\\"', '\\\\', '\\n', '\\u0001', '\\u00e9', 'é', '😀', '\\/'];
    const ids: string[] = [];
    for (const special of specials)
      for (let before = 0; before < 9; before++)
        for (const after of [0, 1, 2, 3, 4, 5])
          ids.push(`${'a'.repeat(before)}${special}${'b'.repeat(after)}`);
    const text = `[${ids.map((id) => `{"id":"${id}","n":1}`).join(',')}]`;
    const expected = (JSON.parse(text) as { id: string }[]).map((r) => r.id);
    for (const size of [1, 4, 6, 1 << 20]) {
      const { got } = await readFields(text, fields, size);
      expect(got.map((g) => g.values[0])).toEqual(expected);
    }
  });

  test('a raw control character anywhere in a string is an error with the line', async () => {
    for (const control of ['\u0001', '\u001f', '\n', '\u0000'])
      for (let before = 0; before < 9; before++) {
        const text = `[{"id":1},\n{"id": "${'a'.repeat(before)}${control}bcdefgh"}]`;
        const error = await readFields(text, fields).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InputError);
        expect((error as InputError).where).toBe('users.json:2');
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
