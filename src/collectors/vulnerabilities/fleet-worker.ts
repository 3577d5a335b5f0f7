// The worker thread's side of FleetInWorker: reads each inventory the scan's thread sends (its bytes, or its
// path, when the worker reads and fingerprints it itself) into a fleet, says
// at once which packages the file brought in (so that they can be looked up while it reads on), and hands the
// fleet over as plain data at the end. Every message is a FromFleetWorker.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createFleet, fleetData, readFileIntoFleet } from './fleet.ts';
import type { ReadOptions } from './inventory.ts';
import type { FromFleetWorker, ToFleetWorker } from './read-fleet-in-worker.ts';

const port = parentPort!;
const options = workerData as ReadOptions;
const fleet = createFleet();
let told = 0;
let failed = false;

const post = (message: FromFleetWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (m: ToFleetWorker) => {
  if (failed) return;
  try {
    if (m.kind === 'file' || m.kind === 'path') {
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
      const read = readFileIntoFleet(fleet, m.name, bytes, options);
      if (!read.ok) {
        failed = true;
        post({ kind: 'failed', problem: read.error });
        return;
      }
      const added = fleet.packageOrder.slice(told).map((p): [string, string] => [p.ecosystem, p.name]);
      told = fleet.packageOrder.length;
      post(
        m.kind === 'file'
          ? { kind: 'read', packages: added }
          : {
              kind: 'read',
              packages: added,
              fingerprint: {
                size: bytes.byteLength,
                sha256: createHash('sha256').update(bytes).digest('hex'),
              },
            },
      );
    } else {
      const data = fleetData(fleet);
      post({ kind: 'fleet', data }, [
        data.versionCounts.buffer,
        data.copies.buffer,
        data.systemCounts.buffer,
        data.systemList.buffer,
      ] as ArrayBuffer[]);
    }
  } catch (e) {
    failed = true;
    post({ kind: 'broken', message: (e as Error).message, stack: (e as Error).stack ?? '' });
  }
});
