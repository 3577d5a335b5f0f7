// The people side of a review from its files: HR into a table with its indexes, then the training
// completions counted against it. What comes out is plain data, typed arrays and strings, so it can come
// from a worker thread (people-worker.ts) as well as from this one; `hrFromRead` turns it into the HR
// rows and index the analysis joins against.
import { startTypeScriptWorker } from '../typescript-worker.ts';
import type { CollectorInput } from '../../app/ports.ts';
import {
  createTrainingTally,
  emailIndex,
  isLeaverStatus,
  type HrIndex,
  type TrainingCoverage,
} from './analyse.ts';
import { HrRows, keyRanges, type HrTable } from './hr-table.ts';
import { InputError, openInput } from './input-file.ts';
import { KeyIndex, type KeyIndexState } from './key-index.ts';
import type { Policy } from './model.ts';
import { isoDateKey } from './parse-values.ts';
import { readHr, readTraining } from './read-people.ts';

export interface HrFileRead {
  table: HrTable;
  byNumber: KeyIndexState;
  byEmail: KeyIndexState;
  active: Uint8Array;
  input: CollectorInput;
}

export interface TrainingFileRead {
  coverage: TrainingCoverage;
  input: CollectorInput;
}

/** Where to read, how much at most, and what to tell of the bytes as they are read. */
export interface ReadLimits {
  maxBytes?: number;
  onBytes?: (bytes: number) => void;
}

/** Who works here on `at`, by row: started, and not left (see `isActiveStaff`). */
function activeRows(table: HrTable, at: string): Uint8Array {
  const on = isoDateKey(at, 0, 10);
  const active = new Uint8Array(table.rows);
  // Status words repeat: decide each once.
  const leaverWord = table.words.map(isLeaverStatus);
  for (let r = 0; r < table.rows; r++) {
    const start = table.dates[2 * r]!;
    const leave = table.dates[2 * r + 1]!;
    const status = table.codes[4 * r]!;
    const left = leave !== 0 ? leave <= on : status !== -1 && leaverWord[status]!;
    active[r] = (start === 0 || start <= on) && !left ? 1 : 0;
  }
  return active;
}

/** Reads the HR export; the index stays here too, for `readTrainingFile`. */
export async function readHrFile(
  path: string,
  at: string,
  limits: ReadLimits = {},
): Promise<{ read: HrFileRead; index: HrIndex }> {
  const input = await openInput(path, limits.maxBytes, limits.onBytes);
  const { table, ranges, byNumber } = await readHr(input);
  const active = activeRows(table, at);
  const index = { byNumber, byEmail: emailIndex(table.text, ranges.emails, active), active };
  return {
    read: {
      table,
      byNumber: index.byNumber.state(),
      byEmail: index.byEmail.state(),
      active: index.active,
      input: input.fingerprint(),
    },
    index,
  };
}

export async function readTrainingFile(
  path: string,
  index: HrIndex,
  policy: Policy,
  limits: ReadLimits = {},
): Promise<TrainingFileRead> {
  const input = await openInput(path, limits.maxBytes, limits.onBytes);
  const tally = createTrainingTally(index, policy);
  await readTraining(input, tally.add);
  return { coverage: tally.result(), input: input.fingerprint() };
}

/** The HR rows and the index over them, from what `readHrFile` read (here or in a worker). */
export function hrFromRead(read: HrFileRead): { records: HrRows; index: HrIndex } {
  const { table } = read;
  const ranges = keyRanges(table);
  return {
    records: new HrRows(table, isLeaverStatus),
    index: {
      byNumber: new KeyIndex(table.text, ranges.numbers, read.byNumber),
      byEmail: new KeyIndex(table.text, ranges.emails, read.byEmail),
      active: read.active,
    },
  };
}

/**
 * The typed arrays of an HR read to move to another thread rather than copy: the table's. The index's stay
 * with the thread that reads training against them, and are copied.
 */
export function transferablesOfHr(read: HrFileRead): ArrayBuffer[] {
  const { table } = read;
  return [table.lengths, table.codes, table.dates, table.lines].map((a) => a.buffer as ArrayBuffer);
}

/** What to read in the worker thread. */
export interface PeopleJob {
  hr: string;
  training?: string;
  policy: Policy;
  maxBytes?: number;
}

/** A problem the worker met, as it crosses back: an InputError's parts, or a bug's message. */
export type WorkerProblem =
  | { input: true; file: string; line: number | null; message: string }
  | { input: false; message: string; stack?: string };

/** The messages from people-worker.ts. */
export type PeopleMessage =
  | { kind: 'bytes'; bytes: number }
  | { kind: 'hr'; read: HrFileRead }
  | { kind: 'training'; read: TrainingFileRead | null }
  | { kind: 'failed'; stage: 'hr' | 'training'; problem: WorkerProblem };

export function problemOf(e: unknown): WorkerProblem {
  if (e instanceof InputError) return { input: true, file: e.file, line: e.line, message: e.message };
  const error = e instanceof Error ? e : new Error(String(e));
  return { input: false, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
}

function errorOf(problem: WorkerProblem): Error {
  if (problem.input) return new InputError(problem.file, problem.line, problem.message);
  const error = new Error(`reading HR and training in a worker thread: ${problem.message}`);
  if (problem.stack) error.stack = problem.stack;
  return error;
}

export interface PeopleInWorker {
  /** Rejects with the InputError of a bad HR file (or an Error for a bug). */
  hr: Promise<HrFileRead>;
  /** Null when no training file was given; rejects when HR or training failed. */
  training: Promise<TrainingFileRead | null>;
  /** Ends the worker if it is still reading. */
  stop(): Promise<void>;
}

/**
 * Reads HR and then training in a worker thread (people-worker.ts), so that the identity export can be read at
 * the same time on this one.
 */
export function readPeopleInWorker(job: PeopleJob, onBytes?: (bytes: number) => void): PeopleInWorker {
  const worker = startTypeScriptWorker(new URL('./people-worker.ts', import.meta.url), {
    workerData: job,
    // A larger nursery than the default: most of what the readers make dies young.
    resourceLimits: { maxYoungGenerationSizeMb: 64 },
  });
  let settleHr!: { resolve: (r: HrFileRead) => void; reject: (e: Error) => void };
  let settleTraining!: { resolve: (r: TrainingFileRead | null) => void; reject: (e: Error) => void };
  const hr = new Promise<HrFileRead>((resolve, reject) => (settleHr = { resolve, reject }));
  const training = new Promise<TrainingFileRead | null>(
    (resolve, reject) => (settleTraining = { resolve, reject }),
  );
  // The caller may stop at an error of its own and never ask: no unhandled rejections for that.
  hr.catch(() => undefined);
  training.catch(() => undefined);
  let finished = false;
  const fail = (error: Error) => {
    settleHr.reject(error);
    settleTraining.reject(error);
  };
  worker.on('message', (m: PeopleMessage) => {
    if (m.kind === 'bytes') onBytes?.(m.bytes);
    else if (m.kind === 'hr') settleHr.resolve(m.read);
    else if (m.kind === 'training') {
      finished = true;
      settleTraining.resolve(m.read);
    } else {
      finished = true;
      fail(errorOf(m.problem));
    }
  });
  worker.on('error', (e) => fail(e));
  worker.on('exit', (code) => {
    if (!finished) fail(new Error(`the worker reading HR and training stopped (exit code ${code})`));
  });
  return {
    hr,
    training,
    async stop() {
      finished = true;
      await worker.terminate();
    },
  };
}
