// Organisation and assessment pages over real HTTP on both engines: registering an organisation, answering
// items (including an upload), the evidence download, and a member of one organisation finding nothing of
// another's anywhere.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Actor } from '../../../src/app/actor.ts';
import { addMember } from '../../../src/app/add-member.ts';
import { registerOrganisation } from '../../../src/app/register-organisation.ts';
import { ENGINES } from '../../support/databases.ts';
import { testDeps, type TestDeps } from '../../support/deps.ts';
import { aSignedInClient, Client } from '../../support/web-client.ts';
import { realCatalogue, startServer, textOf, type RunningServer } from '../../support/web-server.ts';

const operator: Actor = { kind: 'operator', name: 'setup' };

describe.each(ENGINES)('organisation and assessment pages on %s', (engine) => {
  let deps: TestDeps;
  let server: RunningServer;

  beforeEach(async () => {
    deps = await testDeps(engine, new Date().toISOString());
    server = await startServer({
      catalogue: await realCatalogue(),
      accounts: { deps, csrfKey: randomBytes(32) },
    });
  });
  afterEach(async () => {
    await server.close();
    await deps.db.drop();
  });

  const signedIn = (email: string, options: { operator?: boolean; name?: string } = {}) =>
    aSignedInClient(deps, server.baseUrl, email, options);

  test('a busy page is reused and gzipped, and still shows a new answer at once', async () => {
    const client = await signedIn('olive@example.nhs.uk', { operator: true });
    await registerOrganisation(deps, operator, { odsCode: 'A81001', name: 'Riverside', type: 'gp-practice' });
    const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const get = (encoding: string) =>
      fetch(`${server.baseUrl}/organisations/A81001`, { headers: { cookie, 'accept-encoding': encoding } });

    const first = await get('gzip');
    const firstHtml = await first.text();
    expect(first.headers.get('vary')).toBe('accept-encoding');
    const second = await get('gzip');
    expect(second.headers.get('content-encoding')).toBe('gzip');
    // fetch unzips the body: the same page as the first time.
    expect(await second.text()).toBe(firstHtml);
    const plain = await get('identity');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(firstHtml);
    expect(textOf(firstHtml)).toContain('0 of 29');

    const form = new FormData();
    form.set('_csrf', await client.csrf('/organisations/A81001/items/1.2.4'));
    form.set('answer', 'yes');
    expect((await client.request('/organisations/A81001/items/1.2.4', form)).status).toBe(303);
    expect(textOf(await (await get('gzip')).text())).toContain('1 of 29');
  });

  test('an operator registers a GP practice, answers items with an upload, and the status moves', async () => {
    const client = await signedIn('olive@example.nhs.uk', { operator: true });
    const bad = await client.request('/organisations/new', {
      _csrf: await client.csrf('/organisations/new'),
      odsCode: 'A8-1',
      name: 'Riverside Surgery',
      type: 'gp-practice',
    });
    expect(bad.status).toBe(400);
    expect(textOf(bad.html)).toContain('is not an ODS code');
    const created = await client.request('/organisations/new', {
      _csrf: await client.csrf('/organisations/new'),
      odsCode: 'A81001',
      name: 'Riverside Surgery',
      type: 'gp-practice',
      icoNumber: 'ZA123456',
    });
    expect(created).toMatchObject({ status: 303, location: '/organisations/A81001' });

    const home = textOf((await client.request('/organisations/A81001')).html);
    expect(home).toContain('Standards Not Met');
    expect(home).toContain('0 of 29');
    expect(home).toContain('1.1.1 ICO registration number: not answered yet');

    const tasks = await client.request('/organisations/A81001/tasks');
    expect(tasks.html.match(/href="\/organisations\/A81001\/items\/[\d.]+"/g)).toHaveLength(45);

    const yes = new FormData();
    yes.set('_csrf', await client.csrf('/organisations/A81001/items/1.2.4'));
    yes.set('answer', 'yes');
    expect(await client.request('/organisations/A81001/items/1.2.4', yes)).toMatchObject({
      status: 303,
      location: '/organisations/A81001/tasks?saved=1.2.4',
    });

    const missing = new FormData();
    missing.set('_csrf', await client.csrf('/organisations/A81001/items/1.2.4'));
    const refused = await client.request('/organisations/A81001/items/1.2.4', missing);
    expect(refused.status).toBe(400);
    expect(textOf(refused.html)).toContain('Select yes or no');

    const upload = new FormData();
    upload.set('_csrf', await client.csrf('/organisations/A81001/items/1.1.2'));
    upload.set('file', new Blob(['Information asset register, reviewed by the partners']), 'IAR 2026.pdf');
    upload.set('answer', '');
    expect((await client.request('/organisations/A81001/items/1.1.2', upload)).status).toBe(303);
    const item = await client.request('/organisations/A81001/items/1.1.2');
    expect(textOf(item.html), textOf(item.html).slice(0, 600)).toContain('Completed');
    const href = /href="(\/organisations\/A81001\/evidence\/[^"]+)"/.exec(item.html)?.[1];
    expect(href).toBeDefined();
    const download = await fetch(server.baseUrl + href!, {
      headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="IAR 2026.pdf"');
    expect(await download.text()).toBe('Information asset register, reviewed by the partners');

    expect(textOf((await client.request('/organisations/A81001')).html)).toContain('2 of 29');
  });

  test('a member of another organisation gets 404 for every page of this one, and anonymous users go to sign-in', async () => {
    await registerOrganisation(deps, operator, {
      odsCode: 'A81001',
      name: 'Riverside Surgery',
      type: 'gp-practice',
    });
    await registerOrganisation(deps, operator, {
      odsCode: 'B82002',
      name: 'Hillside Surgery',
      type: 'gp-practice',
    });
    await addMember(deps, operator, {
      odsCode: 'B82002',
      email: 'bea@hillside.nhs.uk',
      name: 'Bea',
      role: 'administrator',
    });
    const owner = await signedIn('olive@example.nhs.uk', { operator: true });
    const upload = new FormData();
    upload.set('_csrf', await owner.csrf('/organisations/A81001/items/1.1.2'));
    upload.set('file', new Blob(['secret register']), 'iar.pdf');
    await owner.request('/organisations/A81001/items/1.1.2', upload);
    const evidenceHref = /href="(\/organisations\/A81001\/evidence\/[^"]+)"/.exec(
      (await owner.request('/organisations/A81001/items/1.1.2')).html,
    )![1]!;

    const stranger = await signedIn('bea@hillside.nhs.uk');
    expect(textOf((await stranger.request('/')).html)).toContain('B82002 Hillside Surgery');
    expect(textOf((await stranger.request('/')).html)).not.toContain('A81001');
    for (const path of [
      '/organisations/A81001',
      '/organisations/A81001/tasks',
      '/organisations/A81001/items/1.1.2',
      evidenceHref,
    ])
      expect((await stranger.request(path)).status, path).toBe(404);
    const post = new FormData();
    post.set('_csrf', await stranger.csrf('/organisations/B82002/items/1.2.4'));
    post.set('answer', 'no');
    expect((await stranger.request('/organisations/A81001/items/1.2.4', post)).status).toBe(404);
    // Only an operator registers organisations.
    const attempt = await stranger.request('/organisations/new', {
      _csrf: await stranger.csrf('/sign-out'),
      odsCode: 'C83003',
      name: 'X',
      type: 'pharmacy',
    });
    expect(attempt.status).toBe(403);

    const anonymous = new Client(server.baseUrl);
    for (const path of [
      '/organisations/A81001',
      '/organisations/A81001/tasks',
      '/organisations/A81001/items/1.1.2',
      evidenceHref,
      '/organisations/new',
    ])
      expect(await anonymous.request(path), path).toMatchObject({ status: 303, location: '/sign-in' });
  });

  test('publishing: refused without a plan when not Met, refused to a contributor, a certificate for members only', async () => {
    await registerOrganisation(deps, operator, {
      odsCode: 'A81001',
      name: 'Riverside Surgery',
      type: 'gp-practice',
    });
    await registerOrganisation(deps, operator, {
      odsCode: 'B82002',
      name: 'Hillside Surgery',
      type: 'gp-practice',
    });
    await addMember(deps, operator, {
      odsCode: 'A81001',
      email: 'carl@riverside.nhs.uk',
      name: 'Carl',
      role: 'contributor',
    });
    await addMember(deps, operator, {
      odsCode: 'A81001',
      email: 'asha@riverside.nhs.uk',
      name: 'Dr Asha Patel',
      role: 'approver',
    });
    await addMember(deps, operator, {
      odsCode: 'B82002',
      email: 'bea@hillside.nhs.uk',
      name: 'Bea',
      role: 'administrator',
    });
    const publish = (client: Client) => async () =>
      client.request('/organisations/A81001/publish', {
        _csrf: await client.csrf('/sign-out'),
        kind: 'baseline',
        role: 'SIRO',
        confirm: 'yes',
      });

    const asha = await signedIn('asha@riverside.nhs.uk', { name: 'Dr Asha Patel' });
    const check = textOf((await asha.request('/organisations/A81001/publish')).html);
    expect(check).toContain('Draft the improvement plan above before publishing');
    const refused = await publish(asha)();
    expect(refused.status).toBe(400);
    expect(textOf(refused.html)).toContain('needs an improvement plan');
    expect(
      (
        await asha.request('/organisations/A81001/plan', {
          _csrf: await asha.csrf('/organisations/A81001/publish'),
          owner: 'Practice manager',
        })
      ).status,
    ).toBe(303);

    const carl = await signedIn('carl@riverside.nhs.uk');
    const byContributor = await publish(carl)();
    expect(byContributor.status).toBe(400);
    expect(textOf(byContributor.html)).toContain('Only an approver');

    const published = await publish(asha)();
    expect(published.status).toBe(303);
    const certificate = await asha.request(published.location!);
    expect(textOf(certificate.html)).toContain('Standards Not Met');
    expect(textOf(certificate.html)).toContain('Dr Asha Patel, SIRO');
    expect((await carl.request(published.location!)).status).toBe(200);

    const bea = await signedIn('bea@hillside.nhs.uk');
    expect((await bea.request(published.location!)).status).toBe(404);
    expect((await bea.request('/organisations/A81001/publish')).status).toBe(404);
    expect((await publish(bea)()).status).toBe(404);
  });

  test('a trust answers CAF outcomes by ticking indicators; the level is worked out and checked against the profile', async () => {
    await registerOrganisation(deps, operator, {
      odsCode: 'RXX',
      name: 'Example NHS Trust',
      type: 'nhs-trust',
    });
    const olive = await signedIn('olive@example.nhs.uk', { operator: true });
    const tasks = await olive.request('/organisations/RXX/tasks');
    expect(tasks.html.match(/href="\/organisations\/RXX\/outcomes\/[A-E]\d\.[a-z]"/g)).toHaveLength(47);
    const outcome = deps.catalogue.outcomes.get('A1.a')!;
    const form = new FormData();
    form.set('_csrf', await olive.csrf('/organisations/RXX/outcomes/A1.a'));
    for (const i of outcome.indicators.achieved) form.append('indicators', i.id);
    expect((await olive.request('/organisations/RXX/outcomes/A1.a', form)).location).toBe(
      '/organisations/RXX/tasks?saved=A1.a',
    );
    const page = textOf((await olive.request('/organisations/RXX/outcomes/A1.a')).html);
    expect(page).toContain('Your level Achieved');
    const bad = new FormData();
    bad.set('_csrf', await olive.csrf('/organisations/RXX/outcomes/A1.a'));
    bad.append('indicators', 'B2.a.A.1');
    const refused = await olive.request('/organisations/RXX/outcomes/A1.a', bad);
    expect(refused.status).toBe(400);
    expect(textOf(refused.html)).toContain('is not an indicator of A1.a');
    expect((await olive.request('/organisations/A81001/outcomes/A1.a')).status).toBe(404);
  });
});
