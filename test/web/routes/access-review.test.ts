// The access-review pages over real HTTP on both engines: the list, a review's findings and tasks, a task's
// accounts a page at a time, decisions with their errors, the bulk decision, sign-off into evidence and the
// report; a viewer reads without deciding, and another organisation's member finds nothing.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Actor } from '../../../src/app/actor.ts';
import { addMember } from '../../../src/app/add-member.ts';
import { listReviewItems } from '../../../src/app/list-review-items.ts';
import { registerOrganisation } from '../../../src/app/register-organisation.ts';
import { aLargeAccessReview, anAccessReview } from '../../support/access-reviews.ts';
import { ENGINES } from '../../support/databases.ts';
import { testDeps, type TestDeps } from '../../support/deps.ts';
import { aSignedInClient, Client } from '../../support/web-client.ts';
import {
  elementWith,
  mainOf,
  realCatalogue,
  startServer,
  textOf,
  titleOf,
  type RunningServer,
} from '../../support/web-server.ts';

const operator: Actor = { kind: 'operator', name: 'setup' };

describe.each(ENGINES)('access-review pages on %s', (engine) => {
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
  });
  afterEach(async () => {
    await server.close();
    await deps.db.drop();
  });

  const signedIn = (email: string, options: { operator?: boolean; name?: string } = {}) =>
    aSignedInClient(deps, server.baseUrl, email, options);
  const undecided = async (reviewId: string, task?: number) => {
    const page = await listReviewItems(deps, operator, {
      odsCode: 'A81001',
      review: reviewId,
      show: 'undecided',
      perPage: 1000,
      ...(task ? { task } : {}),
    });
    if (!page.ok) throw new Error(page.error.message);
    return page.value.items;
  };

  test('a reviewer works through the tasks, decides every account and signs off into evidence', async () => {
    const { review } = await anAccessReview(deps, operator, 'A81001');
    const client = await signedIn('olive@example.nhs.uk', { operator: true, name: 'Olive Operator' });
    const at = `/organisations/A81001/access-reviews/${review.id}`;

    expect((await client.request('/organisations/A81001')).html).toContain(
      'href="/organisations/A81001/access-reviews"',
    );
    const list = await client.request('/organisations/A81001/access-reviews');
    expect(list.status).toBe(200);
    const row = textOf(elementWith(list.html, 'tr', `href="${at}"`)!);
    expect(row).toBe('31 May 2026 Open 13 8 2 0 of 13');

    const page = await client.request(at);
    expect(titleOf(page.html)).toBe('Access review of 31 May 2026 - openDSPT');
    const findings = textOf(elementWith(page.html, 'dl', 'id="findings"')!);
    expect(findings).toContain('Leavers still enabled 2 more than 1 day after leaving; 1 disabled in time');
    expect(findings).toContain('Guest accounts with no HR match 1');
    expect(findings).toContain('Service accounts with no HR match 1');
    expect(findings).toMatch(/Privileged accounts without MFA \d+ All accounts without MFA \d+/);
    expect(findings).toContain('Role drift not checked: no role-to-group matrix was given');
    expect(findings).toMatch(/Training coverage \d+(\.\d)?% of \d+ active staff .* below the 95% threshold/);
    expect(textOf(page.html)).toContain('13 accounts still need a decision');
    expect(page.html).not.toContain(`href="${at}/sign-off"`);
    expect(textOf(elementWith(page.html, 'tr', 'data-task="1"')!)).toBe(
      'Task 1 Dr Asha Patel (IAO) Leavers and accounts nobody in HR owns 6 5 0 Not started',
    );
    expect(textOf(elementWith(page.html, 'table', 'id="inputs"')!)).toMatch(
      /HR export hr\.csv \d+ [0-9a-f]{64} Identity export \(entra-users\) entra-users\.json/,
    );

    // Task 1: the accounts with findings come first, each with its recommendation.
    const task = await client.request(`${at}/tasks/1`);
    expect(task.status).toBe(200);
    const logins = [...mainOf(task.html).matchAll(/data-login="([^"]+)"/g)].map((m) => m[1]);
    expect(logins).toHaveLength(6);
    expect(logins.at(-1)).toBe('asha.patel@riverside.nhs.uk');
    expect(textOf(elementWith(task.html, 'tr', 'data-login="dan.smith@riverside.nhs.uk"')!)).toMatch(
      /Leaver still enabled ?: left on 2026-03-31.* Remove ?: the person has left Not decided Decide/,
    );

    // A decision needs a choice and a reason; both errors are listed and shown by their fields.
    const [dan] = (await undecided(review.id, 1)).filter((i) => i.login === 'dan.smith@riverside.nhs.uk');
    const itemAt = `${at}/items/${dan!.id}`;
    const empty = await client.request(itemAt, { _csrf: await client.csrf(itemAt), justification: ' ' });
    expect(empty.status).toBe(400);
    expect(titleOf(empty.html)).toMatch(/^Error: /);
    const summary = textOf(elementWith(empty.html, 'div', 'nhsuk-error-summary')!);
    expect(summary).toContain('Select whether to keep, remove or change the access');
    expect(summary).toContain('Enter why, for example the ticket number');
    expect(empty.html).toContain('href="#decision"');
    expect(empty.html).toContain('id="justification-error"');

    const saved = await client.request(itemAt, {
      _csrf: await client.csrf(itemAt),
      decision: 'remove',
      justification: 'Left on 31 March; ticket INC-2231',
    });
    expect(saved.status).toBe(303);
    // On to the next undecided account of the task, which says the last one was saved.
    const nextId = (await undecided(review.id, 1))[0]!.id;
    expect(saved.location).toBe(`${at}/items/${nextId}?saved=${dan!.id}`);
    const next = await client.request(saved.location!);
    expect(textOf(next.html)).toContain('Your decision on dan.smith@riverside.nhs.uk was saved. 5 accounts');

    // Task 2: accept the "keep" recommendation for its clean account at once; a second time there is none left.
    const bulk = await client.request(`${at}/tasks/2`, {
      _csrf: await client.csrf(`${at}/tasks/2`),
      recommended: 'keep',
      justification: 'Still in post and needs this access',
    });
    expect(bulk).toMatchObject({ status: 303, location: `${at}/tasks/2?bulk=1&decision=keep` });
    expect(textOf((await client.request(bulk.location!)).html)).toContain('Decided 1 account: Keep');
    const again = await client.request(`${at}/tasks/2`, {
      _csrf: await client.csrf(`${at}/tasks/2`),
      recommended: 'keep',
      justification: 'Still in post',
    });
    expect(again.status).toBe(400);
    expect(textOf(again.html)).toContain('No account in this task is waiting for a decision');

    // Sign-off waits until every account is decided.
    const early = await client.request(`${at}/sign-off`);
    expect(textOf(early.html)).toContain('11 of 13 accounts have no decision yet');
    expect(early.html).not.toContain('name="role"');
    const refused = await client.request(`${at}/sign-off`, {
      _csrf: await client.csrf('/sign-out'),
      role: 'Information asset owner',
      confirm: 'yes',
    });
    expect(refused.status).toBe(400);
    expect(textOf(refused.html)).toContain('Some accounts have no decision yet');

    for (const item of await undecided(review.id)) {
      const href = `${at}/items/${item.id}`;
      const done = await client.request(href, {
        _csrf: await client.csrf(href),
        decision: item.recommendation,
        justification: `Agreed: ${item.reason}`,
      });
      expect(done.status, item.login).toBe(303);
    }
    const ready = await client.request(at);
    expect(ready.html).toContain(`href="${at}/sign-off"`);

    const incomplete = await client.request(`${at}/sign-off`, { _csrf: await client.csrf(`${at}/sign-off`) });
    expect(incomplete.status).toBe(400);
    expect(textOf(elementWith(incomplete.html, 'div', 'nhsuk-error-summary')!)).toBe(
      'There is a problem Enter your role, for example Information asset owner Confirm that every decision has been checked',
    );
    const signed = await client.request(`${at}/sign-off`, {
      _csrf: await client.csrf(`${at}/sign-off`),
      role: 'Information asset owner',
      confirm: 'yes',
    });
    expect(signed).toMatchObject({ status: 303, location: `${at}?signed=1` });

    const evidence = await client.request(signed.location!);
    const text = textOf(mainOf(evidence.html));
    expect(text).toContain('The review was signed off and recorded as evidence');
    expect(text).toMatch(/Signed off on \d+ \w+ \d{4} by Olive Operator, Information asset owner/);
    expect(text).toContain('recorded as evidence dated 31 May 2026');
    expect(text).toContain('It is linked to 4.1.1, 4.2.4');
    expect(textOf(elementWith(evidence.html, 'tr', 'data-target="4.1.1"')!)).toMatch(
      /^4\.1\.1 .* Evidenced /,
    );
    expect(textOf(elementWith(evidence.html, 'tr', 'data-target="3.2.1"')!)).toMatch(/ Gap .*below 95%/);
    // CAF outcomes are not shown to a GP practice, which is on the standards track.
    expect(evidence.html).not.toContain('data-target="B2.a"');

    const report = await fetch(`${server.baseUrl}${at}/report`, {
      headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    expect(report.status).toBe(200);
    expect(report.headers.get('content-security-policy')).toContain('sandbox');
    expect(await report.text()).toContain('<h1>Access review: Riverside Surgery (A81001)</h1>');

    const item = textOf(mainOf((await client.request('/organisations/A81001/items/4.1.1')).html));
    expect(item).toMatch(/Access review, 2026-05-31 \(report\) ?, dated 31 May 2026/);

    // Closed: the decision pages show the decision and accept no change.
    const closed = await client.request(itemAt);
    expect(closed.html).not.toContain('name="decision"');
    expect(textOf(closed.html)).toContain('Remove Left on 31 March; ticket INC-2231');
    const late = await client.request(itemAt, {
      _csrf: await client.csrf('/sign-out'),
      decision: 'keep',
      justification: 'Changed my mind',
    });
    expect(late.status).toBe(400);
    expect(textOf(late.html)).toContain('This review has been signed off');
    expect(await client.request(`${at}/sign-off`)).toMatchObject({ status: 303, location: at });
  });

  test('a large task is shown a hundred accounts a page, with findings first and filters', async () => {
    const { review } = await aLargeAccessReview(deps, operator, 'A81001', 250);
    const client = await signedIn('olive@example.nhs.uk', { operator: true });
    const at = `/organisations/A81001/access-reviews/${review.id}/tasks/2`;
    const first = await client.request(at);
    expect(mainOf(first.html).match(/data-login=/g)).toHaveLength(100);
    expect(textOf(first.html)).toContain('Accounts 1 to 100 of 250');
    expect(first.html).toContain(`href="${at}?page=2"`);
    expect(first.html).toContain(`href="${at}?page=3"`);
    expect(/data-login="([^"]+)"/.exec(first.html)?.[1]).toBe('person.00004@riverside.nhs.uk');
    const last = await client.request(`${at}?page=3`);
    expect(mainOf(last.html).match(/data-login=/g)).toHaveLength(50);
    expect(textOf(last.html)).toContain('Accounts 201 to 250 of 250');
    const findings = await client.request(`${at}?show=findings`);
    expect(mainOf(findings.html).match(/data-login=/g)).toHaveLength(36);
    expect(findings.html).toContain('<strong aria-current="page">Only accounts with findings</strong>');
    expect(findings.html).not.toContain('page=2');
    for (const bad of [`${at}?page=4`, `${at}?page=0`, `${at}?page=two`, `${at}?show=everything`])
      expect((await client.request(bad)).status, bad).toBe(400);
  });

  test('a viewer reads the review but records nothing; unknown reviews, tasks and accounts are not found', async () => {
    const { review } = await anAccessReview(deps, operator, 'A81001');
    await addMember(deps, operator, {
      odsCode: 'A81001',
      email: 'vic@riverside.nhs.uk',
      name: 'Vic',
      role: 'viewer',
    });
    const vic = await signedIn('vic@riverside.nhs.uk', { name: 'Vic' });
    const at = `/organisations/A81001/access-reviews/${review.id}`;
    const [item] = await undecided(review.id, 1);
    const task = await vic.request(`${at}/tasks/1`);
    expect(task.status).toBe(200);
    expect(task.html).not.toContain('name="recommended"');
    expect(textOf(task.html)).toContain('Your role lets you read this review but not record decisions');
    const page = await vic.request(`${at}/items/${item!.id}`);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('name="decision"');
    const attempt = await vic.request(`${at}/items/${item!.id}`, {
      _csrf: await vic.csrf('/sign-out'),
      decision: 'keep',
      justification: 'I think so',
    });
    expect(attempt.status).toBe(403);
    expect(await undecided(review.id)).toHaveLength(13);
    expect((await vic.request(`${at}/sign-off`)).status).toBe(403);

    for (const path of [
      '/organisations/A81001/access-reviews/00000000-0000-4000-8000-000000000000',
      `${at}/tasks/9`,
      `${at}/tasks/one`,
      `${at}/items/00000000-0000-4000-8000-000000000000`,
      `${at}/report`,
    ])
      expect((await vic.request(path)).status, path).toBe(404);
    const anonymous = new Client(server.baseUrl);
    expect(await anonymous.request(`${at}/tasks/1`)).toMatchObject({ status: 303, location: '/sign-in' });
  });
});
