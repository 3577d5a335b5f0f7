// openDSPT's backup archive: a tar-like sequence of named parts followed by a manifest that lists every part
// with its size and SHA-256, and a trailer with the manifest's own SHA-256. Reading checks each part against the
// manifest as it streams, so a truncated archive or any changed byte is reported, naming the part.
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

const MAGIC = Buffer.from('DSPTBAK1');
const END = Buffer.from('DSPTEND1');
const PART = 0x50; // 'P'
const MANIFEST = 0x4d; // 'M'
const FLUSH_BYTES = 8 * 1024 * 1024;

export interface PartEntry {
  name: string;
  size: number;
  sha256: string;
}

/** What an archive holds; `parts` is written by the archive itself, the rest by the caller. */
export interface Manifest {
  format: 'opendspt-backup';
  version: 1;
  parts: PartEntry[];
  [key: string]: unknown;
}

/** A problem with an archive a user gave us: truncated, altered or not an archive at all. */
export class ArchiveError extends Error {
  constructor(
    readonly file: string,
    readonly element: string,
    message: string,
  ) {
    super(`${file}: ${element}: ${message}`);
    this.name = 'ArchiveError';
  }
}

export class ArchiveWriter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private position = 0;
  private readonly parts: PartEntry[] = [];

  private constructor(private readonly handle: FileHandle) {}

  /** Creates the file; it must not exist, so that a backup never overwrites anything. */
  static async create(file: string): Promise<ArchiveWriter> {
    const writer = new ArchiveWriter(await open(file, 'wx', 0o600));
    writer.push(MAGIC);
    return writer;
  }

  async addPart(name: string, data: Buffer): Promise<void> {
    const nameBytes = Buffer.from(name, 'utf8');
    const header = Buffer.alloc(1 + 2 + nameBytes.length + 8);
    header.writeUInt8(PART, 0);
    header.writeUInt16BE(nameBytes.length, 1);
    nameBytes.copy(header, 3);
    header.writeBigUInt64BE(BigInt(data.length), 3 + nameBytes.length);
    this.push(header);
    this.push(data);
    this.parts.push({ name, size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    if (this.buffered >= FLUSH_BYTES) await this.flush();
  }

  /** Writes the manifest and trailer, flushes to disk and closes. Returns the manifest as written. */
  async finish(fields: Record<string, unknown>): Promise<Manifest> {
    const manifest: Manifest = { format: 'opendspt-backup', version: 1, ...fields, parts: this.parts };
    const json = Buffer.from(JSON.stringify(manifest), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(json.length);
    this.push(Buffer.from([MANIFEST]));
    this.push(json);
    this.push(length);
    this.push(createHash('sha256').update(json).digest());
    this.push(END);
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
    return manifest;
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  private push(bytes: Buffer): void {
    this.chunks.push(bytes);
    this.buffered += bytes.length;
  }

  private async flush(): Promise<void> {
    if (this.buffered === 0) return;
    const chunks = this.chunks;
    this.chunks = [];
    this.buffered = 0;
    let offset = 0;
    while (offset < chunks.length) {
      // writev takes at most IOV_MAX buffers at a time.
      const batch = chunks.slice(offset, offset + 1000);
      const { bytesWritten } = await this.handle.writev(batch, this.position);
      this.position += bytesWritten;
      offset += batch.length;
    }
  }
}

/** Reads and checks the manifest at the end of the archive: the first thing a restore does. */
export async function readManifest(
  file: string,
): Promise<{ manifest: Manifest; manifestStart: number; size: number }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const read = async (position: number, length: number) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    };
    if (size < MAGIC.length + 1 + 4 + 32 + END.length || !(await read(0, MAGIC.length)).equals(MAGIC))
      throw new ArchiveError(
        file,
        'header',
        'this is not an openDSPT backup (the file does not start with DSPTBAK1)',
      );
    if (!(await read(size - END.length, END.length)).equals(END))
      throw new ArchiveError(
        file,
        'trailer',
        'the end marker is missing: the archive is truncated or was altered at its end',
      );
    const trailer = await read(size - END.length - 32 - 4, 36);
    const length = trailer.readUInt32BE(0);
    const manifestStart = size - END.length - 36 - length;
    if (length === 0 || manifestStart < MAGIC.length + 1)
      throw new ArchiveError(file, 'trailer', 'the manifest length is impossible: the archive was altered');
    const marker = await read(manifestStart - 1, 1);
    const json = await read(manifestStart, length);
    if (marker[0] !== MANIFEST || !createHash('sha256').update(json).digest().equals(trailer.subarray(4)))
      throw new ArchiveError(
        file,
        'manifest',
        'the manifest does not match its checksum: the archive was altered',
      );
    let manifest: Manifest;
    try {
      manifest = JSON.parse(json.toString('utf8')) as Manifest;
    } catch {
      throw new ArchiveError(file, 'manifest', 'the manifest is not JSON');
    }
    if (manifest.format !== 'opendspt-backup' || manifest.version !== 1 || !Array.isArray(manifest.parts))
      throw new ArchiveError(
        file,
        'manifest',
        `unsupported backup format ${String(manifest.format)} version ${String(manifest.version)}`,
      );
    return { manifest, manifestStart: manifestStart - 1, size };
  } finally {
    await handle.close();
  }
}

/**
 * Streams every part to `take`, in order, after checking its header against the manifest and its bytes against
 * the manifest's SHA-256. `take` may be async; the next part is read while it runs.
 */
export async function readParts(
  file: string,
  take: (part: PartEntry, data: Buffer) => Promise<void> | void,
): Promise<Manifest> {
  const { manifest, manifestStart } = await readManifest(file);
  const handle = await open(file, 'r');
  const chunkSize = FLUSH_BYTES;
  let buffer = Buffer.alloc(0);
  let filePos = MAGIC.length;
  // Each refill reads into a new buffer (the unread rest copied to its front), so the slices handed out stay
  // valid while `take` holds them and no byte is copied more than once.
  const need = async (n: number, element: string) => {
    if (buffer.length < n) {
      const want = Math.min(Math.max(n, chunkSize), buffer.length + (manifestStart - filePos));
      if (want < n) throw new ArchiveError(file, element, 'the archive ends in the middle of this part');
      const next = Buffer.allocUnsafe(want);
      let filled = buffer.copy(next, 0);
      while (filled < want) {
        const { bytesRead } = await handle.read(next, filled, want - filled, filePos);
        if (bytesRead === 0)
          throw new ArchiveError(file, element, 'the archive ends in the middle of this part');
        filled += bytesRead;
        filePos += bytesRead;
      }
      buffer = next;
    }
    const out = buffer.subarray(0, n);
    buffer = buffer.subarray(n);
    return out;
  };
  const pending: Promise<void>[] = [];
  try {
    for (const [index, part] of manifest.parts.entries()) {
      const element = `part ${index + 1} (${part.name})`;
      const head = await need(3, element);
      if (head[0] !== PART) throw new ArchiveError(file, element, 'the part header is damaged');
      const nameLength = head.readUInt16BE(1);
      const name = (await need(nameLength, element)).toString('utf8');
      if (name !== part.name)
        throw new ArchiveError(
          file,
          element,
          `the part is named "${name}" but the manifest expects "${part.name}"`,
        );
      const size = Number((await need(8, element)).readBigUInt64BE(0));
      if (size !== part.size)
        throw new ArchiveError(file, element, `the part is ${size} bytes but the manifest says ${part.size}`);
      const data = await need(size, element);
      if (createHash('sha256').update(data).digest('hex') !== part.sha256)
        throw new ArchiveError(
          file,
          element,
          'its SHA-256 does not match the manifest: the archive was altered',
        );
      pending.push(Promise.resolve(take(part, data)));
      if (pending.length >= 16) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending.splice(0));
    if (buffer.length !== 0 || filePos !== manifestStart)
      throw new ArchiveError(
        file,
        'manifest',
        'there are bytes between the last part and the manifest: the archive was altered',
      );
    return manifest;
  } finally {
    await Promise.allSettled(pending);
    await handle.close();
  }
}
