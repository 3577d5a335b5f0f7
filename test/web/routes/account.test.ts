// The account pages over real HTTP and real storage, on both engines: first set-up, enrolment, sign-in with
// the second factor, CSRF, lockout and sign-out, each with its failure path.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { generateSync } from 'otplib';
import { randomBytes } from 'node:crypto';
import { createSetupLink } from '../../../src/app/create-setup-link.ts';
import { ENGINES } from '../../support/databases.ts';
import { testDeps, type TestDeps } from '../../support/deps.ts';
import { Client } from '../../support/web-client.ts';
import { realCatalogue, startServer, textOf, type RunningServer } from '../../support/web-server.ts';

const PASSWORD = 'a long and unusual passphrase';

describe.each(ENGINES)('account pages on %s', (engine) => {
  let deps: TestDeps;
  let server: RunningServer;
  let client: Client;

  beforeEach(async () => {
    deps = await testDeps(engine, new Date().toISOString());
    server = await startServer({
      catalogue: await realCatalogue(),
      accounts: { deps, csrfKey: randomBytes(32) },
    });
    client = new Client(server.baseUrl);
  });
  afterEach(async () => {
    await server.close();
    await deps.db.drop();
  });

  const code = (secret: string) => generateSync({ secret });

  async function setUpOperator(): Promise<string> {
    const link = await createSetupLink(deps);
    if (!link.ok || !link.value) throw new Error('no set-up link');
    const path = `/setup/${link.value.token}`;
    const created = await client.request(path, {
      _csrf: await client.csrf(path),
      name: 'Olive Operator',
      email: 'olive@example.nhs.uk',
      password: PASSWORD,
    });
    expect(created).toMatchObject({ status: 303, location: '/account/mfa' });
    const enrol = await client.request('/account/mfa');
    const secret = /id="totp-key">([A-Z2-7 ]+)</.exec(enrol.html)![1]!.replaceAll(' ', '');
    expect(enrol.html).toContain('<svg role="img" aria-label="QR code');
    const wrong = await client.request('/account/mfa', {
      _csrf: await client.csrf('/account/mfa'),
      code: '123',
    });
    expect(wrong.status).toBe(400);
    expect(textOf(wrong.html)).toContain('There is a problem');
    const done = await client.request('/account/mfa', {
      _csrf: await client.csrf('/account/mfa'),
      code: code(secret),
    });
    expect(done.status).toBe(200);
    expect(done.html.match(/<li><code>[0-9a-f]{5}-[0-9a-f]{5}<\/code><\/li>/g)).toHaveLength(10);
    return secret;
  }

  test('first set-up, enrolment, sign-out and sign-in with a code', async () => {
    const secret = await setUpOperator();
    const home = await client.request('/');
    expect(textOf(home.html)).toContain('You are signed in as Olive Operator');
    expect((await client.request('/sign-out', { _csrf: await client.csrf('/sign-out') })).location).toBe(
      '/sign-in?signedOut=1',
    );
    expect(textOf((await client.request('/')).html)).not.toContain('You are signed in');

    const password = await client.request('/sign-in', {
      _csrf: await client.csrf('/sign-in'),
      email: 'OLIVE@example.nhs.uk',
      password: PASSWORD,
    });
    expect(password).toMatchObject({ status: 303, location: '/sign-in/code' });
    // A password alone is not a sign-in.
    expect(textOf((await client.request('/')).html)).not.toContain('You are signed in');
    const signedIn = await client.request('/sign-in/code', {
      _csrf: await client.csrf('/sign-in/code'),
      code: code(secret),
    });
    expect(signedIn).toMatchObject({ status: 303, location: '/' });
    expect(textOf((await client.request('/')).html)).toContain('You are signed in as Olive Operator');
  });

  test('a set-up link works once, and an unknown one is refused', async () => {
    const link = await createSetupLink(deps);
    const path = `/setup/${link.ok && link.value ? link.value.token : ''}`;
    await client.request(path, {
      _csrf: await client.csrf(path),
      name: 'Olive',
      email: 'olive@example.nhs.uk',
      password: PASSWORD,
    });
    expect((await client.request(path)).status).toBe(404);
    expect((await new Client(server.baseUrl).request('/setup/not-a-real-token')).status).toBe(404);
  });

  test('a form without the right CSRF token is refused with 403 and changes nothing', async () => {
    const link = await createSetupLink(deps);
    const path = `/setup/${link.ok && link.value ? link.value.token : ''}`;
    await client.csrf(path);
    for (const token of ['', 'forged-token'])
      expect(
        (
          await client.request(path, {
            _csrf: token,
            name: 'Mallory',
            email: 'm@example.nhs.uk',
            password: PASSWORD,
          })
        ).status,
      ).toBe(403);
    // A token from another browser does not fit this browser's cookie.
    const other = new Client(server.baseUrl);
    const stolen = await other.csrf('/sign-in');
    expect(
      (
        await client.request(path, {
          _csrf: stolen,
          name: 'Mallory',
          email: 'm@example.nhs.uk',
          password: PASSWORD,
        })
      ).status,
    ).toBe(403);
    expect(await deps.store.accounts.users.count()).toBe(0);
  });

  test('wrong passwords show the error summary, then lock the account', async () => {
    await setUpOperator();
    const fresh = new Client(server.baseUrl);
    let last = { status: 0, html: '' };
    for (let i = 0; i < 5; i++)
      last = await fresh.request('/sign-in', {
        _csrf: await fresh.csrf('/sign-in'),
        email: 'olive@example.nhs.uk',
        password: 'wrong password here',
      });
    expect(last.status).toBe(400);
    expect(textOf(last.html)).toContain('Enter a correct e-mail address and password');
    expect(last.html).toContain('<title>Error: Sign in - openDSPT</title>');
    const locked = await fresh.request('/sign-in', {
      _csrf: await fresh.csrf('/sign-in'),
      email: 'olive@example.nhs.uk',
      password: PASSWORD,
    });
    expect(textOf(locked.html)).toContain('This account is locked');
  });

  test('session cookies are HttpOnly, Secure, SameSite and host-only', async () => {
    const link = await createSetupLink(deps);
    const path = `/setup/${link.ok && link.value ? link.value.token : ''}`;
    const token = await client.csrf(path);
    const response = await fetch(server.baseUrl + path, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        _csrf: token,
        name: 'Olive',
        email: 'olive@example.nhs.uk',
        password: PASSWORD,
      }).toString(),
    });
    const session = response.headers.getSetCookie().find((c) => c.startsWith('__Host-dspt_session='));
    expect(session).toMatch(/; Path=\//);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; Secure/);
    expect(session).toMatch(/; SameSite=Lax/);
    expect(session).not.toMatch(/Domain=/i);
  });

  test('a password reset by e-mail: the same answer for unknown addresses, one use, every session ended', async () => {
    const secret = await setUpOperator();
    const reset = async (email: string) => {
      const other = new Client(server.baseUrl);
      return other.request('/password-reset', { _csrf: await other.csrf('/password-reset'), email });
    };
    const unknown = await reset('nobody@example.nhs.uk');
    const known = await reset('olive@example.nhs.uk');
    expect(textOf(unknown.html)).toBe(textOf(known.html));
    const messages = await deps.store.accounts.outbox.list();
    expect(messages.map((m) => m.to)).toEqual(['olive@example.nhs.uk']);
    const link = /\/password-reset\/[\w-]+/.exec(messages[0]!.body)![0];

    const stranger = new Client(server.baseUrl);
    const weak = await stranger.request(link, { _csrf: await stranger.csrf(link), password: 'password123' });
    expect(weak.status).toBe(400);
    expect(
      await stranger.request(link, {
        _csrf: await stranger.csrf(link),
        password: 'an entirely new passphrase',
      }),
    ).toMatchObject({ status: 303, location: '/sign-in?reset=1' });
    expect((await stranger.request(link)).status).toBe(404);
    // The operator's open session ended with the reset.
    expect(textOf((await client.request('/')).html)).not.toContain('You are signed in');
    const again = await client.request('/sign-in', {
      _csrf: await client.csrf('/sign-in'),
      email: 'olive@example.nhs.uk',
      password: 'an entirely new passphrase',
    });
    expect(again.location).toBe('/sign-in/code');
    expect(
      (
        await client.request('/sign-in/code', {
          _csrf: await client.csrf('/sign-in/code'),
          code: code(secret),
        })
      ).location,
    ).toBe('/');
  });
});
