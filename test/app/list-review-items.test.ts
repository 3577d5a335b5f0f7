// The access review as its pages read it, on both engines: a page of accounts with findings first, the
// filters, one item by its ID, a decision on one item, and the overview once the review is evidence.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Actor } from '../../src/app/actor.ts';
import { addMember } from '../../src/app/add-member.ts';
import { decideReviewItem } from '../../src/app/decide-review-item.ts';
import { getAccessReviewOverview } from '../../src/app/get-access-review-overview.ts';
import { getReviewItem } from '../../src/app/get-review-item.ts';
import { listReviewItems } from '../../src/app/list-review-items.ts';
import { registerOrganisation } from '../../src/app/register-organisation.ts';
import { signOffAccessReview } from '../../src/app/sign-off-access-review.ts';
import { aLargeAccessReview, anAccessReview } from '../support/access-reviews.ts';
import { ENGINES } from '../support/databases.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';

const operator: Actor = { kind: 'operator', name: 'test' };
const viewer: Actor = { kind: 'user', email: 'vic@riverside.nhs.uk', name: 'Vic' };
const stranger: Actor = { kind: 'user', email: 'sam@elsewhere.nhs.uk', name: 'Sam' };

describe.each(ENGINES)('review pages on %s', (engine) => {
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

  test('a page lists accounts with findings first, counts every match, and filters', async () => {
    const { review } = await aLargeAccessReview(deps, operator, 'A81001', 250);
    const first = await listReviewItems(deps, operator, {
      odsCode: 'A81001',
      review: review.id,
      task: 2,
      perPage: 100,
    });
    if (!first.ok) throw new Error(first.error.message);
    // 250 people report to the manager; every seventh (36 of them) has no MFA.
    expect(first.value).toMatchObject({ total: 250, pages: 3, page: 1, show: 'all' });
    expect(first.value.items).toHaveLength(100);
    const withFindings = first.value.items.filter((i) => i.findings.length > 0);
    expect(withFindings).toHaveLength(36);
    expect(first.value.items.slice(0, 36)).toEqual(withFindings);
    expect(first.value.items[0]!.login).toBe('person.00004@riverside.nhs.uk');
    // Clean accounts follow in the order of the export.
    expect(first.value.items[36]!.login).toBe('person.00001@riverside.nhs.uk');

    const last = await listReviewItems(deps, operator, {
      odsCode: 'A81001',
      review: review.id,
      task: 2,
      page: 3,
    });
    expect(last.ok && last.value.items.map((i) => i.login).at(-1)).toBe('person.00250@riverside.nhs.uk');
    expect(last.ok && last.value.items).toHaveLength(50);

    const findings = await listReviewItems(deps, operator, {
      odsCode: 'A81001',
      review: review.id.slice(0, 8),
      show: 'findings',
    });
    expect(findings.ok && findings.value.total).toBe(36);
    expect(findings.ok && findings.value.task).toBeNull();

    const target = first.value.items[0]!;
    const decided = await decideReviewItem(deps, operator, {
      odsCode: 'A81001',
      review: review.id,
      target: '',
      itemId: target.id,
      decision: 'change',
      justification: 'Asked to register the Authenticator app',
    });
    expect(decided.ok && decided.value.decided.map((i) => i.login)).toEqual([target.login]);
    const undecided = await listReviewItems(deps, operator, {
      odsCode: 'A81001',
      review: review.id,
      task: 2,
      show: 'undecided',
      perPage: 1,
    });
    expect(undecided.ok && undecided.value).toMatchObject({ total: 249, pages: 249 });
    expect(undecided.ok && undecided.value.items[0]!.login).toBe('person.00011@riverside.nhs.uk');
  });

  test.each([
    [{ page: 0 }, 'page'],
    [{ perPage: 1001 }, 'perPage'],
    [{ show: 'everything' as never }, 'show'],
  ])('a bad page request %j is refused, naming %s', async (bad, where) => {
    const { review } = await anAccessReview(deps, operator, 'A81001');
    expect(
      await listReviewItems(deps, operator, { odsCode: 'A81001', review: review.id, ...bad }),
    ).toMatchObject({
      ok: false,
      error: { kind: 'bad-input', where },
    });
  });

  test('a task or item that does not exist, and another organisation, are not found', async () => {
    const { review } = await anAccessReview(deps, operator, 'A81001');
    expect(
      await listReviewItems(deps, operator, { odsCode: 'A81001', review: review.id, task: 9 }),
    ).toMatchObject({
      ok: false,
      error: { kind: 'not-found', where: 'task 9' },
    });
    expect(
      await getReviewItem(deps, operator, { odsCode: 'A81001', review: review.id, item: 'x' }),
    ).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
    expect(
      await decideReviewItem(deps, operator, {
        odsCode: 'A81001',
        review: review.id,
        target: '1',
        itemId: 'nothing',
        decision: 'keep',
        justification: 'x',
      }),
    ).toMatchObject({ ok: false, error: { kind: 'not-found', where: 'item nothing' } });
    for (const call of [
      listReviewItems(deps, stranger, { odsCode: 'A81001', review: review.id }),
      getAccessReviewOverview(deps, stranger, { odsCode: 'A81001', review: review.id }),
    ])
      expect(await call).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });

  test('the overview says who may decide, and after sign-off carries the run that made it evidence', async () => {
    const { review } = await anAccessReview(deps, operator, 'A81001');
    await addMember(deps, operator, {
      odsCode: 'A81001',
      email: viewer.kind === 'user' ? viewer.email : '',
      name: 'Vic',
      role: 'viewer',
    });
    const asViewer = await getAccessReviewOverview(deps, viewer, { odsCode: 'A81001', review: review.id });
    expect(asViewer.ok && asViewer.value).toMatchObject({ canDecide: false, run: null });
    const listed = await listReviewItems(deps, operator, {
      odsCode: 'A81001',
      review: review.id,
      perPage: 1000,
    });
    if (!listed.ok) throw new Error(listed.error.message);
    const item = await getReviewItem(deps, viewer, {
      odsCode: 'A81001',
      review: review.id,
      item: listed.value.items[0]!.id,
    });
    expect(item.ok && item.value.task.number).toBe(listed.value.taskNumbers[listed.value.items[0]!.taskId]);
    for (const i of listed.value.items)
      await decideReviewItem(deps, operator, {
        odsCode: 'A81001',
        review: review.id,
        target: '',
        itemId: i.id,
        decision: i.recommendation,
        justification: 'Agreed',
      });
    const signed = await signOffAccessReview(deps, operator, {
      odsCode: 'A81001',
      reviewer: 'Dr Asha Patel',
    });
    if (!signed.ok) throw new Error(signed.error.message);
    const after = await getAccessReviewOverview(deps, operator, { odsCode: 'A81001', review: review.id });
    expect(after.ok && after.value).toMatchObject({
      canDecide: true,
      review: { status: 'signed-off' },
      run: { id: signed.value.recorded.run.id, effectiveDate: '2026-05-31' },
    });
  });
});
