// The JSON API over real HTTP on both engines: a token made on the page, answers and evidence pushed as a
// CI job would, the status read back, bad bodies named, revocation, and the OpenAPI document.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Actor } from '../../src/app/actor.ts';
import { addMember } from '../../src/app/add-member.ts';
import { registerOrganisation } from '../../src/app/register-organisation.ts';
import { aUser, TEST_PASSWORD } from '../support/accounts.ts';
import { ENGINES } from '../support/databases.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';
import { Client, signInAs } from '../support/web-client.ts';
import { realCatalogue, startServer, type RunningServer } from '../support/web-server.ts';
import { ROUTE_TABLE } from '../../src/web/server.ts';

const operator: Actor = { kind: 'operator', name: 'setup' };

describe.each(ENGINES)('API v1 on %s', (engine) => {
  let deps: TestDeps;
  let server: RunningServer;

  beforeEach(async () => {
    deps = await testDeps(engine, new Date().toISOString());
    server = await startServer({
      catalogue: await realCatalogue(),
      accounts: { deps, csrfKey: randomBytes(32) },
    });
    await registerOrganisation(deps, operator, {
      odsCode: 'A81001',
      name: 'Riverside Surgery',
      type: 'gp-practice',
    });
    await addMember(deps, operator, {
      odsCode: 'A81001',
      email: 'ada@riverside.nhs.uk',
      name: 'Ada',
      role: 'administrator',
    });
  });
  afterEach(async () => {
    await server.close();
    await deps.db.drop();
  });

  async function tokenFromPage(): Promise<{ token: string; admin: Client }> {
    const user = await aUser(deps, { email: 'ada@riverside.nhs.uk' });
    const admin = new Client(server.baseUrl);
    await signInAs(admin, user.email, TEST_PASSWORD, user.code());
    const made = await admin.request('/organisations/A81001/api-tokens', {
      _csrf: await admin.csrf('/organisations/A81001/api-tokens'),
      name: 'CI pipeline',
    });
    const token = /id="new-token">(dspt_[\w-]+)</.exec(made.html)?.[1];
    if (!token) throw new Error('no token shown');
    return { token, admin };
  }
  const api = (token: string | undefined, method: string, path: string, body?: unknown) =>
    fetch(`${server.baseUrl}/api/v1/organisations/A81001${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  test('a CI job pushes answers and evidence with a token, reads the status, and loses access when revoked', async () => {
    const { token, admin } = await tokenFromPage();
    // The token is shown once and stored only as a hash.
    const [stored] = await deps.store.accounts.apiTokens.listByOrganisation(
      (await deps.store.organisations.findByOds('A81001'))!.id,
    );
    expect(stored!.tokenHash).not.toContain(token.slice(5, 20));

    expect((await api(token, 'PUT', '/answers/1.2.4', { answer: true })).status).toBe(200);
    expect((await api(token, 'PUT', '/answers/3.2.1', { answer: true, metric: 97 })).status).toBe(200);
    const bad = await api(token, 'PUT', '/answers/3.2.1', { answer: true, metric: 'lots' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { kind: 'bad-input', where: 'metric' } });
    const wrongType = await api(token, 'PUT', '/answers/3.2.1', { answer: 'most of them' });
    expect(await wrongType.json()).toMatchObject({
      error: { message: 'item 3.2.1 expects a yes or no answer' },
    });

    const form = new FormData();
    form.set('file', new Blob(['register']), 'iar.csv');
    const upload = await fetch(`${server.baseUrl}/api/v1/organisations/A81001/evidence/1.1.2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(upload.status).toBe(200);
    expect(await upload.json()).toMatchObject({
      itemId: '1.1.2',
      answer: { type: 'document', value: 'iar.csv' },
    });

    const status = (await (await api(token, 'GET', '/status')).json()) as {
      label: string;
      progress: { done: number };
    };
    expect(status).toMatchObject({ label: 'Standards Not Met', progress: { done: 3 } });
    expect(await (await api(token, 'GET', '/export?format=csv')).text()).toContain('item,3.2.1,yes-no,yes');

    const id = /api-tokens\/([\w-]+)\/revoke/.exec(
      (await admin.request('/organisations/A81001/api-tokens')).html,
    )![1]!;
    expect(
      (
        await admin.request(`/organisations/A81001/api-tokens/${id}/revoke`, {
          _csrf: await admin.csrf('/organisations/A81001/api-tokens'),
        })
      ).status,
    ).toBe(303);
    expect((await api(token, 'GET', '/status')).status).toBe(401);
  });

  test('without a token, or with a made-up one, every call is 401', async () => {
    for (const t of [undefined, 'dspt_madeup', 'not-even-a-token'])
      expect((await api(t, 'GET', '/status')).status).toBe(401);
  });

  test('the OpenAPI document describes every endpoint with the request schemas', async () => {
    const doc = (await (await fetch(`${server.baseUrl}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: { properties?: object } }> } }>
      >;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/organisations/{ods}/status',
        '/api/v1/organisations/{ods}/collectors/vulnerabilities',
        '/api/v1/organisations/{ods}/collectors/data-map',
        '/api/v1/organisations/{ods}/dr-tests',
      ]),
    );
    // Every API route the server answers is in the document, with its method, and nothing else is.
    const served = server.app[ROUTE_TABLE].filter(
      (r) => r.url.startsWith('/api/v1/') && r.url !== '/api/v1/openapi.json',
    ).map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths).flatMap(([url, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${url}`),
    );
    expect(documented.sort()).toEqual(served.sort());
    expect(
      doc.paths['/api/v1/organisations/{ods}/answers/{id}']!.put!.requestBody!.content['application/json']!
        .schema.properties,
    ).toHaveProperty('metric');
  });
});
