// Runs the access-review collector over files: reads HR, the identity export, MFA, training and the matrix
// as streams, fingerprints each file, and analyses. Any bad input ends it with a Result naming file and line,
// before anything is recorded.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CollectorInput } from '../../app/ports.ts';
import { failure, success, type Result } from '../../domain/result.ts';
import { analyse, createTrainingTally, indexHr, type Analysis } from './analyse.ts';
import { InputError, openInput, DEFAULT_MAX_INPUT_BYTES } from './input-file.ts';
import type { HrRecord, IdpFormat, MfaFormat, Policy, RoleMatrix } from './model.ts';
import { normaliseEmail } from './model.ts';
import { parseGenericMapping, readIdp, type GenericMapping } from './read-idp.ts';
import { readMfa } from './read-mfa.ts';
import { readHr, readMatrix, readTraining } from './read-people.ts';

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
}

export interface Collected {
  analysis: Analysis;
  hr: HrRecord[];
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
      mapping = parseGenericMapping(source, path.basename(files.mapping));
    }
    // HR first: the join, the training tally and the reviewers all hang off it.
    const hrInput = await openInput(files.hr, max, onBytes);
    const { records: hr, byNumber } = await readHr(hrInput);
    inputs.push({ role: 'hr', ...hrInput.fingerprint() });
    const index = indexHr(hr, options.policy.at, byNumber);

    const idpInput = await openInput(files.idp, max, onBytes);
    const idp = await readIdp(idpInput, {
      ...(options.format ? { format: options.format } : {}),
      ...(mapping ? { mapping } : {}),
    });
    inputs.push({ role: `idp:${idp.format}`, ...idpInput.fingerprint() });

    let mfaFormat: MfaFormat | null = null;
    if (files.mfa !== undefined) {
      const mfa = await readMfa(files.mfa, max, onBytes);
      mfaFormat = mfa.format;
      for (const i of mfa.inputs) inputs.push({ role: `mfa:${mfa.format}`, ...i.fingerprint() });
      for (const account of idp.accounts) {
        const entry =
          mfa.byKey.get(normaliseEmail(account.login)!) ?? mfa.byKey.get(normaliseEmail(account.id)!);
        if (entry === undefined) continue;
        account.mfa = entry.mfa;
        if (entry.admin !== null) account.privileged = entry.admin;
      }
    }

    let training = null;
    if (files.training !== undefined) {
      const trainingInput = await openInput(files.training, max, onBytes);
      training = createTrainingTally(index, options.policy);
      await readTraining(trainingInput, training.add);
      inputs.push({ role: 'training', ...trainingInput.fingerprint() });
    }

    let matrix: RoleMatrix | null = null;
    if (files.matrix !== undefined) {
      const matrixInput = await openInput(files.matrix, max, onBytes);
      matrix = await readMatrix(matrixInput);
      inputs.push({ role: 'matrix', ...matrixInput.fingerprint() });
    }

    const analysis = analyse({
      format: idp.format,
      capabilities: idp.capabilities,
      mfaFormat,
      accounts: idp.accounts,
      hr,
      training,
      matrix,
      policy: options.policy,
      index,
    });
    return success({ analysis, hr, inputs });
  } catch (e) {
    if (e instanceof InputError) return failure('bad-input', e.message, e.where);
    throw e;
  }
}
