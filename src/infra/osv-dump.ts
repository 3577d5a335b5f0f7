// Reads an OSV dump for the import: a folder of JSON files (searched recursively) or a zip in osv.dev's
// all.zip layout. The zip is read entry by entry with yauzl, within limits, so a zip bomb is refused rather
// than unpacked; a corrupt zip ends the source with an error naming the file and the entry.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import type { OsvSourceItem } from '../app/import-osv.ts';

export interface ZipLimits {
  /** The most entries a zip may hold. */
  maxEntries: number;
  /** The largest single record file, uncompressed. */
  maxEntryBytes: number;
  /** The most bytes all entries together may unpack to. */
  maxTotalBytes: number;
  /** The highest uncompressed-to-compressed ratio allowed for entries over 1 MB. */
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2_000_000,
  maxEntryBytes: 32 * 1024 * 1024,
  maxTotalBytes: 8 * 1024 * 1024 * 1024,
  maxRatio: 200,
};

export async function* readOsvDump(
  location: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): AsyncGenerator<OsvSourceItem> {
  let info;
  try {
    info = await stat(location);
  } catch {
    yield { kind: 'error', where: location, message: 'cannot read this path: does it exist?' };
    return;
  }
  if (info.isDirectory()) {
    for (const file of await jsonFiles(location))
      yield { kind: 'file', name: path.relative(location, file), text: await readFile(file, 'utf8') };
    return;
  }
  yield* readZip(location, limits);
}

async function jsonFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await jsonFiles(full)));
    else if (entry.isFile() && entry.name.endsWith('.json')) found.push(full);
  }
  return found;
}

/** Zips up to this size are read into memory first: thousands of small entries read far faster from a buffer. */
const IN_MEMORY_ZIP_BYTES = 1024 * 1024 * 1024;

async function openZip(file: string): Promise<{ zip: yauzl.ZipFile; bytes?: Buffer }> {
  const options = { lazyEntries: true, validateEntrySizes: true, decodeStrings: true };
  const size = (await stat(file)).size;
  if (size <= IN_MEMORY_ZIP_BYTES) {
    const bytes = await readFile(file);
    return new Promise((resolve, reject) =>
      yauzl.fromBuffer(bytes, options, (err, zip) => (err ? reject(err) : resolve({ zip, bytes }))),
    );
  }
  return new Promise((resolve, reject) =>
    yauzl.open(file, { ...options, autoClose: true }, (err, zip) => (err ? reject(err) : resolve({ zip }))),
  );
}

/** An entry's data straight from an in-memory zip, by its local header: no stream per entry. */
function entryFromBuffer(bytes: Buffer, entry: yauzl.Entry, max: number): Buffer {
  if (entry.isEncrypted()) throw new Error('is encrypted');
  const at = entry.relativeOffsetOfLocalHeader;
  if (at + 30 > bytes.length || bytes.readUInt32LE(at) !== 0x04034b50)
    throw new Error('has no valid local header');
  const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new Error('runs past the end of the file');
  const raw = bytes.subarray(start, end);
  let data: Buffer;
  if (entry.compressionMethod === 8) data = inflateRawSync(raw, { maxOutputLength: max });
  else if (entry.compressionMethod === 0) data = Buffer.from(raw);
  else throw new Error(`uses compression method ${entry.compressionMethod}; expected deflate or none`);
  if (data.length !== entry.uncompressedSize)
    throw new Error(`unpacks to ${data.length} bytes, not the ${entry.uncompressedSize} its header declares`);
  return data;
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, max: number): Promise<Buffer> {
  // The compressed bytes are read raw and inflated in one synchronous call: a zlib stream per entry costs more
  // than the entry itself when a dump holds 100,000 small records. maxOutputLength stops a lying entry.
  const compressed = entry.compressionMethod === 8;
  if (!compressed && entry.compressionMethod !== 0)
    return Promise.reject(
      new Error(`uses compression method ${entry.compressionMethod}; expected deflate or none`),
    );
  return new Promise((resolve, reject) => {
    zip.openReadStream(
      entry,
      { decompress: compressed ? false : null } as yauzl.ZipFileOptions,
      (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > max) stream.destroy(new Error(`holds more than ${max} bytes`));
          else chunks.push(chunk);
        });
        stream.on('error', reject);
        stream.on('end', () => {
          try {
            const raw = Buffer.concat(chunks);
            const bytes = compressed ? inflateRawSync(raw, { maxOutputLength: max }) : raw;
            if (bytes.length !== entry.uncompressedSize)
              return reject(
                new Error(
                  `unpacks to ${bytes.length} bytes, not the ${entry.uncompressedSize} its header declares`,
                ),
              );
            resolve(bytes);
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
      },
    );
  });
}

async function* readZip(file: string, limits: ZipLimits): AsyncGenerator<OsvSourceItem> {
  const where = path.basename(file);
  let zip: yauzl.ZipFile;
  let inMemory: Buffer | undefined;
  try {
    ({ zip, bytes: inMemory } = await openZip(file));
  } catch (e) {
    yield { kind: 'error', where, message: `not a readable zip file: ${(e as Error).message}` };
    return;
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      yield {
        kind: 'error',
        where,
        message: `holds ${zip.entryCount} entries; the limit is ${limits.maxEntries}`,
      };
      return;
    }
    let total = 0;
    const entries = entryIterator(zip);
    for (;;) {
      let next: IteratorResult<yauzl.Entry>;
      try {
        next = await entries.next();
      } catch (e) {
        yield { kind: 'error', where, message: `the zip is corrupt: ${(e as Error).message}` };
        return;
      }
      if (next.done) return;
      const entry = next.value;
      const name = entry.fileName;
      if (name.endsWith('/') || !name.endsWith('.json')) continue;
      const at = `${where}: ${name}`;
      if (entry.uncompressedSize > limits.maxEntryBytes) {
        yield {
          kind: 'error',
          where: at,
          message: `unpacks to ${entry.uncompressedSize} bytes; the limit for one record is ${limits.maxEntryBytes}`,
        };
        return;
      }
      if (
        entry.uncompressedSize > 1024 * 1024 &&
        entry.uncompressedSize / Math.max(1, entry.compressedSize) > limits.maxRatio
      ) {
        yield { kind: 'error', where: at, message: 'is compressed suspiciously well (a zip bomb?): refused' };
        return;
      }
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) {
        yield {
          kind: 'error',
          where: at,
          message: `the zip unpacks to more than ${limits.maxTotalBytes} bytes: refused`,
        };
        return;
      }
      let bytes: Buffer;
      try {
        bytes = inMemory
          ? entryFromBuffer(inMemory, entry, limits.maxEntryBytes)
          : await readEntry(zip, entry, limits.maxEntryBytes);
      } catch (e) {
        yield { kind: 'error', where: at, message: `the zip is corrupt: ${(e as Error).message}` };
        return;
      }
      yield { kind: 'file', name: at, text: bytes.toString('utf8') };
    }
  } finally {
    zip.close();
  }
}

/** yauzl's entry events as an async iterator: one entry at a time, the next read only when asked for. */
function entryIterator(zip: yauzl.ZipFile): AsyncIterator<yauzl.Entry> {
  let waiting: { resolve: (r: IteratorResult<yauzl.Entry>) => void; reject: (e: Error) => void } | undefined;
  let failed: Error | undefined;
  let ended = false;
  zip.on('entry', (entry: yauzl.Entry) => waiting?.resolve({ done: false, value: entry }));
  zip.on('end', () => {
    ended = true;
    waiting?.resolve({ done: true, value: undefined });
  });
  zip.on('error', (e: Error) => {
    failed = e;
    waiting?.reject(e);
  });
  return {
    next() {
      if (failed) return Promise.reject(failed);
      if (ended) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        zip.readEntry();
      });
    },
  };
}
