// What the DR-test use cases need from storage: recorded disaster-recovery tests, per organisation.
import type { DrTest } from '../domain/dr-test.ts';

export interface DrTestRecord extends DrTest {
  id: string;
  organisationId: string;
  /** Whether the test met its objectives (the checked result, not only the one typed in). */
  passed: boolean;
  /** The collector run that keeps the test's report as evidence. */
  collectorRunId: string;
  createdBy: string;
  createdAt: string;
}

export interface DrTestStore {
  insert(test: DrTestRecord): Promise<void>;
  /** The organisation's tests, newest test date first. */
  list(organisationId: string): Promise<DrTestRecord[]>;
}
