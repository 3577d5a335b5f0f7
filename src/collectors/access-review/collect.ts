// Runs the access-review collector over files: reads HR, the identity export, MFA, training and the matrix
// as streams, fingerprints each file, and analyses. Any bad input ends it with a Result naming file and line,
// before anything is recorded.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CollectorInput } from '../../app/ports.ts';
import { failure, success, type Result } from '../../domain/result.ts';
import { addTraining, analyse, type Analysis, type HrIndex } from './analyse.ts';
import type { HrRows } from './hr-table.ts';
import { InputError, openInput, DEFAULT_MAX_INPUT_BYTES, type OpenedInput } from './input-file.ts';
import type { HrRecord, IdpFormat, MfaFormat, Policy, RoleMatrix } from './model.ts';
import { normaliseEmail } from './model.ts';
import type { GenericMapping } from './generic-mapping.ts';
import { readIdp, type IdpRead } from './read-idp.ts';
import { readMfa } from './read-mfa.ts';
import {
  hrFromRead,
  readHrFile,
  readPeopleInWorker,
  readTrainingFile,
  type HrFileRead,
  type PeopleInWorker,
  type TrainingFileRead,
} from './read-people-files.ts';
import { readMatrix } from './read-people.ts';

export interface CollectFiles {
  idp: string;
  hr: string;
  mfa?: string;
  training?: string;
  matrix?: string;
  /** Column mapping for `generic-csv`. */
  mapping?: string;
}

export interface CollectOptions {
  format?: IdpFormat;
  policy: Policy;
  maxBytes?: number;
  /** Called as bytes are read, with the running total and the size of every input together. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Read HR and training in a worker thread while the identity export is read on this one. By default, when
   * HR and training come to PARALLEL_FROM_BYTES or more: below that, starting the thread costs more than it saves.
   */
  parallel?: boolean;
}

export const PARALLEL_FROM_BYTES = 16 * 1024 * 1024;

export interface Collected {
  analysis: Analysis;
  /** Every HR record, made when first read: a dry run never reads it. */
  readonly hr: readonly HrRecord[];
  inputs: (CollectorInput & { role: string })[];
}

async function totalSize(files: (string | undefined)[]): Promise<number> {
  let total = 0;
  for (const f of files) {
    if (f === undefined) continue;
    try {
      const info = await stat(f);
      if (info.isDirectory())
        for (const name of await readdir(f)) total += (await stat(path.join(f, name))).size;
      else total += info.size;
    } catch {
      // Missing files are reported when they are opened.
    }
  }
  return total;
}

export async function collectAccessReview(
  files: CollectFiles,
  options: CollectOptions,
): Promise<Result<Collected>> {
  const max = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const total = options.onProgress
    ? await totalSize([files.idp, files.hr, files.mfa, files.training, files.matrix])
    : 0;
  let done = 0;
  const onBytes = options.onProgress
    ? (n: number) => {
        done += n;
        options.onProgress!(done, total);
      }
    : undefined;
  let worker: PeopleInWorker | undefined;
  try {
    const inputs: Collected['inputs'] = [];
    let mapping: GenericMapping | undefined;
    if (files.mapping !== undefined) {
      let source: string;
      try {
        source = await readFile(files.mapping, 'utf8');
      } catch {
        throw new InputError(files.mapping, null, 'cannot read this file: does it exist?');
      }
      const { parseGenericMapping } = await import('./generic-mapping.ts');
      mapping = parseGenericMapping(source, path.basename(files.mapping));
    }
    // HR, and training against it, in a worker thread when they are large, while the identity export is read
    // here; otherwise in turn. Either way a problem is reported as if the files were read one by one, in the
    // order HR, identity export, MFA, training.
    const limits = { maxBytes: max, ...(onBytes ? { onBytes } : {}) };
    const parallel = options.parallel ?? (await totalSize([files.hr, files.training])) >= PARALLEL_FROM_BYTES;
    let people: Promise<{ read: HrFileRead; records: HrRows; index: HrIndex }>;
    if (parallel) {
      worker = readPeopleInWorker(
        {
          hr: files.hr,
          ...(files.training !== undefined ? { training: files.training } : {}),
          policy: options.policy,
          maxBytes: max,
        },
        onBytes,
      );
      // The records are made as soon as HR arrives, between chunks of the identity export, not after it.
      people = worker.hr.then((read) => ({ read, ...hrFromRead(read) }));
      people.catch(() => undefined);
    } else {
      const { read } = await readHrFile(files.hr, options.policy.at, limits);
      people = Promise.resolve({ read, ...hrFromRead(read) });
    }

    let identity: Awaited<ReturnType<typeof readIdentity>>;
    try {
      identity = await readIdentity(files, options, mapping, limits);
    } catch (e) {
      await people;
      throw e;
    }
    const { read: hrRead, records: hr, index } = await people;
    inputs.push({ role: 'hr', ...hrRead.input }, ...identity.inputs);
    const { idp, mfaFormat } = identity;
    // The accounts are analysed now, while the worker may still be reading training, whose coverage is added
    // when it comes. So the matrix, a small file, is read before training: a problem with it waits until
    // training has been read, to be reported in file order.
    let matrix: RoleMatrix | null = null;
    let matrixInput: OpenedInput | undefined;
    let matrixProblem: { error: unknown } | undefined;
    if (files.matrix !== undefined) {
      try {
        matrixInput = await openInput(files.matrix, max, onBytes);
        matrix = await readMatrix(matrixInput);
      } catch (error) {
        matrixProblem = { error };
      }
    }

    const analysis = analyse({
      format: idp.format,
      capabilities: idp.capabilities,
      mfaFormat,
      accounts: idp.accounts,
      hr,
      training: null,
      matrix,
      policy: options.policy,
      index,
    });

    let training: TrainingFileRead | null = null;
    if (worker) training = await worker.training;
    else if (files.training !== undefined)
      training = await readTrainingFile(files.training, index, options.policy, limits);
    if (training !== null) {
      inputs.push({ role: 'training', ...training.input });
      addTraining(analysis, training.coverage);
    }
    if (matrixProblem !== undefined) throw matrixProblem.error;
    if (matrixInput !== undefined) inputs.push({ role: 'matrix', ...matrixInput.fingerprint() });

    let all: HrRecord[] | undefined;
    return success({
      analysis,
      get hr() {
        return (all ??= hr.all());
      },
      inputs,
    });
  } catch (e) {
    if (e instanceof InputError) return failure('bad-input', e.message, e.where);
    throw e;
  } finally {
    await worker?.stop();
  }
}

/** The identity export, with MFA registration merged into its accounts. */
async function readIdentity(
  files: CollectFiles,
  options: CollectOptions,
  mapping: GenericMapping | undefined,
  limits: { maxBytes: number; onBytes?: (bytes: number) => void },
): Promise<{ idp: IdpRead; mfaFormat: MfaFormat | null; inputs: Collected['inputs'] }> {
  const inputs: Collected['inputs'] = [];
  const idpInput = await openInput(files.idp, limits.maxBytes, limits.onBytes);
  const idp = await readIdp(idpInput, {
    ...(options.format ? { format: options.format } : {}),
    ...(mapping ? { mapping } : {}),
  });
  inputs.push({ role: `idp:${idp.format}`, ...idpInput.fingerprint() });

  let mfaFormat: MfaFormat | null = null;
  if (files.mfa !== undefined) {
    const mfa = await readMfa(files.mfa, limits.maxBytes, limits.onBytes);
    mfaFormat = mfa.format;
    for (const i of mfa.inputs) inputs.push({ role: `mfa:${mfa.format}`, ...i.fingerprint() });
    const accounts = idp.accounts;
    for (let i = 0; i < accounts.length; i++) {
      const entry =
        mfa.byKey.get(normaliseEmail(accounts.login(i))!) ?? mfa.byKey.get(normaliseEmail(accounts.id(i))!);
      if (entry !== undefined) accounts.setMfa(i, entry.mfa, entry.admin);
    }
  }
  return { idp, mfaFormat, inputs };
}
