// The worker thread's side of FleetInWorker: reads each inventory the scan's thread sends into a fleet, says
// at once which packages the file brought in (so that they can be looked up while it reads on), and hands the
// fleet over as plain data at the end. Every message is a FromFleetWorker.
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
    if (m.kind === 'file') {
      const read = readFileIntoFleet(fleet, m.name, m.bytes, options);
      if (!read.ok) {
        failed = true;
        post({ kind: 'failed', problem: read.error });
        return;
      }
      const added = fleet.packageOrder.slice(told).map((p): [string, string] => [p.ecosystem, p.name]);
      told = fleet.packageOrder.length;
      post({ kind: 'read', packages: added });
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
