// A browser's cookie handling over fetch, for route tests that sign in and post forms.
import type { AccountDeps } from '../../src/app/account-deps.ts';
import { aUser, TEST_PASSWORD } from './accounts.ts';

export /** A browser's cookie jar, enough for one site. */
class Client {
  cookies = new Map<string, string>();
  constructor(private readonly base: string) {}
  async request(
    path: string,
    form?: Record<string, string> | FormData,
  ): Promise<{ status: number; location: string | null; html: string }> {
    const response = await fetch(this.base + path, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form && !(form instanceof FormData)
          ? { 'content-type': 'application/x-www-form-urlencoded' }
          : {}),
      },
      ...(form ? { body: form instanceof FormData ? form : new URLSearchParams(form).toString() } : {}),
    });
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, value] = pair!.split('=');
      if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') this.cookies.delete(name!);
      else this.cookies.set(name!, value!);
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      html: await response.text(),
    };
  }
  /** Loads a form page and returns its CSRF token. */
  async csrf(path: string): Promise<string> {
    const page = await this.request(path);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1];
    if (!token) throw new Error(`no CSRF token on ${path}`);
    return token;
  }
}

/**
 * Signs a user in through the real pages: password, then a current TOTP code. The user must exist with MFA
 * enrolled; `secret` is their TOTP secret.
 */
export async function signInAs(client: Client, email: string, password: string, code: string): Promise<void> {
  const first = await client.request('/sign-in', { _csrf: await client.csrf('/sign-in'), email, password });
  if (first.location !== '/sign-in/code') throw new Error(`sign-in failed for ${email}: ${first.status}`);
  const second = await client.request('/sign-in/code', { _csrf: await client.csrf('/sign-in/code'), code });
  if (second.location !== '/') throw new Error(`second factor failed for ${email}: ${second.status}`);
}

/** A new user with an enrolled authenticator, signed in through the real pages of the server at `baseUrl`. */
export async function aSignedInClient(
  deps: AccountDeps,
  baseUrl: string,
  email: string,
  options: { operator?: boolean; name?: string } = {},
): Promise<Client> {
  const user = await aUser(deps, { email, ...options });
  const client = new Client(baseUrl);
  await signInAs(client, email, TEST_PASSWORD, user.code());
  return client;
}
