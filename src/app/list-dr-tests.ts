// An organisation's disaster-recovery tests, newest first, with where it stands: the last passing test and
// any failure not yet retested.
import { continuityStanding } from '../domain/dr-test.ts';
import { success, type Result } from '../domain/result.ts';
import type { Actor } from './actor.ts';
import type { DrTestRecord } from './dr-test-ports.ts';
import { findOrganisation } from './find-organisation.ts';
import type { Deps } from './ports.ts';

export async function listDrTests(
  deps: Deps,
  actor: Actor,
  input: { odsCode: string },
): Promise<Result<{ tests: DrTestRecord[]; standing: ReturnType<typeof continuityStanding> }>> {
  const found = await findOrganisation(deps.store, actor, input.odsCode, 'read');
  if (!found.ok) return found;
  const tests = await deps.store.drTests.list(found.value.id);
  return success({ tests, standing: continuityStanding(tests) });
}
