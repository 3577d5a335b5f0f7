// The collectors through the API, on both engines: a CI job uploads inventories and infrastructure files with
// an organisation's token, and each call is recorded as dated evidence.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Actor } from '../../src/app/actor.ts';
import { createApiToken } from '../../src/app/create-api-token.ts';
import { importOsv } from '../../src/app/import-osv.ts';
import { registerOrganisation } from '../../src/app/register-organisation.ts';
import { readOsvDump } from '../../src/infra/osv-dump.ts';
import { ENGINES } from '../support/databases.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';
import { realCatalogue, startServer, type RunningServer } from '../support/web-server.ts';

const operator: Actor = { kind: 'operator', name: 'setup' };
const fixtures = path.join(import.meta.dirname, '..', 'fixtures');

describe.each(ENGINES)('collector API on %s', (engine) => {
  let deps: TestDeps;
  let server: RunningServer;
  let token: string;

  beforeEach(async () => {
    deps = await testDeps(engine, new Date().toISOString());
    server = await startServer({
      catalogue: await realCatalogue(),
      accounts: { deps, csrfKey: randomBytes(32) },
    });
    await registerOrganisation(deps, operator, {
      odsCode: 'X26001',
      name: 'Example Supplier Ltd',
      type: 'it-supplier-category-2',
    });
    const made = await createApiToken(deps, operator, { odsCode: 'X26001', name: 'CI' });
    if (!made.ok) throw new Error('no token');
    token = made.value.token;
  });
  afterEach(async () => {
    await server.close();
    await deps.db.drop();
  });

  const post = (url: string, form: FormData) =>
    fetch(`${server.baseUrl}/api/v1/organisations/X26001${url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });

  test('a vulnerability scan of an uploaded lock file finds lodash and is recorded as evidence', async () => {
    const imported = await importOsv(deps, operator, {
      label: 'fixtures',
      source: readOsvDump(path.join(fixtures, 'vulnerabilities', 'osv')),
    });
    expect(imported.ok).toBe(true);
    const form = new FormData();
    const lock = await readFile(
      path.join(fixtures, 'vulnerabilities', 'own', 'inventories', 'lodash-app.package-lock.json'),
    );
    form.append('sbom', new Blob([lock]), 'lodash-app.package-lock.json');
    const response = await post('/collectors/vulnerabilities', form);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { runId: string; metrics: Record<string, number> };
    expect(body.runId).toBeDefined();
    // lodash 4.17.20 is affected by the fixture's advisories; each is a finding.
    expect(body.metrics.findings).toBeGreaterThan(0);
    expect(body.metrics.components).toBeGreaterThan(0);
    const org = (await deps.store.organisations.findByOds('X26001'))!;
    expect(await deps.store.collectorRuns.list(org.id, 'vulnerabilities')).toHaveLength(1);
    const none = await post('/collectors/vulnerabilities', new FormData());
    expect(none.status).toBe(400);
  });

  test('a data map from uploaded Kubernetes manifests, and a DR test as JSON', async () => {
    const form = new FormData();
    const dir = path.join(fixtures, 'data-map', 'kubernetes');
    for (const f of await readdir(dir)) form.append('k8s', new Blob([await readFile(path.join(dir, f))]), f);
    const response = await post('/collectors/data-map', form);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { summary: string }).summary).toMatch(/\d+ data store/);

    const dr = await fetch(`${server.baseUrl}/api/v1/organisations/X26001/dr-tests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'functional',
        scenario: 'Restore the database',
        systems: ['Database'],
        testedOn: new Date().toISOString().slice(0, 10),
        rtoTargetSeconds: 14400,
        rtoMeasuredSeconds: 3600,
        rpoTargetSeconds: 86400,
        rpoMeasuredSeconds: 600,
        integrityConfirmed: true,
        result: 'pass',
        actions: [],
        approvedBy: 'SIRO',
        notes: null,
      }),
    });
    expect(dr.status).toBe(200);
    const list = await fetch(`${server.baseUrl}/api/v1/organisations/X26001/dr-tests`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await list.json()) as { tests: unknown[] }).tests).toHaveLength(1);
  });
});
