// The incremental JSON reader: the same records however the bytes are split, escapes and BOMs handled, and
// truncated or malformed documents named by line.
import { describe, expect, test } from 'vitest';
import { InputError } from '../../../src/collectors/access-review/input-file.ts';
import { readJsonRecords } from '../../../src/collectors/access-review/json-records.ts';

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
