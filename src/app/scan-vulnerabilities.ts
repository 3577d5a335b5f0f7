// Scans a fleet's inventories against the OSV index and records the run as dated evidence: the JSON and HTML
// reports linked to the patching and vulnerability items (8.3.x, 8.4.x, 6.3.2) and CAF outcome B4.d.
import { webcrypto } from 'node:crypto';
import { availableParallelism } from 'node:os';
import {
  analyseFleet,
  createFleet,
  packagesToLookUp,
  type AnalyseOptions,
  type Fleet,
  type PackageAdvisory,
  type ScanReport,
} from '../collectors/vulnerabilities/analyse.ts';
import { readFileIntoFleet } from '../collectors/vulnerabilities/fleet.ts';
import { NumberedPart } from '../collectors/vulnerabilities/numbered-files.ts';
import { FleetInWorker } from '../collectors/vulnerabilities/read-fleet-in-worker.ts';
import { comparerNameFor } from '../collectors/vulnerabilities/versions.ts';
import {
  CAF_OUTCOME,
  evidenceJsonText,
  findingsFromEvidenceBytes,
  renderHtmlReport,
  summaryOf,
  verdictsFor,
  type Verdict,
} from '../collectors/vulnerabilities/report.ts';
import { isIsoDate, toIsoDate } from '../domain/dates.ts';
import { failure, success, type Problem, type Result } from '../domain/result.ts';
import type { Actor } from './actor.ts';
import { findOrganisation } from './find-organisation.ts';
import type { FoundPackageAdvisories } from './osv-ports.ts';
import type { CollectorInput, CollectorRunRecord, Deps } from './ports.ts';
import { recordCollectorRun } from './record-collector-run.ts';

/** An inventory file, read only when the scan reaches it so that a large fleet never sits in memory at once. */
export interface InventoryFile {
  name: string;
  /** Its size in bytes, when known beforehand: the reading is then shared between threads by bytes. */
  size?: number;
  /** Where it lies on this machine, if it is a file there: worker threads then read it themselves. */
  path?: string;
  read(): Promise<Uint8Array>;
}

export interface ScanVulnerabilitiesInput {
  odsCode: string;
  files: readonly InventoryFile[];
  /** The system every component belongs to; each file's name when absent. */
  system?: string;
  /** The Debian release for dpkg status files and deb purls that do not say. */
  distro?: string;
  /** The date the inventories describe; today when absent. */
  effectiveDate?: string;
  slaDays?: number;
  onProgress?: (filesRead: number, total: number) => void;
  /** Called as the scan moves on from reading to matching, and from matching to recording the evidence. */
  onStage?: (stage: ScanStage) => void;
  /** Whether to read the inventories in worker threads; by default, from 200 files. */
  inWorker?: boolean;
  /** How many worker threads share the reading, each a contiguous part of the files; by default up to two. */
  workers?: number;
}

/** What a scan does after reading the inventories: match them against OSV data, then record the evidence. */
export type ScanStage = 'matching' | 'recording';

export interface ScannedVulnerabilities {
  report: ScanReport;
  verdicts: Verdict[];
  run: CollectorRunRecord;
  linked: string[];
}

export const DEFAULT_SLA_DAYS = 14;

/** Files read ahead of the one being parsed, and fingerprints worked out at once, at most. */
const READ_AHEAD = 4;
const HASHES_AHEAD = 8;
/**
 * From how many files the inventories are read in a worker thread; how many files it is sent ahead at most,
 * and how many it must have in hand before this thread stops sending to look packages up.
 */
const WORKER_FROM_FILES = 200;
/** Two readers, where there are two cores: a third on a two-core machine only takes turns with the others. */
const DEFAULT_WORKERS = Math.min(2, availableParallelism());
const WORKER_AHEAD = 96;
const WORKER_IN_HAND = 32;
/** Package names looked up at once while the worker reads: one query of the OSV index. */
const LOOKUP_BATCH = 500;

/** The SHA-256 of a file, worked out on the thread pool while the scan reads on. */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex');
}

export async function scanVulnerabilities(
  deps: Deps,
  actor: Actor,
  input: ScanVulnerabilitiesInput,
): Promise<Result<ScannedVulnerabilities>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'answer');
  if (!found.ok) return found;
  const org = found.value;
  const today = toIsoDate(deps.clock.now());
  const effectiveDate = input.effectiveDate ?? today;
  if (!isIsoDate(effectiveDate))
    return failure('bad-input', `"${effectiveDate}" is not a date: expected YYYY-MM-DD`, '--at');
  if (effectiveDate > today)
    return failure('bad-input', `the effective date ${effectiveDate} is in the future`, '--at');
  const slaDays = input.slaDays ?? DEFAULT_SLA_DAYS;
  if (!Number.isInteger(slaDays) || slaDays < 0 || slaDays > 365)
    return failure(
      'bad-input',
      `expected a whole number of days from 0 to 365, found ${slaDays}`,
      '--sla-days',
    );
  if (input.files.length === 0) return failure('bad-input', 'give at least one inventory file', '--sbom');

  const scanned = await readAndAnalyse(deps, org.id, input, { effectiveDate, slaDays });
  if (!scanned.ok) return scanned;
  const { report, inputs } = scanned.value;
  const targets = [
    ...[...deps.catalogue.items.values()]
      .filter((item) => item.collectors.includes('vulnerabilities'))
      .map((item) => item.id),
    CAF_OUTCOME,
  ];
  input.onStage?.('recording');
  const verdicts = verdictsFor(targets, report);
  const t = report.totals;
  const recorded = await recordCollectorRun(deps, actor, {
    odsCode: org.odsCode,
    kind: 'vulnerabilities',
    effectiveDate,
    inputs,
    metrics: {
      files: report.files,
      systems: report.systems,
      components: report.components,
      checked: report.checked,
      notChecked: report.notChecked,
      findings: t.findings,
      highRisk: t.highRisk,
      breached: t.breached,
      withinSla: t.withinSla,
      noFix: t.noFix,
      new: t.new,
      stillOpen: t.stillOpen,
      fixed: t.fixed,
      problems: report.problems.count,
      slaDays,
    },
    verdicts,
    summary: summaryOf(report),
    report: evidenceJsonText(report),
    reportHtml: renderHtmlReport(report, org),
  });
  if (!recorded.ok) return recorded;
  return success({ report, verdicts, run: recorded.value.run, linked: recorded.value.linked });
}

/**
 * Reads the inventories into a fleet, looks up its packages in the OSV index and analyses it. Apart from the
 * scan's use case so that the fleet, the records and the previous findings are let go before the report is
 * serialised: an async function's locals live until it returns.
 */
async function readAndAnalyse(
  deps: Deps,
  organisationId: string,
  input: ScanVulnerabilitiesInput,
  when: { effectiveDate: string; slaDays: number },
): Promise<Result<{ report: ScanReport; inputs: CollectorInput[] }>> {
  // Which ecosystems the OSV index covers is asked while the worker threads start, and the previous run's
  // findings are read while the inventories are.
  const coveredRead = deps.store.osv.ecosystems();
  coveredRead.catch(() => undefined);
  const previousRead = previousFindings(deps, organisationId, when.effectiveDate);
  previousRead.catch(() => undefined);
  const inWorker = input.inWorker ?? input.files.length >= WORKER_FROM_FILES;
  const read = await (inWorker ? readInWorkers : readHere)(deps, input, coveredRead);
  if (!read.ok) {
    // Nothing of the scan's is left running once it has answered.
    await previousRead.catch(() => undefined);
    return read;
  }
  const { fleet, advisories, inputs } = read.value;
  const covered = await coveredRead;
  const previous = await previousRead;
  input.onStage?.('matching');
  const report = analyseFleet(fleet, advisories, {
    ...when,
    coveredEcosystems: new Set(covered.keys()),
    ...(previous ? { previous } : {}),
  });
  return success({ report, inputs });
}

/** Every lookup's answer, by package: each package's records are made when the analysis asks for them. */
class AdvisoriesFound {
  private readonly byKey = new Map<string, FoundPackageAdvisories>();

  add(found: FoundPackageAdvisories): void {
    for (const key of found.keys()) this.byKey.set(key, found);
  }

  get(key: string): PackageAdvisory[] | undefined {
    return this.byKey.get(key)?.get(key);
  }
}

interface FleetRead {
  fleet: Fleet;
  advisories: AdvisoriesFound;
  inputs: CollectorInput[];
}

const readOptions = (input: ScanVulnerabilitiesInput) => ({
  ...(input.system !== undefined ? { system: input.system } : {}),
  ...(input.distro !== undefined ? { distro: input.distro } : {}),
});

/** Whether the OSV index is worth asking about this package. */
const worthLookingUp = (covered: ReadonlyMap<string, number>, ecosystem: string) =>
  covered.has(ecosystem) && comparerNameFor(ecosystem) !== undefined && ecosystem !== 'Debian';

/** Reads the inventories on this thread, then looks up their packages. */
async function readHere(
  deps: Deps,
  input: ScanVulnerabilitiesInput,
  coveredRead: Promise<ReadonlyMap<string, number>>,
): Promise<Result<FleetRead>> {
  const covered = await coveredRead;
  const fleet = createFleet();
  const options = readOptions(input);
  const inputs = await readFiles(input.files, { from: 0, to: input.files.length }, (file, bytes, i) => {
    const read = readFileIntoFleet(fleet, file.name, bytes, options);
    if (!read.ok) return read.error;
    input.onProgress?.(i + 1, input.files.length);
    return undefined;
  });
  if (!inputs.ok) return inputs;
  const advisories = new AdvisoriesFound();
  for (const [ecosystem, names] of packagesToLookUp(fleet)) {
    if (!worthLookingUp(covered, ecosystem)) continue;
    advisories.add(await deps.store.osv.findByPackages(ecosystem, names));
  }
  return success({ fleet, advisories, inputs: inputs.value });
}

/** A contiguous run of the files, read by one worker thread into a fleet of its own. */
interface Part {
  from: number;
  to: number;
}

/**
 * The files cut into `count` contiguous parts of about the same size: by bytes when every file gives its size,
 * else by number of files. Each part holds at least one file.
 */
export function splitFiles(files: readonly InventoryFile[], count: number): Part[] {
  const n = Math.max(1, Math.min(count, files.length));
  const sized = files.every((f) => f.size !== undefined);
  const weight = (i: number) => (sized ? files[i]!.size! : 1);
  let total = 0;
  for (let i = 0; i < files.length; i++) total += weight(i);
  const parts: Part[] = [];
  let from = 0;
  let sum = 0;
  for (let i = 0; i < files.length && parts.length < n - 1; i++) {
    sum += weight(i);
    // Leave at least one file for each part still to come.
    const left = files.length - (i + 1);
    if (sum >= (total * (parts.length + 1)) / n || left === n - 1 - parts.length) {
      parts.push({ from, to: i + 1 });
      from = i + 1;
    }
  }
  parts.push({ from, to: files.length });
  return parts;
}

/**
 * Reads the inventories in worker threads, each its own contiguous part of the files, while this one adds what
 * each file holds to the fleet and looks up the new packages in the OSV index. The files are added as they are
 * told, whichever part they belong to: the components and the report are those one reader would have made (the
 * report does not depend on the order the fleet meets things in), the problems are listed in file order, and
 * the first bad file in file order is the one reported.
 */
async function readInWorkers(
  deps: Deps,
  input: ScanVulnerabilitiesInput,
  coveredRead: Promise<ReadonlyMap<string, number>>,
): Promise<Result<FleetRead>> {
  const parts = splitFiles(input.files, input.workers ?? DEFAULT_WORKERS);
  const options = readOptions(input);
  const readers = parts.map(() => new FleetInWorker(options));
  try {
    const covered = await coveredRead;
    const fleet = createFleet();
    const numbered = parts.map(() => new NumberedPart(fleet, options));
    const advisories = new AdvisoriesFound();
    // Names waiting to be looked up: each package is new to the fleet once, whichever part brings it in.
    const wanted = new Map<string, string[]>();
    let read = 0;
    let looking = false;
    // The first part, in file order, that failed: the parts after it stop, as their files would not be read.
    let failedPart = parts.length;

    // One batch of names at a time, so that no worker is long without files; one lookup at a time across the
    // parts. Whether it looked any up.
    const lookUp = async (all: boolean): Promise<boolean> => {
      if (looking) return false;
      looking = true;
      try {
        for (const [ecosystem, names] of wanted) {
          if (!all && names.length < LOOKUP_BATCH) continue;
          const batch = all ? names : names.splice(0, LOOKUP_BATCH);
          if (all || names.length === 0) wanted.delete(ecosystem);
          advisories.add(await deps.store.osv.findByPackages(ecosystem, batch));
          if (!all) return true;
        }
        return false;
      } finally {
        looking = false;
      }
    };

    // Where every file has a path, each worker reads and fingerprints its files itself: this thread is then left
    // to add them to the fleet and look packages up.
    const byPath = input.files.every((f) => f.path !== undefined);

    const readPart = async (p: number): Promise<Result<CollectorInput[]>> => {
      const reader = readers[p]!;
      const fingerprinted: CollectorInput[] = [];
      let told = parts[p]!.from;
      const tell = async (): Promise<Problem | undefined> => {
        const file = await reader.next();
        if (!file.ok) return file.problem;
        const name = input.files[told++]!.name;
        if (file.fingerprint) fingerprinted.push({ name, ...file.fingerprint });
        const known = fleet.packageOrder.length;
        numbered[p]!.add(name, file.told);
        for (let i = known; i < fleet.packageOrder.length; i++) {
          const { ecosystem, name } = fleet.packageOrder[i]!;
          if (!worthLookingUp(covered, ecosystem)) continue;
          const list = wanted.get(ecosystem);
          if (list) list.push(name);
          else wanted.set(ecosystem, [name]);
        }
        input.onProgress?.(++read, input.files.length);
        return undefined;
      };
      const stopped: Problem = { kind: 'bad-input', message: 'an earlier file was refused', where: '' };
      // After each file is sent. The first files bring most of the fleet's packages: looking each file's up
      // before sending the next left the worker waiting. Lookups are done only while the worker has files in
      // hand; the rest of the time this thread sends on, and waits for the worker only when it is far behind.
      const keepUp = async (): Promise<Problem | undefined> => {
        for (;;) {
          while (reader.pending > 0 && reader.ready) {
            const problem = await tell();
            if (problem) return problem;
          }
          if (reader.pending < WORKER_IN_HAND) return undefined;
          if (await lookUp(false)) continue;
          if (reader.pending <= WORKER_AHEAD) return undefined;
          const problem = await tell();
          if (problem) return problem;
        }
      };
      const drain = async (): Promise<Problem | undefined> => {
        while (reader.pending > 0) {
          const problem = await tell();
          if (problem) return problem;
        }
        return undefined;
      };
      let inputs: Result<CollectorInput[]>;
      if (byPath) {
        // Paths cost nothing to hold: the worker is given them all at once, so it never waits for this thread,
        // which looks packages up as the worker tells of them.
        try {
          for (let i = parts[p]!.from; i < parts[p]!.to; i++)
            reader.sendPath(input.files[i]!.name, input.files[i]!.path!);
          let problem: Problem | undefined;
          while (reader.pending > 0 && !problem) {
            if (failedPart < p) problem = stopped;
            else if (reader.ready || !(await lookUp(false))) problem = await tell();
          }
          inputs = problem ? { ok: false, error: problem } : success(fingerprinted);
        } catch (e) {
          // The worker tells of files in order: a file it could not read comes after every earlier one is told.
          failedPart = Math.min(failedPart, p);
          throw e;
        }
      } else {
        try {
          inputs = await readFiles(input.files, parts[p]!, async (file, bytes) => {
            if (failedPart < p) return stopped;
            reader.send(file.name, bytes);
            return keepUp();
          });
        } catch (e) {
          // A file that cannot be read after one the worker has yet to refuse: the refused one is the answer, as
          // it is when reading on this thread.
          failedPart = Math.min(failedPart, p);
          const problem = await drain();
          if (problem) return { ok: false, error: problem };
          throw e;
        }
        if (inputs.ok) {
          const problem = await drain();
          if (problem) inputs = { ok: false, error: problem };
        }
      }
      if (!inputs.ok) failedPart = Math.min(failedPart, p);
      return inputs;
    };

    const reading = parts.map((_, p) => readPart(p));
    for (const r of reading) r.catch(() => undefined);
    // Each part's copies are asked for as soon as its files are read, and added as soon as they come, whichever
    // part finishes first, so that this thread is not left adding both once the last file is read.
    const copies = reading.map((r, p) =>
      r.then(async (part) => {
        if (part.ok) numbered[p]!.addCopies(await readers[p]!.copies());
      }),
    );
    for (const c of copies) c.catch(() => undefined);
    // Each part's outcome in file order: a bad file decides before any later part's does.
    const inputs: CollectorInput[] = [];
    for (let p = 0; p < parts.length; p++) {
      let part: Result<CollectorInput[]>;
      try {
        part = await reading[p]!;
      } catch (e) {
        await Promise.allSettled(reading);
        throw e;
      }
      if (!part.ok) {
        // The later parts stop at their next file; nothing of the scan's is left running once it has answered.
        await Promise.allSettled(reading);
        return part;
      }
      inputs.push(...part.value);
    }
    await Promise.all(copies);
    for (const part of numbered) part.addProblemsTo(fleet);
    await lookUp(true);
    return success({ fleet, advisories, inputs });
  } finally {
    await Promise.all(readers.map((r) => r.stop()));
  }
}

/**
 * Reads each file of the part in turn, a few ahead of the one being handled, and fingerprints it on the thread
 * pool: both bounded, so that a large fleet never sits in memory at once. `take` handles a file's bytes, or
 * stops the reading with a problem.
 */
async function readFiles(
  files: readonly InventoryFile[],
  part: Part,
  take: (
    file: InventoryFile,
    bytes: Uint8Array,
    index: number,
  ) => Problem | undefined | Promise<Problem | undefined>,
): Promise<Result<CollectorInput[]>> {
  const reads: Promise<Uint8Array>[] = [];
  let done = part.from;
  const readAhead = () => {
    while (reads.length < READ_AHEAD && reads.length + done < part.to) {
      const read = files[done + reads.length]!.read();
      // Awaited in turn below; a failure of one read ahead of a refused file must not go unhandled.
      read.catch(() => undefined);
      reads.push(read);
    }
  };
  const hashes: Promise<string>[] = [];
  const sizes: number[] = [];
  while (done < part.to) {
    readAhead();
    const file = files[done]!;
    const bytes = await reads.shift()!;
    if (hashes.length >= HASHES_AHEAD) await hashes[hashes.length - HASHES_AHEAD];
    hashes.push(sha256Hex(bytes));
    sizes.push(bytes.byteLength);
    const problem = await take(file, bytes, done);
    if (problem) return { ok: false, error: problem };
    done++;
  }
  const digests = await Promise.all(hashes);
  return success(
    files
      .slice(part.from, part.to)
      .map((file, i) => ({ name: file.name, size: sizes[i]!, sha256: digests[i]! })),
  );
}

/** The findings of the newest earlier scan, read back from its JSON evidence, for new / fixed / still open. */
async function previousFindings(
  deps: Deps,
  organisationId: string,
  effectiveDate: string,
): Promise<AnalyseOptions['previous']> {
  const runs = await deps.store.collectorRuns.list(organisationId, 'vulnerabilities');
  const last = runs.find((r) => r.effectiveDate <= effectiveDate);
  if (!last) return undefined;
  const evidence = await deps.store.evidence.findById(organisationId, last.reportEvidenceId);
  if (!evidence?.storageKey) return undefined;
  return findingsFromEvidenceBytes(await deps.blobs.get(evidence.storageKey));
}
