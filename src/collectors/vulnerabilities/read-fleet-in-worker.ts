// Reads a fleet's inventories in a worker thread (fleet-worker.ts), so that the thread that starts it adds
// the package versions each file brings in to its fleet, and looks up the new packages, while the worker reads
// on. Files go over one at a time, as bytes or as a path the worker reads itself; what comes back is each
// file's new package versions by number (numbered-files.ts) and its fingerprint, or the first bad file, and at
// the end the copies of each number. A scan may run several beside its own thread's reading.
import type { Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from '../typescript-worker.ts';
import type { Problem } from '../../domain/result.ts';
import type { ReadOptions } from './inventory.ts';
import type { NumberedCopies, ToldFile } from './numbered-files.ts';

export type ToFleetWorker =
  | { kind: 'file'; name: string; bytes: Uint8Array }
  | { kind: 'path'; name: string; path: string }
  | { kind: 'end' };

/** A file the worker read: its size and SHA-256. */
export interface FileFingerprint {
  size: number;
  sha256: string;
}

export type FromFleetWorker =
  | { kind: 'read'; told: ToldFile; fingerprint: FileFingerprint }
  | { kind: 'failed'; problem: Problem }
  | { kind: 'unreadable'; message: string }
  | { kind: 'copies'; counted: NumberedCopies }
  | { kind: 'broken'; message: string; stack: string };

/** What a file sent to the worker came to. */
export type FileRead =
  { ok: true; told: ToldFile; fingerprint: FileFingerprint } | { ok: false; problem: Problem };

export class FleetInWorker {
  private readonly worker: Worker;
  private readonly messages: FromFleetWorker[] = [];
  private waiting: (() => void) | undefined;
  private error: Error | undefined;

  constructor(options: ReadOptions) {
    this.worker = startTypeScriptWorker(new URL('./fleet-worker.ts', import.meta.url), {
      workerData: options,
      // A larger nursery than the default: nearly all a parsed inventory makes dies young.
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    this.worker.on('message', (m: FromFleetWorker) => {
      if (m.kind === 'broken') {
        const error = new Error(`reading inventories in a worker thread: ${m.message}`);
        error.stack = m.stack;
        this.fail(error);
      } else this.messages.push(m);
      this.wake();
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) =>
      this.fail(new Error(`the inventory worker stopped (exit code ${code})`)),
    );
  }

  private fail(error: Error) {
    this.error ??= error;
    this.wake();
  }

  private wake() {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  /** Sends a copy of the file's bytes: the caller's stay its own. */
  send(name: string, bytes: Uint8Array): void {
    // A message copies a view's whole buffer: a view of part of a larger one (an upload, say) is cut out first.
    const own =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    this.worker.postMessage({ kind: 'file', name, bytes: own } satisfies ToFleetWorker);
  }

  /** Sends where a file lies: the worker reads it from disk itself. */
  sendPath(name: string, path: string): void {
    this.worker.postMessage({ kind: 'path', name, path } satisfies ToFleetWorker);
  }

  /** Whether a message has come that `next` would return at once. */
  get ready(): boolean {
    return this.messages.length > 0;
  }

  /** Resolves once a message has come that `next` would return at once, or the worker has failed. */
  whenReady(): Promise<void> {
    if (this.messages.length > 0 || this.error) return Promise.resolve();
    return new Promise<void>((resolve) => (this.waiting = resolve));
  }

  private async message(): Promise<FromFleetWorker> {
    for (;;) {
      const m = this.messages.shift();
      if (m) return m;
      if (this.error) throw this.error;
      await this.whenReady();
    }
  }

  /** What the oldest file sent and not yet told of came to. */
  async next(): Promise<FileRead> {
    const m = await this.message();
    if (m.kind === 'broken') throw new Error(m.message);
    if (m.kind === 'copies')
      throw new Error('the inventory worker counted copies before every file was read');
    // A file the worker could not read stops the scan, as a file this thread cannot read does.
    if (m.kind === 'unreadable') throw new Error(m.message);
    if (m.kind === 'failed') return { ok: false, problem: m.problem };
    return { ok: true, told: m.told, fingerprint: m.fingerprint };
  }

  /** Once every file is read: the copies of each number and the systems holding it (NumberedPart.addCopies). */
  async copies(): Promise<NumberedCopies> {
    this.worker.postMessage({ kind: 'end' } satisfies ToFleetWorker);
    const m = await this.message();
    if (m.kind !== 'copies')
      throw new Error(`the inventory worker sent "${m.kind}" where the copies were due`);
    return m.counted;
  }

  /** Ends the worker, whatever it is doing. */
  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
