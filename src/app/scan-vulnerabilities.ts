// Scans a fleet's inventories against the OSV index and records the run as dated evidence: the JSON and HTML
// reports linked to the patching and vulnerability items (8.3.x, 8.4.x, 6.3.2) and CAF outcome B4.d.
import { createHash } from 'node:crypto';
import {
  addToFleet,
  analyseFleet,
  createFleet,
  packagesToLookUp,
  type AnalyseOptions,
  type PackageAdvisory,
  type ScanReport,
} from '../collectors/vulnerabilities/analyse.ts';
import { readInventory } from '../collectors/vulnerabilities/read-inventory.ts';
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

  const fleet = createFleet();
  const inputs: CollectorInput[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const [i, file] of input.files.entries()) {
    const bytes = await file.read();
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      return failure('bad-input', 'the file is not UTF-8 text', file.name);
    }
    const read = readInventory(file.name, text, {
      ...(input.system !== undefined ? { system: input.system } : {}),
      ...(input.distro !== undefined ? { distro: input.distro } : {}),
    });
    if (!read.ok) return read;
    addToFleet(fleet, read.value);
    inputs.push({
      name: file.name,
      size: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    input.onProgress?.(i + 1, input.files.length);
  }

  const covered = await deps.store.osv.ecosystems();
  const advisories = new Map<string, PackageAdvisory[]>();
  for (const [ecosystem, names] of packagesToLookUp(fleet)) {
    if (!covered.has(ecosystem)) continue;
    for (const [key, list] of await deps.store.osv.findByPackages(ecosystem, names))
      advisories.set(key, list);
  }

  const previous = await previousFindings(deps, org.id, effectiveDate);
  const report = analyseFleet(fleet, advisories, {
    effectiveDate,
    slaDays,
    coveredEcosystems: new Set(covered.keys()),
    ...(previous ? { previous } : {}),
  });
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
