// One timed pass of the vulnerability-scan benchmark, in a process of its own, as `dspt collect
// vulnerabilities` runs: the generating and importing that came before it leave nothing in its heap, and its
// peak memory is its own. `floor` reads and parses the inventories and nothing else; `scan` scans them against
// the OSV index in the data folder and records the evidence. Prints one JSON line: the time of the pass (not of
// starting the process), the process's peak resident memory and, for a scan, what it found and where its time
// went.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Actor } from '../src/app/actor.ts';
import type { Deps } from '../src/app/ports.ts';
import { scanVulnerabilities, type ScanStage } from '../src/app/scan-vulnerabilities.ts';
import { loadCatalogue } from '../src/infra/catalogue-loader.ts';
import { openDatabase } from '../src/infra/db/connect.ts';
import { createKyselyStore } from '../src/infra/db/kysely-store.ts';
import { createFileBlobStore } from '../src/infra/evidence-blob-store.ts';

const [mode, dir, key] = process.argv.slice(2) as ['floor' | 'scan', string, string];
const files = JSON.parse(await readFile(path.join(dir, 'files.json'), 'utf8')) as string[];

/** Reads each file and parses it (JSON, or the dpkg stanzas) without building any inventory. */
async function floorPass(list: readonly string[]): Promise<number> {
  let parsed = 0;
  for (const file of list) {
    const text = await readFile(file, 'utf8');
    if (file.endsWith('status')) parsed += text.split('\n\n').map((s) => s.split('\n')).length;
    else parsed += typeof JSON.parse(text) === 'object' ? 1 : 0;
  }
  return parsed;
}

async function scan(): Promise<{ ms: number; summary: string; stages: string }> {
  const loaded = await loadCatalogue();
  if (!loaded.ok) throw new Error('the catalogue does not load');
  const database = openDatabase({ dataDir: path.join(dir, 'data') });
  const clock = { now: () => new Date('2026-06-01T09:00:00Z') };
  const deps: Deps = {
    store: createKyselyStore(database.db, database.engine, { clock }),
    blobs: createFileBlobStore({ dir: path.join(dir, 'evidence'), key: Buffer.from(key, 'hex') }),
    catalogue: loaded.catalogue,
    clock,
  };
  const actor: Actor = { kind: 'operator', name: 'bench' };
  const at: Partial<Record<ScanStage, number>> = {};
  const start = performance.now();
  const result = await scanVulnerabilities(deps, actor, {
    odsCode: 'X26001',
    files: files.map((f) => ({ name: f, path: f, read: () => readFile(f), readNow: () => readFileSync(f) })),
    effectiveDate: '2026-06-01',
    onStage: (stage) => (at[stage] = performance.now()),
  });
  const ms = performance.now() - start;
  await deps.store.close();
  if (!result.ok) throw new Error(result.error.message);
  const r = result.value.report;
  const s = (t: number) => `${(t / 1000).toFixed(2)} s`;
  return {
    ms,
    summary: `${r.components.toLocaleString('en-GB')} components (${r.checked.toLocaleString('en-GB')} checked), ${r.totals.findings.toLocaleString('en-GB')} findings, ${r.totals.breached.toLocaleString('en-GB')} breaches, ${r.totals.noFix.toLocaleString('en-GB')} high-risk with no fix, ${r.problems.count} problems`,
    stages: `reading ${s(at.matching! - start)}, matching ${s(at.recording! - at.matching!)}, recording ${s(start + ms - at.recording!)}`,
  };
}

let measured: { ms: number; summary?: string; stages?: string };
if (mode === 'floor') {
  const start = performance.now();
  await floorPass(files);
  measured = { ms: performance.now() - start };
} else measured = await scan();
// maxRSS is in kilobytes: the peak resident memory of this whole process, worker threads included.
const peakMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ ...measured, peakMb })}\n`);
