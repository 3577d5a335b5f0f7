// An incremental reader for the one JSON shape every identity-provider export shares: a long array of
// objects, either the whole document or under a key (Graph `value`, Google `users`, SCIM `Resources`).
// It finds each object's bytes with a small scanner and hands them to JSON.parse, so memory stays flat
// however many records there are, and every error names a line.
import { InputError } from './input-file.ts';

/** The keys under which the exports keep their records. */
export const RECORD_ARRAY_KEYS = ['value', 'users', 'Resources', 'factors', 'data'] as const;

export interface JsonRecordsInfo {
  /** The key of the records array, or null when the document is the array itself. */
  container: string | null;
  records: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const NEWLINE = 0x0a;
const BOM = [0xef, 0xbb, 0xbf];

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Calls `onRecord` with each object of the records array, in order, with the line it starts on. `onRecord`
 * may throw an InputError to stop the read.
 */
export async function readJsonRecords(
  chunks: AsyncIterable<Buffer>,
  file: string,
  onRecord: (value: Record<string, unknown>, line: number, container: string | null) => void,
): Promise<JsonRecordsInfo> {
  let line = 1;
  let depth = 0;
  let inString = false;
  let started = false;
  let rootIsObject = false;
  /** The depth inside the records array; 0 until it is found. */
  let arrayDepth = 0;
  let arrayOpen = false;
  let arrayDone = false;
  let container: string | null = null;
  // The last key read at the top level of a root object, so we know which array we are entering.
  let keyParts: Buffer[] | null = null;
  let keyStart = -1;
  let lastKey = '';
  // The object being captured, possibly across chunks.
  let capturing = false;
  let captureStart = 0;
  let captureLine = 0;
  let captureParts: Buffer[] = [];
  let records = 0;
  let bomLeft = 3;
  let pendingEscape = false;

  const emit = (text: string) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new InputError(file, captureLine, `this record is not valid JSON: ${(e as Error).message}`);
    }
    records++;
    onRecord(value as Record<string, unknown>, captureLine, container);
  };

  for await (let chunk of chunks) {
    // A UTF-8 byte-order mark, as Windows tools write, is not part of the JSON (and may be split by chunks).
    while (bomLeft > 0 && chunk.length > 0) {
      if (chunk[0] !== BOM[3 - bomLeft]) {
        bomLeft = 0;
        break;
      }
      chunk = chunk.subarray(1);
      bomLeft--;
    }
    const n = chunk.length;
    let i = 0;
    if (capturing) captureStart = 0;
    if (keyParts !== null) keyStart = 0;
    // The chunk before ended inside a string on an odd run of backslashes: this first byte is escaped.
    if (inString && pendingEscape) i = 1;
    pendingEscape = false;
    while (i < n) {
      const b = chunk[i]!;
      if (inString) {
        // Jump to the next quote natively; count the backslashes before it to see whether it is escaped.
        let q = chunk.indexOf(QUOTE, i);
        for (;;) {
          if (q === -1) break;
          let slashes = 0;
          let k = q - 1;
          while (k >= i && chunk[k] === BACKSLASH) {
            slashes++;
            k--;
          }
          if (slashes % 2 === 0) break;
          q = chunk.indexOf(QUOTE, q + 1);
        }
        if (q === -1) {
          // The string goes on into the next chunk; note whether this chunk ended in an odd run of backslashes.
          pendingEscape = trailingBackslashes(chunk, i) % 2 === 1;
          for (let k = i; k < n; k++) if (chunk[k] === NEWLINE) line++;
          break;
        }
        inString = false;
        if (keyParts !== null) {
          keyParts.push(chunk.subarray(keyStart, q));
          lastKey = Buffer.concat(keyParts).toString('utf8');
          keyParts = null;
        }
        i = q + 1;
        continue;
      }
      if (b === NEWLINE) {
        line++;
        i++;
        continue;
      }
      if (isSpace(b)) {
        i++;
        continue;
      }
      if (!started) {
        started = true;
        if (b === OPEN_ARRAY) {
          arrayDepth = 1;
          arrayOpen = true;
          depth = 1;
          i++;
          continue;
        }
        if (b === OPEN_OBJECT) {
          rootIsObject = true;
          depth = 1;
          i++;
          continue;
        }
        throw new InputError(
          file,
          line,
          `expected JSON (an array, or an object holding one), found "${String.fromCharCode(b)}": is this a CSV file?`,
        );
      }
      if (arrayOpen && depth === arrayDepth && !capturing) {
        if (b === OPEN_OBJECT) {
          capturing = true;
          captureStart = i;
          captureLine = line;
          captureParts = [];
          depth++;
          i++;
          continue;
        }
        if (b === CLOSE_ARRAY) {
          arrayOpen = false;
          arrayDone = true;
          depth--;
          i++;
          continue;
        }
        if (b === 0x2c) {
          i++;
          continue;
        }
        throw new InputError(
          file,
          line,
          `expected an object in the list of records, found "${String.fromCharCode(b)}"`,
        );
      }
      if (b === QUOTE) {
        inString = true;
        if (rootIsObject && depth === 1 && !capturing) {
          keyParts = [];
          keyStart = i + 1;
        }
        i++;
        continue;
      }
      if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
        if (
          b === OPEN_ARRAY &&
          rootIsObject &&
          depth === 1 &&
          !arrayDone &&
          arrayDepth === 0 &&
          (RECORD_ARRAY_KEYS as readonly string[]).includes(lastKey)
        ) {
          container = lastKey;
          arrayDepth = 2;
          arrayOpen = true;
        }
        depth++;
        i++;
        continue;
      }
      if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        depth--;
        if (depth < 0) throw new InputError(file, line, `unexpected "${String.fromCharCode(b)}"`);
        if (capturing && depth === arrayDepth) {
          capturing = false;
          if (captureParts.length === 0) emit(chunk.toString('utf8', captureStart, i + 1));
          else {
            captureParts.push(chunk.subarray(0, i + 1));
            emit(Buffer.concat(captureParts).toString('utf8'));
            captureParts = [];
          }
        }
        i++;
        continue;
      }
      i++;
    }
    // Keep the unfinished object (or key) for the next chunk. Buffers from the stream are not reused.
    if (capturing) captureParts.push(captureStart === 0 ? chunk : chunk.subarray(captureStart));
    if (keyParts !== null && inString) keyParts.push(chunk.subarray(keyStart));
  }

  if (!started) throw new InputError(file, null, 'the file holds no JSON (it is empty or only spaces)');
  if (depth !== 0 || inString)
    throw new InputError(
      file,
      line,
      `the JSON ends before ${capturing ? `the record that starts on line ${captureLine}` : 'the document'} is closed: the file looks truncated`,
    );
  if (arrayDepth === 0)
    throw new InputError(
      file,
      null,
      `found no list of records: expected a JSON array, or an object with a ${RECORD_ARRAY_KEYS.map((k) => `"${k}"`).join(', ')} array`,
    );
  return { container, records };
}

function trailingBackslashes(chunk: Buffer, from: number): number {
  let count = 0;
  for (let k = chunk.length - 1; k >= from && chunk[k] === BACKSLASH; k--) count++;
  return count;
}
