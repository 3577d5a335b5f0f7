// Imports OSV records (a folder of JSON files or osv.dev's per-ecosystem all.zip, read by infra) into the
// index that scans reuse. A newer `modified` replaces a record; withdrawn records are dropped; a bad record is
// reported, counted and skipped. A broken source (a corrupt zip) stops the import and nothing is written.
import { parseOsvRecord, type OsvProblem, type ParsedOsvRecord } from '../collectors/vulnerabilities/osv.ts';
import { jsonErrorPlace } from '../collectors/vulnerabilities/json-position.ts';
import { createComparers } from '../collectors/vulnerabilities/versions.ts';
import { failure, success, type Result } from '../domain/result.ts';
import { actorName, type Actor } from './actor.ts';
import type { StoredOsvRecord } from './osv-ports.ts';
import type { Deps } from './ports.ts';

/** One file of the dump, or the reason the source could not go on. */
export type OsvSourceItem =
  { kind: 'file'; name: string; text: string } | { kind: 'error'; where: string; message: string };

export interface ImportOsvInput {
  /** What is imported, for the audit trail: the folder or zip path. */
  label: string;
  source: AsyncIterable<OsvSourceItem>;
  onProgress?: (filesRead: number) => void;
}

export interface ImportOsvSummary {
  files: number;
  records: number;
  added: number;
  replaced: number;
  /** Already held at the same or a newer `modified`. */
  unchanged: number;
  withdrawn: number;
  skipped: number;
  /** The first problems met (all are counted in `skipped`). */
  problems: OsvProblem[];
  /** Packages of ecosystems openDSPT cannot check yet, left out. */
  otherPackages: number;
  byEcosystem: Record<string, number>;
}

const BATCH = 1000;
const MAX_PROBLEMS = 1000;

class SourceBroken extends Error {
  constructor(readonly problem: { where: string; message: string }) {
    super(problem.message);
  }
}

export async function importOsv(
  deps: Deps,
  actor: Actor,
  input: ImportOsvInput,
): Promise<Result<ImportOsvSummary>> {
  // The index is shared by every organisation on the platform, so only an operator may change it.
  if (actor.kind !== 'operator')
    return failure('forbidden', 'only a platform operator may import OSV data', 'osv import');
  const summary: ImportOsvSummary = {
    files: 0,
    records: 0,
    added: 0,
    replaced: 0,
    unchanged: 0,
    withdrawn: 0,
    skipped: 0,
    problems: [],
    otherPackages: 0,
    byEcosystem: {},
  };
  const comparers = createComparers();
  const problem = (where: string, message: string) => {
    summary.skipped++;
    if (summary.problems.length < MAX_PROBLEMS) summary.problems.push({ where, message });
  };

  try {
    await deps.store.transaction(async (tx) => {
      let pending: ParsedOsvRecord[] = [];
      const flush = async () => {
        if (pending.length === 0) return;
        await storeBatch(tx, pending, summary);
        pending = [];
      };
      for await (const item of input.source) {
        if (item.kind === 'error') throw new SourceBroken(item);
        summary.files++;
        input.onProgress?.(summary.files);
        let json: unknown;
        try {
          json = JSON.parse(item.text);
        } catch (e) {
          problem(
            item.name,
            `not valid JSON: ${(e as Error).message.split('\n')[0]!.replace(/, ".*$/, '')} at ${jsonErrorPlace(item.text)}`,
          );
          continue;
        }
        const values = Array.isArray(json) ? json : [json];
        for (const [i, value] of values.entries()) {
          const where = Array.isArray(json) ? `${item.name}[${i}]` : item.name;
          summary.records++;
          const parsed = parseOsvRecord(value, comparers);
          if (!parsed.ok) {
            const id =
              typeof (value as { id?: unknown })?.id === 'string' ? ` (${(value as { id: string }).id})` : '';
            problem(`${where}${id}: ${parsed.problem.where}`, parsed.problem.message);
            continue;
          }
          summary.otherPackages += parsed.record.otherPackages;
          pending.push(parsed.record);
          if (pending.length >= BATCH) await flush();
        }
      }
      await flush();
      await tx.audit.append({
        actor: actorName(actor),
        action: 'osv.imported',
        organisationId: null,
        subject: input.label,
        details: { ...summary, problems: summary.problems.slice(0, 20) },
      });
    });
  } catch (e) {
    if (e instanceof SourceBroken) return failure('bad-input', e.problem.message, e.problem.where);
    throw e;
  }
  return success(summary);
}

const newer = (a: string, b: string) => Date.parse(a) > Date.parse(b);

async function storeBatch(
  tx: Deps['store'],
  batch: ParsedOsvRecord[],
  summary: ImportOsvSummary,
): Promise<void> {
  // The same record twice in one dump: the newest wins before the database is asked.
  const latest = new Map<string, ParsedOsvRecord>();
  for (const r of batch) {
    const seen = latest.get(r.advisory.id);
    if (seen && !newer(r.advisory.modified, seen.advisory.modified)) {
      summary.unchanged++;
      continue;
    }
    if (seen) summary.unchanged++;
    latest.set(r.advisory.id, r);
  }
  const stored = await tx.osv.findVersions([...latest.keys()]);
  const puts: StoredOsvRecord[] = [];
  const removals: string[] = [];
  for (const r of latest.values()) {
    const before = stored.get(r.advisory.id);
    if (before && !newer(r.advisory.modified, before.modified)) {
      summary.unchanged++;
      continue;
    }
    if (r.withdrawn) {
      // A withdrawn record is ignored, and a newer withdrawal takes an older copy out of the index.
      summary.withdrawn++;
      if (before) removals.push(r.advisory.id);
      continue;
    }
    if (before) summary.replaced++;
    else summary.added++;
    puts.push({
      advisory: r.advisory,
      packages: r.packages.map((pkg) => {
        summary.byEcosystem[pkg.ecosystem] = (summary.byEcosystem[pkg.ecosystem] ?? 0) + 1;
        const old = before?.packages.find((p) => p.ecosystem === pkg.ecosystem && p.name === pkg.name);
        // The SLA clock: the fix is known from publication, unless an earlier copy had no fix for this
        // package, in which case the fix is known only from this copy's `modified` time.
        const fixKnownSince = !pkg.hasFix
          ? null
          : old?.hasFix
            ? (old.fixKnownSince ?? r.advisory.published)
            : old
              ? r.advisory.modified
              : r.advisory.published;
        return { pkg, fixKnownSince };
      }),
    });
  }
  if (removals.length > 0) await tx.osv.remove(removals);
  await tx.osv.put(puts);
}
