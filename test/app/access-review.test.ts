// The access review on both engines: a run becomes reviewer tasks, decisions are recorded with their
// justification and audit events, and sign-off turns it into dated evidence linked to the items it supports.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import type { Actor } from '../../src/app/actor.ts';
import { decideReviewItem } from '../../src/app/decide-review-item.ts';
import { getAccessReview } from '../../src/app/get-access-review.ts';
import { getStatus } from '../../src/app/get-status.ts';
import { listAccessReviews } from '../../src/app/list-access-reviews.ts';
import { registerOrganisation } from '../../src/app/register-organisation.ts';
import { runAccessReview } from '../../src/app/run-access-review.ts';
import { signOffAccessReview } from '../../src/app/sign-off-access-review.ts';
import { collectAccessReview, type Collected } from '../../src/collectors/access-review/collect.ts';
import { DEFAULT_POLICY } from '../../src/collectors/access-review/model.ts';
import { ENGINES } from '../support/databases.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';

const operator: Actor = { kind: 'operator', name: 'test' };
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/access-review');
const fx = (name: string) => path.join(FIXTURES, name);

async function collected(): Promise<Collected> {
  const result = await collectAccessReview(
    {
      idp: fx('entra-users.json'),
      mfa: fx('entra-mfa.json'),
      hr: fx('hr.csv'),
      training: fx('training.csv'),
    },
    { policy: { ...DEFAULT_POLICY, at: '2026-05-31' } },
  );
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe.each(ENGINES)('access review on %s', (engine) => {
  let deps: TestDeps;
  const auditActions = async () =>
    (
      await sql<{ action: string }>`select action from audit_events order by seq`.execute(deps.db.db)
    ).rows.map((r) => r.action);

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

  async function started() {
    const run = await runAccessReview(deps, operator, {
      odsCode: 'A81001',
      collected: await collected(),
      assetOwner: 'Dr Asha Patel (IAO)',
    });
    if (!run.ok) throw new Error(run.error.message);
    return run.value;
  }

  test('a run gives a task per line manager and one for the asset owner, each account with its recommendation', async () => {
    const { review, tasks } = await started();
    expect(review).toMatchObject({ status: 'open', effectiveDate: '2026-05-31' });
    expect(tasks.map((t) => [t.reviewer, t.items])).toEqual([
      ['Dr Asha Patel (IAO)', 6],
      ['Ben Jones <ben.jones@riverside.nhs.uk>', 4],
      ['Dr Asha Patel <asha.patel@riverside.nhs.uk>', 3],
    ]);
    const detail = await getAccessReview(deps, operator, { odsCode: 'A81001', task: 1 });
    expect(detail.ok && detail.value.items.map((i) => [i.login, i.recommendation])).toEqual([
      ['asha.patel@riverside.nhs.uk', 'keep'],
      ['dan.smith@riverside.nhs.uk', 'remove'],
      ['fgreen@riverside.nhs.uk', 'remove'],
      ['partner_gp.nhs.net#EXT#@riverside.onmicrosoft.com', 'keep'],
      ['svc-backup@riverside.nhs.uk', 'change'],
      ['temp.locum@riverside.nhs.uk', 'remove'],
    ]);
    expect(await auditActions()).toContain('access-review.started');
  });

  test('decisions need a justification, land with an audit event, and a task can confirm its clean accounts at once', async () => {
    const { review } = await started();
    expect(
      await decideReviewItem(deps, operator, {
        odsCode: 'A81001',
        target: 'dan.smith@riverside.nhs.uk',
        decision: 'remove',
        justification: ' ',
      }),
    ).toMatchObject({ ok: false, error: { kind: 'bad-input' } });
    const one = await decideReviewItem(deps, operator, {
      odsCode: 'A81001',
      review: review.id.slice(0, 8),
      target: 'DAN.SMITH@riverside.nhs.uk',
      decision: 'remove',
      justification: 'Left on 31 March; ticket INC-2231',
    });
    expect(one.ok && one.value.decided.map((i) => i.login)).toEqual(['dan.smith@riverside.nhs.uk']);
    // Task 2 (Ben Jones): Carol and Harry lack MFA (change), Iris is dormant (remove), Jack is clean (keep).
    const bulk = await decideReviewItem(deps, operator, {
      odsCode: 'A81001',
      target: '2',
      decision: 'keep',
      justification: 'Still in post',
    });
    expect(bulk.ok && bulk.value.decided.map((i) => i.login)).toEqual(['jack.moss@riverside.nhs.uk']);
    const again = await decideReviewItem(deps, operator, {
      odsCode: 'A81001',
      target: '2',
      decision: 'keep',
      justification: 'Still in post',
    });
    expect(again).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/no undecided account recommended "keep"/) },
    });
    const list = await listAccessReviews(deps, operator, { odsCode: 'A81001' });
    expect(list.ok && list.value[0]!.tasks.map((t) => t.decided)).toEqual([1, 1, 0]);
    expect((await auditActions()).filter((a) => a === 'access-review.decided')).toHaveLength(2);
  });

  test('sign-off is refused while accounts are undecided, then records dated evidence linked to the items', async () => {
    const { tasks } = await started();
    const refused = await signOffAccessReview(deps, operator, {
      odsCode: 'A81001',
      reviewer: 'Dr Asha Patel',
    });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        kind: 'refused',
        message: expect.stringMatching(
          /^13 accounts have no decision yet \(task 1: 6, task 2: 4, task 3: 3\)/,
        ),
      },
    });

    const detail = await getAccessReview(deps, operator, { odsCode: 'A81001' });
    if (!detail.ok) throw new Error(detail.error.message);
    for (const item of detail.value.items)
      await decideReviewItem(deps, operator, {
        odsCode: 'A81001',
        target: item.accountId,
        decision: item.recommendation,
        justification: `Agreed: ${item.reason}`,
      });
    expect(tasks).toHaveLength(3);
    deps.setNow('2026-06-02T10:00:00.000Z');
    const signed = await signOffAccessReview(deps, operator, {
      odsCode: 'A81001',
      reviewer: 'Dr Asha Patel',
    });
    if (!signed.ok) throw new Error(signed.error.message);
    expect(signed.value.review).toMatchObject({ status: 'signed-off', signedOffBy: 'Dr Asha Patel' });
    const verdicts = Object.fromEntries(signed.value.verdicts.map((v) => [v.targetId, v.verdict]));
    // Leavers decided for removal, unmatched accounts answered for: 4.1.1, 4.2.1 and 4.2.4 are evidenced. MFA
    // coverage has an account with no data, and training is below 95%, so 4.5.3 and 3.2.1 stay gaps.
    expect(verdicts).toMatchObject({
      '4.1.1': 'supports',
      '4.2.1': 'supports',
      '4.2.4': 'supports',
      '4.5.3': 'gap',
      '3.2.1': 'gap',
      'B6.b': 'gap',
    });
    // 4.2.1 is not an item for GP practices (category 4), so the catalogue lets it link only to the other two.
    expect(signed.value.recorded.linked.sort()).toEqual(['4.1.1', '4.2.4']);

    const org = (await deps.store.organisations.findByOds('A81001'))!;
    const [run] = await deps.store.collectorRuns.list(org.id, 'access-review');
    expect(run).toMatchObject({
      effectiveDate: '2026-05-31',
      metrics: { leavers: 2, dormant: 2, outstandingFindings: expect.any(Number) },
    });
    expect(run!.inputs.map((i) => i.name)).toEqual([
      'hr.csv',
      'entra-users.json',
      'entra-mfa.json',
      'training.csv',
    ]);
    const html = await deps.store.evidence.findById(org.id, run!.htmlEvidenceId);
    const page = Buffer.from(await deps.blobs.get(html!.storageKey!)).toString();
    expect(page).toContain('<h1>Access review: Riverside Surgery (A81001)</h1>');
    expect(page).not.toMatch(/<script|https?:\/\/(?!graph)/i);
    expect(page).toContain('partner_gp.nhs.net#EXT#@riverside.onmicrosoft.com');
    const status = await getStatus(deps, operator, { odsCode: 'A81001', at: '2026-06-02' });
    expect(
      status.ok && status.value.context.links.filter((l) => l.itemId === '4.2.4').map((l) => l.effectiveDate),
    ).toEqual(['2026-05-31', '2026-05-31']);

    // A signed-off review is closed.
    expect(
      await decideReviewItem(deps, operator, {
        odsCode: 'A81001',
        review: signed.value.review.id,
        target: 'dan.smith@riverside.nhs.uk',
        decision: 'keep',
        justification: 'x',
      }),
    ).toMatchObject({ ok: false, error: { kind: 'refused' } });
    expect(
      await signOffAccessReview(deps, operator, {
        odsCode: 'A81001',
        review: signed.value.review.id,
        reviewer: 'X',
      }),
    ).toMatchObject({
      ok: false,
      error: { kind: 'refused' },
    });
    expect((await auditActions()).slice(-2)).toEqual(['collector-run.recorded', 'access-review.signed-off']);
  });

  test('a member of another organisation sees no review and can change nothing', async () => {
    await started();
    const stranger: Actor = { kind: 'user', email: 'someone@elsewhere.nhs.uk', name: 'S' };
    expect(await listAccessReviews(deps, stranger, { odsCode: 'A81001' })).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
    expect(
      await decideReviewItem(deps, stranger, {
        odsCode: 'A81001',
        target: 'dan.smith@riverside.nhs.uk',
        decision: 'keep',
        justification: 'x',
      }),
    ).toMatchObject({ ok: false, error: { kind: 'not-found' } });
    expect(
      await runAccessReview(deps, stranger, { odsCode: 'A81001', collected: await collected() }),
    ).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
  });

  test('a review dated in the future is refused and nothing is stored', async () => {
    const c = await collected();
    c.analysis.at = '2027-01-01';
    expect(await runAccessReview(deps, operator, { odsCode: 'A81001', collected: c })).toMatchObject({
      ok: false,
      error: { kind: 'bad-input' },
    });
    const list = await listAccessReviews(deps, operator, { odsCode: 'A81001' });
    expect(list.ok && list.value).toEqual([]);
  });
});
