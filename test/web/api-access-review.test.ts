// The access review through the API on both engines: a CI job uploads exports and gets a review started, then
// reads it a page at a time, records decisions and signs off; bad uploads are named by file and line, leave no
// temporary files behind and start nothing.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Actor } from '../../src/app/actor.ts';
import { createApiToken } from '../../src/app/create-api-token.ts';
import { registerOrganisation } from '../../src/app/register-organisation.ts';
import { ACCESS_REVIEW_FIXTURES } from '../support/access-reviews.ts';
import { ENGINES } from '../support/databases.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';
import { realCatalogue, startServer, type RunningServer } from '../support/web-server.ts';

const operator: Actor = { kind: 'operator', name: 'setup' };
const fixture = (name: string) => readFile(path.join(ACCESS_REVIEW_FIXTURES, name));

type Files = Record<string, [name: string, bytes: Uint8Array | string][] | undefined>;
/** A response body as JSON.parse types it: the tests index into it and compare it whole. */
type Json = ReturnType<typeof JSON.parse>;

async function entraFiles(): Promise<Files> {
  return {
    idp: [['entra-users.json', await fixture('entra-users.json')]],
    mfa: [['entra-mfa.json', await fixture('entra-mfa.json')]],
    hr: [['hr.csv', await fixture('hr.csv')]],
    training: [['training.csv', await fixture('training.csv')]],
  };
}

describe.each(ENGINES)('access-review API on %s', (engine) => {
  let deps: TestDeps;
  let server: RunningServer;
  let token: string;
  let scratch: string;
  const savedTmp = process.env.TMPDIR;

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
    const made = await createApiToken(deps, operator, { odsCode: 'A81001', name: 'CI' });
    if (!made.ok) throw new Error('no token');
    token = made.value.token;
    // The server runs in this process: a private TMPDIR shows what the upload leaves behind.
    scratch = await mkdtemp(path.join(tmpdir(), 'dspt-api-scratch-'));
    process.env.TMPDIR = scratch;
  });
  afterEach(async () => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await rm(scratch, { recursive: true, force: true });
    await server.close();
    await deps.db.drop();
  });

  const url = (p: string) => `${server.baseUrl}/api/v1/organisations/A81001${p}`;
  const upload = async (files: Files, values: Record<string, string> = {}) => {
    const form = new FormData();
    for (const [field, list] of Object.entries(files))
      for (const [name, bytes] of list ?? []) form.append(field, new Blob([bytes]), name);
    for (const [field, value] of Object.entries(values)) form.append(field, value);
    const response = await fetch(url('/collectors/access-review'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as Record<string, Json> };
  };
  const call = async (method: string, p: string, body?: unknown) => {
    const response = await fetch(url(p), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, Json> };
  };

  test('exports in, a review started: summary, fingerprints, tasks and the failOn findings', async () => {
    const files = await entraFiles();
    const started = await upload(files, {
      at: '2026-05-31',
      failOn: 'leaver,mfa,drift',
      assetOwner: 'Dr Asha Patel (IAO)',
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const b = started.body;
    expect(b.effectiveDate).toBe('2026-05-31');
    expect(b.tasks.map((t: { reviewer: string; items: number }) => [t.reviewer, t.items])).toEqual([
      ['Dr Asha Patel (IAO)', 6],
      ['Ben Jones <ben.jones@riverside.nhs.uk>', 4],
      ['Dr Asha Patel <asha.patel@riverside.nhs.uk>', 3],
    ]);
    const sha = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
    expect(b.inputs).toEqual([
      { role: 'hr', name: 'hr.csv', size: files.hr![0]![1].length, sha256: sha(files.hr![0]![1]) },
      {
        role: 'idp:entra-users',
        name: 'entra-users.json',
        size: files.idp![0]![1].length,
        sha256: sha(files.idp![0]![1]),
      },
      { role: 'mfa:entra-mfa', name: 'entra-mfa.json', size: expect.any(Number), sha256: expect.any(String) },
      { role: 'training', name: 'training.csv', size: expect.any(Number), sha256: expect.any(String) },
    ]);
    expect(b.summary.found).toMatchObject({ leaver: 2, 'no-mfa': 4 });
    // Role drift was asked for but there is none (no matrix), so only two findings fail the build.
    expect(b.failOn).toEqual(['2 leavers still enabled', '4 accounts without MFA']);
    expect(b.verdicts.find((v: { targetId: string }) => v.targetId === '4.2.1').verdict).toBe('gap');
    expect(await readdir(scratch)).toEqual([]);

    const list = await call('GET', '/access-reviews');
    expect(list.body.reviews).toHaveLength(1);
    expect(list.body.reviews[0]).toMatchObject({ id: b.reviewId, status: 'open' });
  });

  test('Okta users with factors uploaded one file per user', async () => {
    const dir = path.join(ACCESS_REVIEW_FIXTURES, 'okta-factors-per-user');
    const factors: [string, Uint8Array][] = [];
    for (const f of (await readdir(dir)).sort()) factors.push([f, await readFile(path.join(dir, f))]);
    const started = await upload(
      {
        idp: [['okta-users.json', await fixture('okta-users.json')]],
        mfa: factors,
        hr: [['hr.csv', await fixture('hr.csv')]],
      },
      { at: '2026-05-31' },
    );
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body.summary.source).toMatchObject({ format: 'okta-users', mfaFormat: 'okta-factors' });
    expect(started.body.inputs.filter((i: { role: string }) => i.role === 'mfa:okta-factors')).toHaveLength(
      factors.length,
    );
  });

  const truncated = async () => (await fixture('entra-users.json')).subarray(0, 900);
  test.each<[string, () => Promise<{ files: Partial<Files>; values?: Record<string, string> }>, RegExp]>([
    ['no HR export', async () => ({ files: { hr: [] } }), /^hr$/],
    [
      'a truncated identity export',
      async () => ({ files: { idp: [['users.json', await truncated()]] } }),
      /^users\.json:\d+$/,
    ],
    [
      'a path in a file name',
      async () => ({ files: { idp: [['../../etc/users.json', await truncated()]] } }),
      /^users\.json:\d+$/,
    ],
    ['an empty HR file', async () => ({ files: { hr: [['hr.csv', '']] } }), /^hr\.csv$/],
    [
      'an HR export separated by semicolons',
      async () => ({ files: { hr: [['people.csv', 'Name;Team\nAsha;GP\n']] } }),
      /^people\.csv:1$/,
    ],
    [
      'an HR export without an e-mail or employee number column',
      async () => ({ files: { hr: [['people.csv', 'Name,Team\nAsha,GP\n']] } }),
      /^people\.csv:1$/,
    ],
    ['an unknown failOn', async () => ({ files: {}, values: { failOn: 'leaver,typos' } }), /^failOn$/],
    ['an unknown format', async () => ({ files: {}, values: { format: 'ldif' } }), /^format$/],
    ['a date in the future', async () => ({ files: {}, values: { at: '2999-01-01' } }), /^at$/],
    ['a date that is not one', async () => ({ files: {}, values: { at: '31/05/2026' } }), /^at$/],
    ['negative leaver days', async () => ({ files: {}, values: { leaverDays: '-1' } }), /^leaverDays$/],
  ])('%s is refused with 400, naming where, and starts nothing', async (_name, make, where) => {
    const bad = await make();
    const result = await upload(
      { ...(await entraFiles()), ...bad.files },
      { at: '2026-05-31', ...bad.values },
    );
    expect(result.status, JSON.stringify(result.body)).toBe(400);
    expect(result.body.error.where).toMatch(where);
    expect(result.body.error.message).not.toBe('');
    expect(JSON.stringify(result.body)).not.toContain('dspt-access-review-');
    expect(await readdir(scratch)).toEqual([]);
    expect((await call('GET', '/access-reviews')).body.reviews).toEqual([]);
  });

  test('a review read a page at a time, decided through the API and signed off into evidence', async () => {
    const { body: started } = await upload(await entraFiles(), { at: '2026-05-31' });
    const id = started.reviewId as string;
    const page = await call('GET', `/access-reviews/${id.slice(0, 8)}?task=1&show=findings&perPage=2`);
    expect(page.status).toBe(200);
    expect(page.body.page).toEqual({ number: 1, perPage: 2, total: 5, pages: 3, show: 'findings' });
    expect(page.body.items.map((i: { login: string; task: number }) => [i.login, i.task])).toEqual([
      ['dan.smith@riverside.nhs.uk', 1],
      ['fgreen@riverside.nhs.uk', 1],
    ]);
    expect(page.body.tasks).toHaveLength(3);
    expect(page.body.evidence).toBeNull();
    for (const [query, where] of [
      ['?perPage=5000', 'perPage'],
      ['?show=some', 'show'],
      ['?task=0', 'task'],
      ['?colour=blue', 'body'],
    ])
      expect((await call('GET', `/access-reviews/${id}${query}`)).body.error.where, query).toBe(where);
    expect((await call('GET', `/access-reviews/${id}?task=7`)).status).toBe(404);

    const dan = page.body.items[0].id as string;
    for (const [body, where] of [
      [{ item: dan, decision: 'remove', justification: '  ' }, 'justification'],
      [{ item: dan, target: '1', decision: 'remove', justification: 'Left' }, 'item'],
      [{ decision: 'remove', justification: 'Left' }, 'item'],
      [{ item: dan, decision: 'delete', justification: 'Left' }, 'decision'],
    ] as const)
      expect((await call('POST', `/access-reviews/${id}/decisions`, body)).body.error?.where).toBe(where);
    const decided = await call('POST', `/access-reviews/${id}/decisions`, {
      item: dan,
      decision: 'remove',
      justification: 'Left on 31 March; ticket INC-2231',
    });
    expect(decided.body.decided).toEqual([
      { id: dan, login: 'dan.smith@riverside.nhs.uk', decision: 'remove' },
    ]);
    const bulk = await call('POST', `/access-reviews/${id}/decisions`, {
      target: '2',
      decision: 'keep',
      justification: 'Still in post',
    });
    expect(bulk.body.decided.map((i: { login: string }) => i.login)).toEqual(['jack.moss@riverside.nhs.uk']);

    const early = await call('POST', `/access-reviews/${id}/sign-off`, { reviewer: 'Dr Asha Patel, IAO' });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/^11 accounts have no decision yet/);

    const rest = await call('GET', `/access-reviews/${id}?show=undecided&perPage=1000`);
    for (const i of rest.body.items)
      expect(
        (
          await call('POST', `/access-reviews/${id}/decisions`, {
            item: i.id,
            decision: i.recommendation,
            justification: `Agreed: ${i.reason}`,
          })
        ).status,
      ).toBe(200);
    expect((await call('POST', `/access-reviews/${id}/sign-off`, { reviewer: ' ' })).body.error.where).toBe(
      'reviewer',
    );
    const signed = await call('POST', `/access-reviews/${id}/sign-off`, { reviewer: 'Dr Asha Patel, IAO' });
    expect(signed.status).toBe(200);
    expect(signed.body.review).toMatchObject({ status: 'signed-off', signedOffBy: 'Dr Asha Patel, IAO' });
    expect(signed.body.linked.sort()).toEqual(['4.1.1', '4.2.4']);
    const after = await call('GET', `/access-reviews/${id}`);
    expect(after.body.evidence).toMatchObject({ runId: signed.body.runId, effectiveDate: '2026-05-31' });
    const late = await call('POST', `/access-reviews/${id}/decisions`, {
      item: dan,
      decision: 'keep',
      justification: 'Changed my mind',
    });
    expect(late.status).toBe(409);
  });
});
