// Scans a fleet's inventories against the OSV index and records the run as dated evidence: the JSON and HTML
// reports linked to the patching and vulnerability items (8.3.x, 8.4.x, 6.3.2) and CAF outcome B4.d.
import { createHash, webcrypto } from 'node:crypto';
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
import type { InventoryProblem } from '../collectors/vulnerabilities/inventory.ts';
import { ProblemsByFile } from '../collectors/vulnerabilities/problems-by-file.ts';
import { FleetInWorker, type FileRead } from '../collectors/vulnerabilities/read-fleet-in-worker.ts';
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
  /** Where it lies on this machine, if it is a file there: worker threads then read it from disk themselves. */
  path?: string;
  read(): Promise<Uint8Array>;
  /**
   * The same bytes, read at once, where that is cheap (a file on this machine): the scan's own thread reads its
   * share of the files with it, as a read on the thread pool costs it more than the read itself.
   */
  readNow?(): Uint8Array;
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
  /** Whether to read the inventories in worker threads as well as this one; by default, from 200 files. */
  inWorker?: boolean;
  /** How many worker threads share the reading with this one: by default one per core beyond the first, up to two. */
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
/** From how many files the inventories are read in worker threads as well as this one. */
const WORKER_FROM_FILES = 200;
/**
 * Worker threads beside this one, which reads too: one per core beyond the first, up to two. On a two-core
 * machine a second worker would only take turns with the others.
 */
const DEFAULT_WORKERS = Math.max(1, Math.min(2, availableParallelism() - 1));
/**
 * Files a worker is given ahead of the one it is reading: enough that it never waits while this thread reads a
 * file or looks a batch up. Towards the end, fewer (a quarter of the files left, down to WORKER_AHEAD_LAST), so
 * that this thread is not left waiting while a worker works through a long queue on its own.
 */
const WORKER_AHEAD = 64;
const WORKER_AHEAD_LAST = 16;
/** Package names looked up at once while the worker reads: one query of the OSV index. */
const LOOKUP_BATCH = 500;

/** The SHA-256 of a file this thread reads itself, worked out at once: cheaper for it than a trip to the thread pool. */
const sha256Now = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

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
  const inputs = await readFiles(input.files, (file, bytes, i) => {
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

/**
 * Reads the inventories in worker threads and on this thread at once. The workers take the files from the first
 * onwards, a few at a time, and tell what each holds; this thread adds that to the fleet and looks the new
 * packages up in the OSV index, and whenever it has nothing else to do it reads a file itself, from the last
 * backwards, straight into the fleet. The two meet wherever the work comes out even, whatever this thread's share
 * of adding and looking up turns out to be. The components and the report are those one reader would have made
 * (the report does not depend on the order the fleet meets things in), the problems are listed in file order,
 * and the outcome is the one reading the files in turn gives: the first file, in file order, that is refused or
 * cannot be read decides it.
 */
async function readInWorkers(
  deps: Deps,
  input: ScanVulnerabilitiesInput,
  coveredRead: Promise<ReadonlyMap<string, number>>,
): Promise<Result<FleetRead>> {
  const { files } = input;
  const options = readOptions(input);
  const readers = Array.from(
    { length: Math.max(1, input.workers ?? DEFAULT_WORKERS) },
    () => new FleetInWorker(options),
  );
  try {
    const covered = await coveredRead;
    const fleet = createFleet();
    const numbered = readers.map(() => new NumberedPart(fleet, options));
    const advisories = new AdvisoriesFound();
    const problems = new ProblemsByFile();
    const fingerprints: CollectorInput[] = new Array(files.length);
    // The files each worker has been sent and has not told of yet, in the order it tells them.
    const sent: number[][] = readers.map(() => []);
    // A worker tells nothing after a file it refused or could not read.
    const stopped = readers.map(() => false);
    // Files from `front` up to `back` are yet to be read: workers take them from the front, this thread from the
    // back. None from `decided` on is needed: the file there was refused or could not be read.
    let front = 0;
    let back = files.length;
    let decided = files.length;
    let outcome: { problem: Problem } | { error: unknown } | undefined;
    const decide = (index: number, what: { problem: Problem } | { error: unknown }) => {
      if (index >= decided) return;
      decided = index;
      outcome = what;
    };
    let read = 0;

    // Names waiting to be looked up: each package is new to the fleet once, whichever thread brings it in.
    const wanted = new Map<string, string[]>();
    const want = (known: number) => {
      for (let i = known; i < fleet.packageOrder.length; i++) {
        const { ecosystem, name } = fleet.packageOrder[i]!;
        if (!worthLookingUp(covered, ecosystem)) continue;
        const list = wanted.get(ecosystem);
        if (list) list.push(name);
        else wanted.set(ecosystem, [name]);
      }
    };
    // One batch of names at a time (all that are left, at the end): whether it looked any up.
    const lookUp = async (all: boolean): Promise<boolean> => {
      for (const [ecosystem, names] of wanted) {
        if (!all && names.length < LOOKUP_BATCH) continue;
        const batch = all ? names : names.splice(0, LOOKUP_BATCH);
        if (all || names.length === 0) wanted.delete(ecosystem);
        advisories.add(await deps.store.osv.findByPackages(ecosystem, batch));
        if (!all) return true;
      }
      return false;
    };

    const send = async (w: number, index: number) => {
      const file = files[index]!;
      if (file.path !== undefined) readers[w]!.sendPath(file.name, file.path);
      else {
        let bytes: Uint8Array;
        try {
          bytes = await file.read();
        } catch (error) {
          decide(index, { error });
          return;
        }
        readers[w]!.send(file.name, bytes);
      }
      sent[w]!.push(index);
    };

    const tell = async (w: number) => {
      const index = sent[w]!.shift()!;
      let file: FileRead;
      try {
        file = await readers[w]!.next();
      } catch (error) {
        stopped[w] = true;
        decide(index, { error });
        return;
      }
      if (!file.ok) {
        stopped[w] = true;
        decide(index, { problem: file.problem });
        return;
      }
      const name = files[index]!.name;
      fingerprints[index] = { name, ...file.fingerprint };
      const known = fleet.packageOrder.length;
      numbered[w]!.add(name, file.told);
      problems.add(index, file.told.problems);
      want(known);
      input.onProgress?.(++read, files.length);
    };

    const readFileHere = async (index: number) => {
      const file = files[index]!;
      let bytes: Uint8Array;
      try {
        bytes = file.readNow ? file.readNow() : await file.read();
      } catch (error) {
        decide(index, { error });
        return;
      }
      fingerprints[index] = { name: file.name, size: bytes.byteLength, sha256: sha256Now(bytes) };
      const known = fleet.packageOrder.length;
      const own: InventoryProblem[] = [];
      const result = readFileIntoFleet(fleet, file.name, bytes, options, own);
      if (!result.ok) {
        decide(index, { problem: result.error });
        return;
      }
      problems.add(index, own);
      want(known);
      input.onProgress?.(++read, files.length);
      // What the workers told meanwhile is taken in before the next file.
      await new Promise((resolve) => setImmediate(resolve));
    };

    for (;;) {
      // What the workers have told comes first: it brings the packages to look up.
      const ready = readers.findIndex((r, w) => !stopped[w] && sent[w]!.length > 0 && r.ready);
      if (ready >= 0) {
        await tell(ready);
        continue;
      }
      back = Math.max(front, Math.min(back, decided));
      if (front < back) {
        // The worker with the fewest files in hand gets the next, unless every one has enough.
        const enough = Math.min(WORKER_AHEAD, Math.max(WORKER_AHEAD_LAST, (back - front) >> 2));
        let w = -1;
        for (let i = 0; i < readers.length; i++)
          if (!stopped[i] && sent[i]!.length < enough && (w < 0 || sent[i]!.length < sent[w]!.length)) w = i;
        if (w >= 0) {
          await send(w, front++);
          continue;
        }
      }
      if (await lookUp(false)) continue;
      if (front < back) {
        await readFileHere(--back);
        continue;
      }
      const waiting = readers.filter((_, w) => !stopped[w] && sent[w]!.length > 0);
      if (waiting.length === 0) break;
      await Promise.race(waiting.map((r) => r.whenReady()));
    }
    if (outcome) {
      if ('error' in outcome) throw outcome.error;
      return { ok: false, error: outcome.problem };
    }
    for (let w = 0; w < readers.length; w++) numbered[w]!.addCopies(await readers[w]!.copies());
    problems.addTo(fleet);
    await lookUp(true);
    return success({ fleet, advisories, inputs: fingerprints });
  } finally {
    await Promise.all(readers.map((r) => r.stop()));
  }
}

/**
 * Reads each file in turn, a few ahead of the one being handled, and fingerprints it on the thread pool: both
 * bounded, so that a large fleet never sits in memory at once. `take` handles a file's bytes, or stops the
 * reading with a problem.
 */
async function readFiles(
  files: readonly InventoryFile[],
  take: (file: InventoryFile, bytes: Uint8Array, index: number) => Problem | undefined,
): Promise<Result<CollectorInput[]>> {
  const reads: Promise<Uint8Array>[] = [];
  let done = 0;
  const readAhead = () => {
    while (reads.length < READ_AHEAD && reads.length + done < files.length) {
      const read = files[done + reads.length]!.read();
      // Awaited in turn below; a failure of one read ahead of a refused file must not go unhandled.
      read.catch(() => undefined);
      reads.push(read);
    }
  };
  const hashes: Promise<string>[] = [];
  const sizes: number[] = [];
  while (done < files.length) {
    readAhead();
    const file = files[done]!;
    const bytes = await reads.shift()!;
    if (hashes.length >= HASHES_AHEAD) await hashes[hashes.length - HASHES_AHEAD];
    hashes.push(sha256Hex(bytes));
    sizes.push(bytes.byteLength);
    const problem = take(file, bytes, done);
    if (problem) return { ok: false, error: problem };
    done++;
  }
  const digests = await Promise.all(hashes);
  return success(files.map((file, i) => ({ name: file.name, size: sizes[i]!, sha256: digests[i]! })));
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
  // Read a few thousand rows at a time, so that this thread goes on keeping the workers supplied meanwhile.
  return findingsFromEvidenceBytes(await deps.blobs.get(evidence.storageKey));
}
