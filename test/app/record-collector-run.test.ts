// Recording a collector run on both engines: the reports become encrypted evidence, linked to the items the
// catalogue lets that collector evidence, with the run's date, and the status sees the new dates.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Actor } from '../../src/app/actor.ts';
import { getStatus } from '../../src/app/get-status.ts';
import { recordAnswer } from '../../src/app/record-answer.ts';
import { recordCollectorRun, type RecordCollectorRunInput } from '../../src/app/record-collector-run.ts';
import { registerOrganisation } from '../../src/app/register-organisation.ts';
import { CanonicalJsonText } from '../../src/domain/canonical-json.ts';
import { ENGINES } from '../support/databases.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';

const operator: Actor = { kind: 'operator', name: 'test' };

const aRun = (overrides: Partial<RecordCollectorRunInput> = {}): RecordCollectorRunInput => ({
  odsCode: 'A81001',
  kind: 'data-map',
  effectiveDate: '2026-05-20',
  inputs: [{ name: 'terraform.tfstate', size: 1200, sha256: 'a'.repeat(64) }],
  metrics: { stores: 4, flows: 7 },
  verdicts: [
    { targetId: '1.1.2', verdict: 'supports', summary: '4 stores, all classified' },
    { targetId: '7.1.1', verdict: 'gap', summary: '1 store has no owner' },
    { targetId: '3.2.1', verdict: 'supports', summary: 'not a data-map item: never linked' },
  ],
  summary: '4 data stores and 7 flows',
  report: { stores: 4 },
  reportHtml: '<!doctype html><title>Data map</title><p>4 stores</p>',
  ...overrides,
});

describe.each(ENGINES)('recordCollectorRun on %s', (engine) => {
  let deps: TestDeps;
  beforeEach(async () => {
    deps = await testDeps(engine);
    await registerOrganisation(deps, operator, {
      odsCode: 'A81001',
      name: 'Riverside Surgery',
      type: 'gp-practice',
    });
  });
  afterEach(async () => {
    await deps.db.drop();
  });

  test('stores both reports as evidence and links them only to supported items this collector may evidence', async () => {
    const result = await recordCollectorRun(deps, operator, aRun());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.linked).toEqual(['1.1.2']);
    const org = (await deps.store.organisations.findByOds('A81001'))!;
    const assessment = (await deps.store.assessments.find(org.id, '2025-26'))!;
    const links = await deps.store.evidence.listLinks(assessment.id);
    expect(links.map((l) => [l.itemId, l.effectiveDate])).toEqual([
      ['1.1.2', '2026-05-20'],
      ['1.1.2', '2026-05-20'],
    ]);
    const [stored] = await deps.store.collectorRuns.list(org.id, 'data-map');
    expect(stored).toMatchObject({ summary: '4 data stores and 7 flows', metrics: { stores: 4, flows: 7 } });
    const json = await deps.store.evidence.findById(org.id, stored!.reportEvidenceId);
    expect(Buffer.from(await deps.blobs.get(json!.storageKey!)).toString()).toBe('{"stores":4}\n');
  });

  test('a report already written as canonical JSON in parts is stored as those parts joined, characters beyond ASCII and all', async () => {
    const parts = ['{"name":', '"Café ✓ 😀 ünïcödé"', ',"rows":[[1,"ß"],[2,null]]', '}'];
    const result = await recordCollectorRun(deps, operator, aRun({ report: new CanonicalJsonText(parts) }));
    expect(result.ok).toBe(true);
    const org = (await deps.store.organisations.findByOds('A81001'))!;
    const [stored] = await deps.store.collectorRuns.list(org.id, 'data-map');
    const json = await deps.store.evidence.findById(org.id, stored!.reportEvidenceId);
    const bytes = Buffer.from(await deps.blobs.get(json!.storageKey!));
    expect(bytes.toString('utf8')).toBe(`${parts.join('')}\n`);
    expect(bytes.equals(Buffer.from(`${parts.join('')}\n`, 'utf8'))).toBe(true);
  });

  test('a run refreshes an old register answer: the status uses the newest evidence date', async () => {
    await recordAnswer(deps, operator, {
      odsCode: 'A81001',
      itemId: '1.1.2',
      answer: { type: 'text', value: 'IAR' },
      effectiveDate: '2025-01-10',
    });
    const before = await getStatus(deps, operator, { odsCode: 'A81001', at: '2026-06-01' });
    expect(before.ok && before.value.status.items.find((i) => i.itemId === '1.1.2')?.state).toBe('not-met');
    await recordCollectorRun(deps, operator, aRun());
    const after = await getStatus(deps, operator, { odsCode: 'A81001', at: '2026-06-01' });
    expect(after.ok && after.value.status.items.find((i) => i.itemId === '1.1.2')).toMatchObject({
      state: 'met',
      factDate: '2026-05-20',
    });
  });

  test.each<[string, Partial<RecordCollectorRunInput>, RegExp]>([
    ['an unknown collector', { kind: 'astrology' as never }, /unknown collector "astrology"/],
    ['a future date', { effectiveDate: '2027-01-01' }, /in the future/],
    ['an unknown organisation', { odsCode: 'Y99999' }, /no organisation with ODS code Y99999/],
  ])('%s is refused and nothing is recorded', async (_name, overrides, message) => {
    const result = await recordCollectorRun(deps, operator, aRun(overrides));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(message);
    const org = (await deps.store.organisations.findByOds('A81001'))!;
    expect(await deps.store.collectorRuns.list(org.id, 'data-map')).toEqual([]);
  });

  test('a member of another organisation cannot record a run for this one', async () => {
    const stranger: Actor = { kind: 'user', email: 'someone@elsewhere.nhs.uk', name: 'S' };
    expect(await recordCollectorRun(deps, stranger, aRun())).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
  });
});
