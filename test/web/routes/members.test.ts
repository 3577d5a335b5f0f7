// Members and invitations over real HTTP on both engines: an administrator invites, the invitee joins with a
// password and an authenticator, and nobody else can invite into or read another organisation.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { generateSync } from 'otplib';
import type { Actor } from '../../../src/app/actor.ts';
import { addMember } from '../../../src/app/add-member.ts';
import { INVITATION_DAYS, inviteMember } from '../../../src/app/invite-member.ts';
import { listInvitations } from '../../../src/app/list-invitations.ts';
import { registerOrganisation } from '../../../src/app/register-organisation.ts';
import { ENGINES } from '../../support/databases.ts';
import { testDeps, type TestDeps } from '../../support/deps.ts';
import { TEST_PASSWORD } from '../../support/accounts.ts';
import { aSignedInClient, Client } from '../../support/web-client.ts';
import {
  elementWith,
  realCatalogue,
  startServer,
  textOf,
  type RunningServer,
} from '../../support/web-server.ts';

const operator: Actor = { kind: 'operator', name: 'setup' };

describe.each(ENGINES)('members and invitations on %s', (engine) => {
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
    await registerOrganisation(deps, operator, {
      odsCode: 'B82002',
      name: 'Hillside Surgery',
      type: 'gp-practice',
    });
    await addMember(deps, operator, {
      odsCode: 'A81001',
      email: 'ada@riverside.nhs.uk',
      name: 'Ada',
      role: 'administrator',
    });
    await addMember(deps, operator, {
      odsCode: 'A81001',
      email: 'carl@riverside.nhs.uk',
      name: 'Carl',
      role: 'contributor',
    });
    await addMember(deps, operator, {
      odsCode: 'B82002',
      email: 'bea@hillside.nhs.uk',
      name: 'Bea',
      role: 'administrator',
    });
  });
  afterEach(async () => {
    await server.close();
    await deps.db.drop();
  });

  const signedIn = (email: string, options: { operator?: boolean; name?: string } = {}) =>
    aSignedInClient(deps, server.baseUrl, email, options);
  const invite = async (client: Client, ods: string, email: string, role: string) =>
    client.request(`/organisations/${ods}/members`, { _csrf: await client.csrf('/sign-out'), email, role });

  test('an administrator invites; the invitee sets a password, enrols an authenticator and sees the organisation', async () => {
    const ada = await signedIn('ada@riverside.nhs.uk');
    expect(await invite(ada, 'A81001', 'new-starter', 'contributor')).toMatchObject({ status: 400 });
    expect(await invite(ada, 'A81001', 'Dee@Riverside.nhs.uk', 'approver')).toMatchObject({ status: 303 });
    expect(
      textOf((await ada.request('/organisations/A81001/members?invited=dee%40riverside.nhs.uk')).html),
    ).toContain('Invitation sent to dee@riverside.nhs.uk');
    const waiting = () =>
      ada
        .request('/organisations/A81001/members')
        .then((r) => elementWith(r.html, 'table', 'id="invitations"'));
    expect(textOf((await waiting()) ?? '')).toContain('dee@riverside.nhs.uk Approver');

    const [message] = await deps.store.accounts.outbox.list();
    expect(message).toMatchObject({
      to: 'dee@riverside.nhs.uk',
      subject: 'You are invited to Riverside Surgery on openDSPT',
      sentAt: null,
    });
    const link = /\/invitations\/[\w-]+/.exec(message!.body)![0];

    const dee = new Client(server.baseUrl);
    expect(textOf((await dee.request(link)).html)).toContain('Join Riverside Surgery');
    const weak = await dee.request(link, { _csrf: await dee.csrf(link), name: 'Dee', password: 'short' });
    expect(weak.status).toBe(400);
    expect(
      await dee.request(link, { _csrf: await dee.csrf(link), name: 'Dee Approver', password: TEST_PASSWORD }),
    ).toMatchObject({ status: 303, location: '/account/mfa' });
    expect((await new Client(server.baseUrl).request(link)).status).toBe(404); // used once

    const enrol = await dee.request('/account/mfa');
    const secret = /id="totp-key">([A-Z2-7 ]+)</.exec(enrol.html)![1]!.replaceAll(' ', '');
    expect(
      (
        await dee.request('/account/mfa', {
          _csrf: await dee.csrf('/account/mfa'),
          code: generateSync({ secret }),
        })
      ).status,
    ).toBe(200);
    const home = textOf((await dee.request('/')).html);
    expect(home).toContain('A81001 Riverside Surgery');
    expect(home).not.toContain('B82002');
    expect(textOf((await dee.request('/organisations/A81001/members')).html)).toContain(
      'Dee Approver dee@riverside.nhs.uk Approver',
    );
    // Accepted: no longer waiting.
    expect(await waiting()).toBeUndefined();
  });

  test('invitations wait, for members of that organisation only, until their link runs out', async () => {
    const invite = (email: string, odsCode = 'A81001') =>
      inviteMember(deps, operator, { odsCode, email, role: 'viewer', baseUrl: server.baseUrl });
    expect((await invite('vic@riverside.nhs.uk')).ok).toBe(true);
    expect((await invite('hal@hillside.nhs.uk', 'B82002')).ok).toBe(true);
    const carl = { kind: 'user', email: 'carl@riverside.nhs.uk', name: 'Carl' } as const;
    const waiting = await listInvitations(deps, carl, { odsCode: 'A81001' });
    expect(waiting.ok && waiting.value.map((i) => [i.email, i.role])).toEqual([
      ['vic@riverside.nhs.uk', 'viewer'],
    ]);
    expect(await listInvitations(deps, carl, { odsCode: 'B82002' })).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });

    deps.setNow(new Date(Date.now() + (INVITATION_DAYS + 1) * 86_400_000).toISOString());
    expect(await listInvitations(deps, carl, { odsCode: 'A81001' })).toEqual({ ok: true, value: [] });
  });

  test('only administrators invite, only into their own organisation; only operators read the outbox', async () => {
    const carl = await signedIn('carl@riverside.nhs.uk');
    expect((await invite(carl, 'A81001', 'x@riverside.nhs.uk', 'viewer')).status).toBe(403);
    expect(textOf((await carl.request('/organisations/A81001/members')).html)).not.toContain(
      'Send invitation',
    );
    const bea = await signedIn('bea@hillside.nhs.uk');
    expect((await invite(bea, 'A81001', 'x@riverside.nhs.uk', 'administrator')).status).toBe(404);
    expect((await bea.request('/organisations/A81001/members')).status).toBe(404);
    expect((await bea.request('/outbox')).status).toBe(404);
    expect(await deps.store.accounts.outbox.list()).toEqual([]);
    const olive = await signedIn('olive@example.nhs.uk', { operator: true });
    expect((await olive.request('/outbox')).status).toBe(200);
  });
});
