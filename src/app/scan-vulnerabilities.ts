// Scans a fleet's inventories against the OSV index and records the run as dated evidence: the JSON and HTML
// reports linked to the patching and vulnerability items (8.3.x, 8.4.x, 6.3.2) and CAF outcome B4.d.
import { webcrypto } from 'node:crypto';
import {
  analyseFleet,
  createFleet,
  packagesToLookUp,
  readIntoFleet,
  type AnalyseOptions,
  type PackageAdvisory,
  type ScanReport,
} from '../collectors/vulnerabilities/analyse.ts';
import {
  CAF_OUTCOME,
  evidenceJson,
  findingsFromEvidence,
  renderHtmlReport,
  summaryOf,
  verdictsFor,
  type Verdict,
} from '../collectors/vulnerabilities/report.ts';
import { isIsoDate, toIsoDate } from '../domain/dates.ts';
import { failure, success, type Result } from '../domain/result.ts';
import type { Actor } from './actor.ts';
import { findOrganisation } from './find-organisation.ts';
import type { CollectorInput, CollectorRunRecord, Deps } from './ports.ts';
import { recordCollectorRun } from './record-collector-run.ts';

/** An inventory file, read only when the scan reaches it so that a large fleet never sits in memory at once. */
export interface InventoryFile {
  name: string;
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
}

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
    report: evidenceJson(report),
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
  const fleet = createFleet();
  const options = {
    ...(input.system !== undefined ? { system: input.system } : {}),
    ...(input.distro !== undefined ? { distro: input.distro } : {}),
  };
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const files = input.files;
  // The next few files are read while one is parsed, and each file's fingerprint is worked out off the main
  // thread: both bounded, so that a large fleet never sits in memory at once.
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
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      return failure('bad-input', 'the file is not UTF-8 text', file.name);
    }
    const read = readIntoFleet(fleet, file.name, text, options);
    if (!read.ok) return read;
    done++;
    input.onProgress?.(done, files.length);
  }
  const digests = await Promise.all(hashes);
  const inputs: CollectorInput[] = files.map((file, i) => ({
    name: file.name,
    size: sizes[i]!,
    sha256: digests[i]!,
  }));

  const covered = await deps.store.osv.ecosystems();
  const advisories = new Map<string, PackageAdvisory[]>();
  for (const [ecosystem, names] of packagesToLookUp(fleet)) {
    if (!covered.has(ecosystem)) continue;
    for (const [key, list] of await deps.store.osv.findByPackages(ecosystem, names))
      advisories.set(key, list);
  }

  const previous = await previousFindings(deps, organisationId, when.effectiveDate);
  const report = analyseFleet(fleet, advisories, {
    ...when,
    coveredEcosystems: new Set(covered.keys()),
    ...(previous ? { previous } : {}),
  });
  return success({ report, inputs });
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
  return findingsFromEvidence(
    JSON.parse(Buffer.from(await deps.blobs.get(evidence.storageKey)).toString('utf8')),
  );
}
