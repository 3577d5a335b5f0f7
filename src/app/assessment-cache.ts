// Remembers each organisation's assessment as last read, with the organisation's revision at the time, and
// the statuses worked out from it. The store raises the revision whenever anything behind the assessment
// changes, so a reader holding the same revision can reuse what was read instead of reading every answer,
// link and plan action again. What is kept is frozen: the readers that share it cannot change it under one
// another.
import type { AssessmentStatus } from '../domain/status/compute-status.ts';
import type { AssessmentContext } from './assessment-context.ts';
import { deepFreeze, isDeepFrozen } from './frozen.ts';
import type { OrganisationRecord } from './ports.ts';

export const ASSESSMENT_CACHE_SIZE = 1000;
/** Statuses kept per organisation: today's, and a few dates asked about (`--at`). */
const STATUSES_KEPT = 4;

interface Kept {
  /** The organisation record as it was read, revision included: the status depends on its type too. */
  organisation: string;
  /** The record itself when no one can change it, so that the same record is known without writing it out. */
  record?: OrganisationRecord;
  year: string;
  context: Omit<AssessmentContext, 'organisation'>;
  statuses: Map<string, AssessmentStatus>;
}

export class AssessmentCache {
  readonly #kept = new Map<string, Kept>();

  constructor(private readonly size = ASSESSMENT_CACHE_SIZE) {}

  #find(organisation: OrganisationRecord, year: string): Kept | undefined {
    const kept = this.#kept.get(organisation.id);
    if (!kept || kept.year !== year) return undefined;
    if (kept.record !== organisation && kept.organisation !== JSON.stringify(organisation)) return undefined;
    // Re-inserted so that the Map's order is least recently used first.
    this.#kept.delete(organisation.id);
    this.#kept.set(organisation.id, kept);
    return kept;
  }

  /** The assessment read before for this very organisation record (same revision), if still kept. */
  get(organisation: OrganisationRecord, year: string): AssessmentContext | undefined {
    const kept = this.#find(organisation, year);
    return kept && { ...kept.context, organisation };
  }

  set(organisation: OrganisationRecord, year: string, context: AssessmentContext): void {
    const { organisation: _read, ...rest } = context;
    this.#kept.delete(organisation.id);
    this.#kept.set(organisation.id, {
      organisation: JSON.stringify(organisation),
      ...(isDeepFrozen(organisation) ? { record: organisation } : {}),
      year,
      context: deepFreeze({ ...rest }),
      statuses: new Map(),
    });
    if (this.#kept.size > this.size) this.#kept.delete(this.#kept.keys().next().value!);
  }

  /** The status on `at` of the assessment kept for `organisation`, worked out once by `compute`. */
  status(
    organisation: OrganisationRecord,
    year: string,
    at: string,
    compute: () => AssessmentStatus,
  ): AssessmentStatus {
    const kept = this.#find(organisation, year);
    if (!kept) return compute();
    let status = kept.statuses.get(at);
    if (!status) {
      status = deepFreeze(compute());
      if (kept.statuses.size >= STATUSES_KEPT) kept.statuses.delete(kept.statuses.keys().next().value!);
      kept.statuses.set(at, status);
    }
    return status;
  }
}
