// The worker thread's side of FleetInWorker: reads each inventory the scan's thread sends into a fleet, says
// at once which packages the file brought in (so that they can be looked up while it reads on), and hands the
// fleet over as plain data at the end. Every message is a FromFleetWorker.
import { parentPort, workerData } from 'node:worker_threads';
import { createFleet, fleetData, readIntoFleet } from './fleet.ts';
import type { ReadOptions } from './inventory.ts';
import type { FromFleetWorker, ToFleetWorker } from './read-fleet-in-worker.ts';

const port = parentPort!;
const options = workerData as ReadOptions;
const fleet = createFleet();
const decoder = new TextDecoder('utf-8', { fatal: true });
let told = 0;
let failed = false;

const post = (message: FromFleetWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (m: ToFleetWorker) => {
  if (failed) return;
  try {
    if (m.kind === 'file') {
      let text: string;
      try {
        text = decoder.decode(m.bytes);
      } catch {
        failed = true;
        post({
          kind: 'failed',
          problem: { kind: 'bad-input', message: 'the file is not UTF-8 text', where: m.name },
        });
        return;
      }
      const read = readIntoFleet(fleet, m.name, text, options);
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
