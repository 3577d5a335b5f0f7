// The worker thread's side of readPeopleInWorker: reads HR, hands it over, then reads training against it,
// telling the bytes read as it goes. Every message is a PeopleMessage.
import { parentPort, workerData } from 'node:worker_threads';
import {
  problemOf,
  readHrFile,
  readTrainingFile,
  transferablesOfHr,
  type PeopleJob,
  type PeopleMessage,
} from './read-people-files.ts';

const port = parentPort!;
const job = workerData as PeopleJob;
const post = (message: PeopleMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const limits = {
  ...(job.maxBytes !== undefined ? { maxBytes: job.maxBytes } : {}),
  onBytes: (bytes: number) => post({ kind: 'bytes', bytes }),
};

/** Reads HR, hands it over, then reads training. */
async function readPeople(): Promise<void> {
  let stage: 'hr' | 'training' = 'hr';
  try {
    const { read, index } = await readHrFile(job.hr, job.policy.at, limits);
    post({ kind: 'hr', read }, transferablesOfHr(read));
    stage = 'training';
    const training =
      job.training === undefined ? null : await readTrainingFile(job.training, index, job.policy, limits);
    post({ kind: 'training', read: training });
  } catch (e) {
    post({ kind: 'failed', stage, problem: problemOf(e) });
  }
}

void readPeople();
