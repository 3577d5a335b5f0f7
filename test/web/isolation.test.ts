// Walks the whole route table: for every route that belongs to an organisation, a member of another
// organisation gets 404 or 403 and an anonymous visitor is sent to sign-in; a route added later without
// these checks fails here without anyone having to remember to test it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Actor } from '../../src/app/actor.ts';
import { addMember } from '../../src/app/add-member.ts';
import { publishAssessment } from '../../src/app/publish-assessment.ts';
import { recordAnswer } from '../../src/app/record-answer.ts';
import { registerOrganisation } from '../../src/app/register-organisation.ts';
import { draftPlan } from '../../src/app/draft-plan.ts';
import { createApiToken } from '../../src/app/create-api-token.ts';
import { ROUTE_TABLE } from '../../src/web/server.ts';
import { aUser, TEST_PASSWORD } from '../support/accounts.ts';
import { anAccessReview } from '../support/access-reviews.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';
import { Client, signInAs } from '../support/web-client.ts';
import { realCatalogue, startServer, type RunningServer } from '../support/web-server.ts';

const operator: Actor = { kind: 'operator', name: 'setup' };

/** Routes anyone may reach without signing in. */
const PUBLIC = [
  /^\/api\/v1\/openapi\.json$/,
  /^\/$/,
  /^\/healthz$/,
  /^\/assets\//,
  /^\/catalogue/,
  /^\/sign-in/,
  /^\/setup\//,
  /^\/invitations\//,
  /^\/password-reset/,
  /^\/account\/mfa$/,
  /^\/sign-out$/,
];

let deps: TestDeps;
let server: RunningServer;
const ids: Record<string, string> = {};

beforeAll(async () => {
  deps = await testDeps('sqlite', new Date().toISOString());
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
    odsCode: 'B82002',
    email: 'bea@hillside.nhs.uk',
    name: 'Bea',
    role: 'administrator',
  });
  const answer = await recordAnswer(deps, operator, {
    odsCode: 'A81001',
    itemId: '1.1.2',
    answer: { type: 'file', fileName: 'iar.pdf', bytes: new TextEncoder().encode('register') },
  });
  if (!answer.ok || answer.value.answer.type !== 'document') throw new Error('setup failed');
  ids.evidence = answer.value.answer.evidenceId!;
  await draftPlan(deps, operator, { odsCode: 'A81001', owner: 'Practice manager' });
  const published = await publishAssessment(deps, operator, {
    odsCode: 'A81001',
    kind: 'baseline',
    signerName: 'A',
    signerRole: 'SIRO',
  });
  if (!published.ok) throw new Error('setup failed');
  ids.publication = published.value.id;
  // A real review and account of A81001, so its routes are probed with IDs that exist.
  const review = await anAccessReview(deps, operator, 'A81001');
  ids.review = review.review.id;
  const [firstItem] = await deps.store.accessReviews.items(review.review.id);
  ids.reviewItem = firstItem!.id;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await deps?.db.drop();
});

function concrete(url: string): string {
  return url
    .replace(':ods', 'A81001')
    .replace(/\/items\/:id/, '/items/1.1.2')
    .replace(/\/outcomes\/:id/, '/outcomes/A1.a')
    .replace(/\/answers\/:id/, '/answers/1.2.4')
    .replace(/\/evidence\/:id/, `/evidence/${ids.evidence}`)
    .replace(/\/publications\/:id/, `/publications/${ids.publication}`)
    .replace(':review', ids.review!)
    .replace(':task', '1')
    .replace(':item', ids.reviewItem!)
    .replace(/:\w+/g, 'x');
}

describe('route isolation', () => {
  test('every private route: 404 or 403 for another organisation, sign-in for anonymous visitors', async () => {
    const table = server.app[ROUTE_TABLE].filter((r) => !PUBLIC.some((p) => p.test(r.url)));
    expect(table.length).toBeGreaterThan(10);
    const user = await aUser(deps, { email: 'bea@hillside.nhs.uk', name: 'Bea' });
    const stranger = new Client(server.baseUrl);
    await signInAs(stranger, user.email, TEST_PASSWORD, user.code());
    const anonymous = new Client(server.baseUrl);
    const strangerToken = await stranger.csrf('/sign-out');
    const anonymousToken = await anonymous.csrf('/sign-in');
    const failures: string[] = [];
    const strangerApiToken = await createApiToken(deps, operator, { odsCode: 'B82002', name: 'CI' });
    if (!strangerApiToken.ok) throw new Error('setup failed');
    for (const route of table.filter((r) => r.url.startsWith('/api/'))) {
      const path = concrete(route.url);
      const call = (headers: Record<string, string>) =>
        fetch(server.baseUrl + path, {
          method: route.method,
          headers: { 'content-type': 'application/json', ...headers },
          ...(route.method === 'GET' ? {} : { body: '{}' }),
        });
      const asStranger = await call({ authorization: `Bearer ${strangerApiToken.value.token}` });
      if (![403, 404].includes(asStranger.status))
        failures.push(`${route.method} ${path} with another organisation's token: ${asStranger.status}`);
      const asAnonymous = await call({});
      if (asAnonymous.status !== 401)
        failures.push(`${route.method} ${path} without a token: ${asAnonymous.status}`);
    }
    for (const route of table.filter((r) => !r.url.startsWith('/api/'))) {
      const path = concrete(route.url);
      const post = route.method === 'POST';
      const asStranger = await stranger.request(
        path,
        post
          ? {
              _csrf: strangerToken,
              answer: 'yes',
              email: 'x@example.nhs.uk',
              role: 'viewer',
              odsCode: 'C83003',
              name: 'X',
              type: 'pharmacy',
            }
          : undefined,
      );
      if (![403, 404].includes(asStranger.status))
        failures.push(`${route.method} ${path} as a member of another organisation: ${asStranger.status}`);
      const asAnonymous = await anonymous.request(path, post ? { _csrf: anonymousToken } : undefined);
      if (!(
        asAnonymous.status === 401 ||
        (asAnonymous.status === 303 && asAnonymous.location === '/sign-in')
      ))
        failures.push(
          `${route.method} ${path} anonymously: ${asAnonymous.status} ${asAnonymous.location ?? ''}`,
        );
    }
    expect(failures).toEqual([]);
  });
});
