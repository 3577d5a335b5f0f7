// `dspt osv import` and `dspt collect vulnerabilities`: load OSV data once, then scan a fleet's inventories
// against it and keep the scan as dated evidence; `--fail-on-breach` makes a CI pipeline fail on a breach.
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { importOsv } from '../../app/import-osv.ts';
import {
  DEFAULT_SLA_DAYS,
  scanVulnerabilities,
  type InventoryFile,
  type ScanStage,
} from '../../app/scan-vulnerabilities.ts';
import { releaseFromOsRelease } from '../../collectors/vulnerabilities/inventory.ts';
import type { ScanReport } from '../../collectors/vulnerabilities/analyse.ts';
import { readOsvDump } from '../../infra/osv-dump.ts';
import { Exit, EXIT, type CommandContext, type CommandModule } from '../main.ts';

interface CollectOptions {
  org: string;
  sbom: string[];
  system?: string;
  distro?: string;
  at?: string;
  slaDays: string;
  json?: boolean;
  failOnBreach?: boolean;
}

export const vulnerabilityCommands: CommandModule = (program, context) => {
  const osv =
    program.commands.find((c) => c.name() === 'osv') ??
    program.command('osv').description('the OSV vulnerability data scans match against');
  osv
    .command('import')
    .description('import OSV records from a folder of JSON files or an osv.dev all.zip; scans reuse them')
    .argument('<source>', 'a folder of OSV JSON files, or a zip in the all.zip layout')
    .option('--json', 'print JSON')
    .action((source: string, o: { json?: boolean }) => runImport(source, o, context));

  const collect =
    program.commands.find((c) => c.name() === 'collect') ??
    program.command('collect').description('run a collector and keep its result as dated evidence');
  collect
    .command('vulnerabilities')
    .description(
      'scan SBOMs, dpkg status files and npm lockfiles against OSV data, with the patching deadline',
    )
    .requiredOption('--org <ods>', 'ODS code of the organisation')
    .requiredOption('--sbom <files...>', 'CycloneDX or SPDX 2.3 JSON, dpkg status files, package-lock.json')
    .option('--system <name>', 'the system the components belong to (default: each file name)')
    .option(
      '--distro <release>',
      'the Debian release of dpkg status files, such as 12 or bookworm (default: /etc/os-release)',
    )
    .option('--at <date>', 'the date the inventories describe (default: today)')
    .option(
      '--sla-days <days>',
      'days allowed to patch a high-risk finding once a fix is out',
      String(DEFAULT_SLA_DAYS),
    )
    .option('--json', 'print JSON')
    .option('--fail-on-breach', 'exit with code 1 when any finding breaches the patching deadline')
    .action((o: CollectOptions) => runCollect(o, context));
};

async function runImport(
  source: string,
  o: { json?: boolean },
  { io, actor, unwrap, deps, json }: CommandContext,
) {
  const bar = progressBar('Importing OSV records [{bar}] {value} files', o.json);
  bar?.start(0, 0);
  let imported: Awaited<ReturnType<typeof importOsv>>;
  try {
    imported = await importOsv(await deps(), actor, {
      label: path.resolve(source),
      source: readOsvDump(source),
      onProgress: (files) => {
        if (files % 500 === 0) bar?.update(files);
      },
    });
  } finally {
    // A bar left running keeps the command from ever exiting, refused input included.
    bar?.stop();
  }
  const summary = unwrap(imported);
  if (o.json) return json(summary);
  const lines = [
    `Read ${summary.records.toLocaleString('en-GB')} OSV records from ${summary.files.toLocaleString('en-GB')} files: ${summary.added} added, ${summary.replaced} replaced by a newer version, ${summary.unchanged} already up to date, ${summary.withdrawn} withdrawn (ignored), ${summary.skipped} skipped as bad.`,
    `Packages indexed by ecosystem: ${
      Object.entries(summary.byEcosystem)
        .map(([e, n]) => `${e} ${n}`)
        .join(', ') || 'none'
    }.`,
  ];
  if (summary.otherPackages > 0)
    lines.push(`${summary.otherPackages} packages of ecosystems openDSPT cannot check yet were left out.`);
  for (const p of summary.problems.slice(0, 20)) lines.push(`  skipped ${p.where}: ${p.message}`);
  if (summary.problems.length > 20) lines.push(`  ... and ${summary.skipped - 20} more (see --json)`);
  io.out(lines.join('\n'));
}

async function runCollect(o: CollectOptions, { io, actor, fail, unwrap, deps, json }: CommandContext) {
  const slaDays = Number(o.slaDays);
  if (!/^\d+$/.test(o.slaDays))
    fail({
      kind: 'bad-input',
      where: '--sla-days',
      message: `expected a whole number of days, found "${o.slaDays}"`,
    });
  const files: InventoryFile[] = [];
  for (const file of o.sbom) {
    try {
      if (!(await stat(file)).isFile())
        fail({ kind: 'bad-input', where: file, message: 'expected a file, found a folder or device' });
    } catch (e) {
      if (e instanceof Exit) throw e;
      fail({ kind: 'bad-input', where: file, message: 'cannot read this file: does it exist?' });
    }
    files.push({ name: file, path: file, read: () => readFile(file), readNow: () => readFileSync(file) });
  }
  const distro = o.distro ?? (await localDebianRelease(o.sbom));
  const bar = progressBar('Reading inventories [{bar}] {percentage}% | {value}/{total} files', o.json);
  bar?.start(files.length, 0);
  let result: Awaited<ReturnType<typeof scanVulnerabilities>>;
  try {
    result = await scanVulnerabilities(await deps(), actor, {
      odsCode: o.org,
      files,
      slaDays,
      ...(o.system !== undefined ? { system: o.system } : {}),
      ...(distro !== undefined ? { distro } : {}),
      ...(o.at !== undefined ? { effectiveDate: o.at } : {}),
      onProgress: (done) => bar?.update(done),
      onStage: (stage) => {
        bar?.stop();
        if (bar) io.err(STAGES[stage]);
      },
    });
  } finally {
    // A bar left running keeps the command from ever exiting, refused input included.
    bar?.stop();
  }
  const scanned = unwrap(result);
  const { report, verdicts, run, linked } = scanned;
  if (o.json) json({ runId: run.id, linked, verdicts, ...report });
  else io.out(describeScan(report, linked, o.org));
  if (o.failOnBreach && report.totals.breached > 0) throw new Exit(EXIT.checkFailed);
}

/** What a large scan is doing once its files are read, on standard error beside the progress bar. */
const STAGES: Record<ScanStage, string> = {
  matching: 'Matching the components against OSV data...',
  recording: 'Recording the reports as evidence...',
};

/** Only when a dpkg status file is scanned on the machine it describes does this machine's release apply. */
async function localDebianRelease(files: string[]): Promise<string | undefined> {
  if (!files.some((f) => path.resolve(f) === '/var/lib/dpkg/status')) return undefined;
  try {
    return releaseFromOsRelease(await readFile('/etc/os-release', 'utf8'));
  } catch {
    return undefined;
  }
}

function progressBar(format: string, quiet: boolean | undefined): SingleBar | undefined {
  return process.stderr.isTTY && !quiet
    ? new SingleBar({ stream: process.stderr, format, hideCursor: true })
    : undefined;
}

export function describeScan(report: ScanReport, linked: string[], ods: string): string {
  const t = report.totals;
  const n = (x: number) => x.toLocaleString('en-GB');
  /** A count and its noun, singular for one. */
  const of = (x: number, noun: string) => `${n(x)} ${x === 1 ? noun : `${noun}s`}`;
  const lines = [
    `Vulnerability scan of ${ods.toUpperCase()} on ${report.effectiveDate}: ${of(report.components, 'component')} on ${of(report.systems, 'system')} from ${of(report.files, 'file')}; ${n(report.checked)} checked against OSV data.`,
    `${of(t.findings, 'finding')}: ${n(t.breached)} past the ${report.slaDays}-day deadline, ${n(t.withinSla)} high-risk within it, ${n(t.noFix)} high-risk with no fix yet, ${n(t.notHighRisk)} lower-risk.`,
  ];
  if (report.previousRun)
    lines.push(
      `Since the scan of ${report.previousRun}: ${n(t.new)} new, ${n(t.stillOpen)} still open, ${n(t.fixed)} fixed.`,
    );
  const show = (state: string, title: string) => {
    const list = report.findings.filter((f) => f.state === state);
    if (list.length === 0) return;
    lines.push('', `${title}:`);
    for (const f of list.slice(0, 25))
      lines.push(
        `  ${f.system}: ${f.package} ${f.version} ${f.id} (${f.severity.label ?? 'severity unknown'}${f.severity.score !== null ? ` ${f.severity.score.toFixed(1)}` : ''})` +
          (f.fixedIn ? `, fixed in ${f.fixedIn}` : '') +
          (f.deadline ? `, deadline ${f.deadline}` : ''),
      );
    if (list.length > 25) lines.push(`  ... and ${n(list.length - 25)} more (see --json or the HTML report)`);
  };
  show('breached', `Past the ${report.slaDays}-day deadline`);
  show('no-fix', 'High-risk with no fix yet (record them in the risk register)');
  const unchecked = report.coverage.filter((c) => !c.checkable || !c.osvData);
  if (unchecked.length > 0)
    lines.push(
      '',
      `Not checked: ${unchecked.map((c) => `${n(c.components)} ${c.ecosystem} (${c.checkable ? 'no OSV data: run dspt osv import' : c.ecosystem === 'Debian' ? 'Debian release unknown: give --distro' : 'not supported yet'})`).join(', ')}.`,
    );
  if (report.problems.count > 0) {
    lines.push('', `${of(report.problems.count, 'problem')} (components skipped):`);
    for (const p of report.problems.shown.slice(0, 10)) lines.push(`  ${p.where}: ${p.message}`);
  }
  lines.push(
    '',
    linked.length > 0
      ? `Recorded as evidence for ${linked.join(', ')}.`
      : 'Recorded as evidence; it supports no item yet.',
  );
  return lines.join('\n');
}
