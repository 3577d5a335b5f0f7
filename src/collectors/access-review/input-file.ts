// Reading a collector input file once, as a stream: its SHA-256 and size for the run's fingerprints, a size
// limit checked before a byte is read, and errors that name the file and line.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { CollectorInput } from '../../app/ports.ts';

/** A problem with an input file, at a line when one is known. Readers throw it; `collect` turns it into a Result. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    message: string,
  ) {
    super(message);
  }
  get where(): string {
    return this.line === null ? this.file : `${this.file}:${this.line}`;
  }
}

/** 1 GiB: a million Graph users with sign-in activity take about 700 MB. */
export const DEFAULT_MAX_INPUT_BYTES = 1024 * 1024 * 1024;

export interface OpenedInput {
  /** The name used in messages and in the run's fingerprints (the base name, no folders). */
  name: string;
  path: string;
  size: number;
  /** The bytes, in order; the SHA-256 is complete once this has been read to the end. */
  chunks: AsyncIterable<Buffer>;
  fingerprint(): CollectorInput;
  /** Bytes read so far, for progress bars. */
  bytesRead(): number;
}

export async function openInput(
  file: string,
  maxBytes = DEFAULT_MAX_INPUT_BYTES,
  onBytes?: (bytes: number) => void,
): Promise<OpenedInput> {
  const name = path.basename(file);
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new InputError(file, null, 'expected a file, found a folder or device');
    size = info.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, null, 'cannot read this file: does it exist?');
  }
  if (size > maxBytes)
    throw new InputError(
      file,
      null,
      `the file is ${size} bytes; the limit is ${maxBytes} bytes (DSPT_MAX_COLLECTOR_BYTES); split the export or raise the limit`,
    );
  if (size === 0) throw new InputError(file, null, 'the file is empty');
  const hash = createHash('sha256');
  let read = 0;
  let digest: string | undefined;
  async function* chunks(): AsyncGenerator<Buffer> {
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      read += chunk.length;
      onBytes?.(chunk.length);
      yield chunk;
    }
    digest = hash.digest('hex');
  }
  return {
    name,
    path: file,
    size,
    chunks: chunks(),
    bytesRead: () => read,
    fingerprint() {
      if (digest === undefined) throw new Error(`${file} was fingerprinted before it was read to the end`);
      return { name, size, sha256: digest };
    },
  };
}
