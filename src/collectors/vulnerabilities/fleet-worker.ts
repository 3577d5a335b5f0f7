// The worker thread's side of FleetInWorker: reads each inventory the scan's thread sends (its bytes, or its
// path, when the worker reads it from disk itself), fingerprints it, and tells at once the package versions first met in
// it, by number (numbered-files.ts), so that the scan's thread adds them to the fleet and looks up the new
// packages while the worker reads on; once every file is read, the copies of each number and the systems holding
// it. Every message is a FromFleetWorker.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { ReadOptions } from './inventory.ts';
import { FileNumberer, transferablesOf, transferablesOfCopies } from './numbered-files.ts';
import type { FromFleetWorker, ToFleetWorker } from './read-fleet-in-worker.ts';

const port = parentPort!;
const numberer = new FileNumberer(workerData as ReadOptions);
let failed = false;

const post = (message: FromFleetWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (m: ToFleetWorker) => {
  if (failed) return;
  try {
    if (m.kind === 'end') {
      const counted = numberer.copiesCounted();
      post({ kind: 'copies', counted }, transferablesOfCopies(counted));
      return;
    }
    let bytes: Uint8Array;
    if (m.kind === 'file') bytes = m.bytes;
    else
      try {
        bytes = readFileSync(m.path);
      } catch (e) {
        failed = true;
        post({ kind: 'unreadable', message: (e as Error).message });
        return;
      }
    const read = numberer.read(m.name, bytes);
    if (!read.ok) {
      failed = true;
      post({ kind: 'failed', problem: read.error });
      return;
    }
    const fingerprint = {
      size: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    post({ kind: 'read', told: read.value, fingerprint }, transferablesOf(read.value));
  } catch (e) {
    failed = true;
    post({ kind: 'broken', message: (e as Error).message, stack: (e as Error).stack ?? '' });
  }
});
