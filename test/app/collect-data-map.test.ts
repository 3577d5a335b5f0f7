// The data-map collector end to end on both engines: the map and register become dated evidence linked to the
// data-mapping items, the next run is compared with it, secrets never reach the store, bad input writes nothing.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Actor } from '../../src/app/actor.ts';
import { collectDataMap, type InputFile } from '../../src/app/collect-data-map.ts';
import { getStatus } from '../../src/app/get-status.ts';
import { recordAnswer } from '../../src/app/record-answer.ts';
import { registerOrganisation } from '../../src/app/register-organisation.ts';
import { ENGINES } from '../support/databases.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';

const operator: Actor = { kind: 'operator', name: 'test' };
const FIXTURES = path.join(import.meta.dirname, '../fixtures/data-map');
const file = (name: string): InputFile => ({
  name: path.basename(name),
  bytes: readFileSync(path.join(FIXTURES, name)),
});
const shop = () => readdirSync(path.join(FIXTURES, 'kubernetes')).map((f) => file(`kubernetes/${f}`));

describe.each(ENGINES)('collectDataMap on %s', (engine) => {
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

  const rows = async (table: string) =>
    Number(
      (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(deps.db.db)).rows[0]
        ?.n,
    );

  test('a classified map is evidence for 1.1.2 and 7.1.1 and refreshes the register answer', async () => {
    await recordAnswer(deps, operator, {
      odsCode: 'A81001',
      itemId: '1.1.2',
      answer: { type: 'text', value: 'IAR' },
      effectiveDate: '2025-01-10',
    });
    const result = await collectDataMap(deps, operator, {
      odsCode: 'A81001',
      kubernetes: shop(),
      declaration: file('declaration.yaml'),
      effectiveDate: '2026-05-20',
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.recorded.linked).toEqual(['1.1.2', '7.1.1']);
    expect(
      result.value.map.flows.find(
        (f) => f.from === 'k8s:default/cartservice' && f.to === 'k8s:default/redis-cart',
      ),
    ).toMatchObject({ personal: true });
    const status = await getStatus(deps, operator, { odsCode: 'A81001', at: '2026-06-01' });
    expect(status.ok && status.value.status.items.find((i) => i.itemId === '1.1.2')).toMatchObject({
      state: 'met',
      factDate: '2026-05-20',
    });
  });

  test('unclassified stores are a gap: recorded, linked to nothing', async () => {
    const result = await collectDataMap(deps, operator, {
      odsCode: 'A81001',
      kubernetes: shop(),
      effectiveDate: '2026-05-20',
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.recorded.linked).toEqual([]);
    expect(result.value.recorded.run.verdicts.every((v) => v.verdict === 'gap')).toBe(true);
    expect(result.value.recorded.run.metrics).toMatchObject({ stores: 1, unclassified: 1, flows: 17 });
  });

  test('the second run is compared with the first; the stored report holds no secret', async () => {
    const first = await collectDataMap(deps, operator, {
      odsCode: 'A81001',
      kubernetes: shop(),
      effectiveDate: '2026-05-01',
    });
    expect(first.ok && first.value.diff.compared).toBe(false);
    const second = await collectDataMap(deps, operator, {
      odsCode: 'A81001',
      kubernetes: [...shop(), file('secrets.yaml')],
      terraform: [file('state-v4-with-secrets.tfstate'), file('show-json-with-secrets.json')],
      saasbom: [file('sbom/saasbom-apigateway-microservices-datastores.cdx.json')],
      effectiveDate: '2026-05-20',
    });
    if (!second.ok) throw new Error(second.error.message);
    expect(second.value.diff).toMatchObject({
      compared: true,
      storesRemoved: [],
      storesAdded: expect.arrayContaining([
        'k8s:clinical/records-db',
        'tf:aws_db_instance.patients',
        'cdx:ms-1-pgsql.example.com',
      ]),
      flowsAdded: expect.arrayContaining(['k8s:clinical/reports -> k8s:clinical/records-db']),
    });
    const org = (await deps.store.organisations.findByOds('A81001'))!;
    const stored = await Promise.all(
      [second.value.recorded.run.reportEvidenceId, second.value.recorded.run.htmlEvidenceId].map(
        async (id) => {
          const evidence = await deps.store.evidence.findById(org.id, id);
          return Buffer.from(await deps.blobs.get(evidence!.storageKey!)).toString();
        },
      ),
    );
    for (const text of stored) expect(text).not.toMatch(/S3cr3t|AKIA|BEGIN RSA|notify-live/);
    // The JSON export keeps the attributes, with the secrets replaced.
    expect(stored[0]).toContain('"password":"[redacted]"');
  });

  test.each<[string, () => Parameters<typeof collectDataMap>[2], RegExp, RegExp]>([
    [
      'an unknown state version',
      () => ({ odsCode: 'A81001', terraform: [file('terraform/invalid_version_state.json')] }),
      /invalid_version_state\.json: version/,
      /unknown Terraform state version 2/,
    ],
    [
      'a manifest that is not YAML',
      () => ({ odsCode: 'A81001', kubernetes: [{ name: 'bad.yaml', bytes: Buffer.from('kind: [') }] }),
      /bad\.yaml/,
      /not YAML/,
    ],
    [
      'a declared store that does not exist',
      () => ({
        odsCode: 'A81001',
        kubernetes: shop(),
        declaration: {
          name: 'declare.yaml',
          bytes: Buffer.from('stores:\n  - id: k8s:default/postgres\n    classification: personal\n'),
        },
      }),
      /declare\.yaml: stores\[0\]\.id/,
      /no data store "k8s:default\/postgres"/,
    ],
    ['no input at all', () => ({ odsCode: 'A81001' }), /inputs/, /at least one/],
    [
      'an unknown organisation',
      () => ({ odsCode: 'Z99999', kubernetes: shop() }),
      /Z99999/,
      /no organisation/,
    ],
  ])(
    'bad input (%s) is refused, naming file and element, and nothing is written',
    async (_label, input, where, message) => {
      const before = await Promise.all(['collector_runs', 'evidence', 'audit_events'].map(rows));
      const result = await collectDataMap(deps, operator, input());
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.where).toMatch(where);
      expect(result.error.message).toMatch(message);
      expect(await Promise.all(['collector_runs', 'evidence', 'audit_events'].map(rows))).toEqual(before);
    },
  );
});
