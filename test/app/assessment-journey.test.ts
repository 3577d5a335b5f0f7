// The use cases over real storage, on both engines: a GP practice from registration to publication, a trust
// on the CAF track, and the failures that must leave nothing written.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import type { Actor } from '../../src/app/actor.ts';
import { addMember } from '../../src/app/add-member.ts';
import { approvePlan } from '../../src/app/approve-plan.ts';
import { draftPlan } from '../../src/app/draft-plan.ts';
import { exportAssessment } from '../../src/app/export-assessment.ts';
import { getStatus } from '../../src/app/get-status.ts';
import { importAssessment } from '../../src/app/import-assessment.ts';
import { listOrganisations } from '../../src/app/list-organisations.ts';
import { publishAssessment } from '../../src/app/publish-assessment.ts';
import { recordAnswer, type AnswerInput } from '../../src/app/record-answer.ts';
import { recordOutcome } from '../../src/app/record-outcome.ts';
import { registerOrganisation } from '../../src/app/register-organisation.ts';
import { verifyAuditChain } from '../../src/app/verify-audit-chain.ts';
import type { Result } from '../../src/domain/result.ts';
import { ENGINES } from '../support/databases.ts';
import { testDeps, type TestDeps } from '../support/deps.ts';

const operator: Actor = { kind: 'operator', name: 'test' };

function ok<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}

function goodAnswer(type: string): AnswerInput {
  if (type === 'yes-no') return { type: 'yes-no', value: true };
  if (type === 'date') return { type: 'date', value: '2026-05-01' };
  return { type: 'text', value: 'Kept in the governance folder' };
}

describe.each(ENGINES)('assessment use cases on %s', (engine) => {
  let deps: TestDeps;
  beforeEach(async () => {
    deps = await testDeps(engine);
  });
  afterEach(async () => {
    await deps.db.drop();
  });

  const gp = (ods = 'A81001') =>
    registerOrganisation(deps, operator, {
      odsCode: ods,
      name: 'Riverside Surgery',
      type: 'gp-practice',
      icoNumber: 'ZA123456',
    });
  const answerAllMandatory = async (ods = 'A81001') => {
    for (const a of deps.catalogue.itemsFor('4').filter((i) => i.mandatory))
      ok(
        await recordAnswer(deps, operator, {
          odsCode: ods,
          itemId: a.item.id,
          answer: goodAnswer(a.item.responseType),
          ...(a.item.threshold ? { metric: 96 } : {}),
        }),
      );
  };
  const auditCount = async () => {
    let n = 0;
    for await (const _ of deps.store.audit.all()) n += 1;
    return n;
  };

  test('a GP practice goes from registration to Met, to Not Met naming 3.2.1, to a plan and a baseline', async () => {
    ok(await gp());
    expect(ok(await getStatus(deps, operator, { odsCode: 'A81001' })).status).toMatchObject({
      status: 'standards-not-met',
      progress: { done: 0, total: 29 },
    });
    await answerAllMandatory();
    const met = ok(await getStatus(deps, operator, { odsCode: 'a81001' })).status;
    expect(met).toMatchObject({ status: 'standards-met', progress: { done: 29, total: 29 } });

    ok(
      await recordAnswer(deps, operator, {
        odsCode: 'A81001',
        itemId: '3.2.1',
        answer: { type: 'yes-no', value: false },
      }),
    );
    const notMet = ok(await getStatus(deps, operator, { odsCode: 'A81001' })).status;
    expect(notMet.status).toBe('standards-not-met');
    expect(notMet.unmetTargets).toEqual(['3.2.1']);
    expect(notMet.reasons[0]?.message).toMatch(/^3\.2\.1 .*answered "no"/);

    const refused = await publishAssessment(deps, operator, {
      odsCode: 'A81001',
      kind: 'baseline',
      signerName: 'Dr Asha Patel',
      signerRole: 'SIRO',
    });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'refused' } });

    const plan = ok(
      await draftPlan(deps, operator, {
        odsCode: 'A81001',
        owner: 'Practice manager',
        dueDate: '2026-09-30',
      }),
    );
    expect(plan.map((a) => [a.targetId, a.owner, a.dueDate])).toEqual([
      ['3.2.1', 'Practice manager', '2026-09-30'],
    ]);
    expect(plan[0]?.action).toBe(deps.catalogue.items.get('3.2.1')?.improve);

    const published = ok(
      await publishAssessment(deps, operator, {
        odsCode: 'A81001',
        kind: 'baseline',
        signerName: 'Dr Asha Patel',
        signerRole: 'SIRO',
      }),
    );
    expect(published.kind).toBe('baseline');
    expect(published.sha256).toMatch(/^[0-9a-f]{64}$/);
    const snapshot = JSON.parse(published.snapshot) as {
      status: { status: string };
      plan: unknown[];
      declaration: string;
    };
    expect(snapshot.status.status).toBe(published.status);
    expect(snapshot.plan).toHaveLength(1);
    expect(snapshot.declaration).toContain('Dr Asha Patel (SIRO)');

    // The published snapshot is locked in the database itself.
    await expect(sql`update publications set status = 'standards-met'`.execute(deps.db.db)).rejects.toThrow(
      /immutable/,
    );
    // Later edits change the draft, not the publication.
    ok(
      await recordAnswer(deps, operator, {
        odsCode: 'A81001',
        itemId: '3.2.1',
        answer: { type: 'yes-no', value: true },
        metric: 96,
      }),
    );
    const [stored] = await deps.store.publications.list(published.assessmentId);
    expect(stored?.sha256).toBe(published.sha256);

    const verified = ok(await verifyAuditChain(deps, operator));
    expect(verified).toMatchObject({ intact: true });
    expect(verified.events).toBeGreaterThan(30);
  });

  test('a document answer stores the file encrypted, linked to the item, with its effective date', async () => {
    ok(await gp());
    const bytes = new TextEncoder().encode(
      'Information asset register: patient records, held in the clinical system.',
    );
    const r = ok(
      await recordAnswer(deps, operator, {
        odsCode: 'A81001',
        itemId: '1.1.2',
        answer: { type: 'file', fileName: '../../etc/IAR 2026.txt', bytes },
        effectiveDate: '2026-03-01',
      }),
    );
    expect(r.answer).toMatchObject({ type: 'document', value: 'IAR 2026.txt' });
    const org = (await deps.store.organisations.findByOds('A81001'))!;
    const ctx = await deps.store.assessments.find(org.id, '2025-26');
    const links = await deps.store.evidence.listLinks(ctx!.id);
    expect(links).toEqual([expect.objectContaining({ itemId: '1.1.2', effectiveDate: '2026-03-01' })]);
    const files = await readdir(deps.blobDir, { recursive: true });
    const stored = files.map((f) => path.join(deps.blobDir, f)).filter((f) => f.endsWith('.enc'));
    expect(stored).toHaveLength(1);
    expect((await readFile(stored[0]!)).includes(Buffer.from('patient records'))).toBe(false);
    const evidence = await deps.store.evidence.findBySha256(org.id, links[0]!.sha256);
    expect(Buffer.from(await deps.blobs.get(evidence!.storageKey!)).toString()).toContain('patient records');
  });

  test.each<[string, () => Parameters<typeof recordAnswer>[2], RegExp]>([
    [
      'an unknown item',
      () => ({ odsCode: 'A81001', itemId: '99.1.1', answer: { type: 'yes-no', value: true } }),
      /no evidence item 99\.1\.1/,
    ],
    [
      'an item of another category',
      () => ({ odsCode: 'A81001', itemId: '9.4.5', answer: { type: 'yes-no', value: true } }),
      /does not apply to category 4/,
    ],
    [
      'a text answer to a yes-no item',
      () => ({ odsCode: 'A81001', itemId: '3.2.1', answer: { type: 'text', value: 'most' } }),
      /expects a yes or no answer/,
    ],
    [
      'a yes to a text item',
      () => ({ odsCode: 'A81001', itemId: '1.1.1', answer: { type: 'yes-no', value: true } }),
      /expects a written answer/,
    ],
    [
      'a future effective date',
      () => ({
        odsCode: 'A81001',
        itemId: '1.2.4',
        answer: { type: 'yes-no', value: true },
        effectiveDate: '2027-01-01',
      }),
      /in the future/,
    ],
    [
      'an impossible date',
      () => ({
        odsCode: 'A81001',
        itemId: '1.2.4',
        answer: { type: 'yes-no', value: true },
        effectiveDate: '2026-02-30',
      }),
      /not a date/,
    ],
    [
      'a percentage over 100',
      () => ({ odsCode: 'A81001', itemId: '3.2.1', answer: { type: 'yes-no', value: true }, metric: 120 }),
      /not a valid percent/,
    ],
    [
      'an executable as evidence',
      () => ({
        odsCode: 'A81001',
        itemId: '1.1.2',
        answer: { type: 'file', fileName: 'iar.exe', bytes: new Uint8Array([1]) },
      }),
      /not a type of file we accept/,
    ],
    [
      'an oversized file',
      () => ({
        odsCode: 'A81001',
        itemId: '1.1.2',
        answer: { type: 'file', fileName: 'iar.pdf', bytes: new Uint8Array(2 * 1024 * 1024) },
      }),
      /limit is 1048576 bytes/,
    ],
    [
      'an unknown ODS code',
      () => ({ odsCode: 'Y99999', itemId: '1.2.4', answer: { type: 'yes-no', value: true } }),
      /no organisation with ODS code Y99999/,
    ],
  ])('%s is refused with a clear message and nothing is written', async (_name, input, message) => {
    ok(await gp());
    const before = await auditCount();
    const result = await recordAnswer(deps, operator, input());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(message);
    expect(await auditCount()).toBe(before);
    const org = (await deps.store.organisations.findByOds('A81001'))!;
    expect(await deps.store.assessments.find(org.id, '2025-26')).toBeUndefined();
  });

  test('registration checks the ODS code, type, ICO number and certifications, and refuses duplicates', async () => {
    ok(await gp());
    expect(await gp()).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    const bad = (extra: object) =>
      registerOrganisation(deps, operator, { odsCode: 'B82002', name: 'X', type: 'care-home', ...extra });
    expect(await bad({ odsCode: 'A8-1' })).toMatchObject({ ok: false, error: { where: '--ods' } });
    expect(await bad({ type: 'castle' })).toMatchObject({
      ok: false,
      error: { where: '--type', message: expect.stringContaining('gp-practice') },
    });
    expect(await bad({ icoNumber: '12' })).toMatchObject({ ok: false, error: { where: '--ico' } });
    expect(
      await bad({ certifications: [{ kind: 'cyber-essentials-plus', number: 'C1', expires: '31/12/2026' }] }),
    ).toMatchObject({ ok: false, error: { where: 'certification 1' } });
    expect(await listOrganisations(deps, operator)).toHaveLength(1);
  });

  test('a member of one organisation finds nothing of another, and roles limit what they may do', async () => {
    ok(await gp('A81001'));
    ok(await gp('B82002'));
    ok(
      await addMember(deps, operator, {
        odsCode: 'A81001',
        email: 'ig.lead@riverside.nhs.uk',
        name: 'Sam',
        role: 'contributor',
      }),
    );
    ok(
      await addMember(deps, operator, {
        odsCode: 'A81001',
        email: 'viewer@riverside.nhs.uk',
        name: 'Val',
        role: 'viewer',
      }),
    );
    const sam: Actor = { kind: 'user', email: 'IG.Lead@riverside.nhs.uk', name: 'Sam' };
    const val: Actor = { kind: 'user', email: 'viewer@riverside.nhs.uk', name: 'Val' };

    expect((await listOrganisations(deps, sam)).map((o) => o.odsCode)).toEqual(['A81001']);
    ok(
      await recordAnswer(deps, sam, {
        odsCode: 'A81001',
        itemId: '1.2.4',
        answer: { type: 'yes-no', value: true },
      }),
    );
    for (const attempt of [
      getStatus(deps, sam, { odsCode: 'B82002' }),
      recordAnswer(deps, sam, {
        odsCode: 'B82002',
        itemId: '1.2.4',
        answer: { type: 'yes-no', value: true },
      }),
      exportAssessment(deps, sam, { odsCode: 'B82002', format: 'json' }),
      draftPlan(deps, sam, { odsCode: 'B82002' }),
      publishAssessment(deps, sam, { odsCode: 'B82002', kind: 'final', signerName: 'S', signerRole: 'SIRO' }),
    ])
      expect(await attempt).toMatchObject({
        ok: false,
        error: {
          kind: 'not-found',
          message: expect.stringContaining('no organisation with ODS code B82002'),
        },
      });

    expect(
      await recordAnswer(deps, val, {
        odsCode: 'A81001',
        itemId: '1.2.4',
        answer: { type: 'yes-no', value: false },
      }),
    ).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    expect(
      await publishAssessment(deps, sam, {
        odsCode: 'A81001',
        kind: 'final',
        signerName: 'Sam',
        signerRole: 'SIRO',
      }),
    ).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    expect(await verifyAuditChain(deps, sam)).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
  });

  test('a trust on the CAF track meets the profile from its indicators, or needs an approved plan', async () => {
    ok(
      await registerOrganisation(deps, operator, {
        odsCode: 'RXX',
        name: 'Example NHS Trust',
        type: 'nhs-trust',
      }),
    );
    expect(
      await recordAnswer(deps, operator, {
        odsCode: 'RXX',
        itemId: '1.1.1',
        answer: { type: 'text', value: 'x' },
      }),
    ).toMatchObject({ ok: false, error: { message: expect.stringContaining('CAF-aligned') } });
    const profile = deps.catalogue.profiles.get('nhs-caf-2025-26')!;
    for (const outcome of deps.catalogue.outcomes.values()) {
      const level = profile.levels[outcome.id];
      const column =
        level === 'achieved'
          ? outcome.indicators.achieved
          : level === 'partially-achieved'
            ? outcome.indicators['partially-achieved']
            : [];
      const r = ok(
        await recordOutcome(deps, operator, {
          odsCode: 'RXX',
          outcomeId: outcome.id,
          indicators: column.map((i) => i.id),
        }),
      );
      expect(r.achieved).toBe(level);
    }
    expect(ok(await getStatus(deps, operator, { odsCode: 'RXX' })).status).toMatchObject({
      status: 'standards-met',
      progress: { done: 47, total: 47 },
    });

    ok(await recordOutcome(deps, operator, { odsCode: 'RXX', outcomeId: 'B4.a', indicators: ['B4.a.NA.1'] }));
    const below = ok(await getStatus(deps, operator, { odsCode: 'RXX' })).status;
    expect(below.status).toBe('standards-not-met');
    expect(below.unmetTargets).toEqual(['B4.a']);
    ok(await draftPlan(deps, operator, { odsCode: 'RXX', owner: 'CISO', dueDate: '2026-10-31' }));
    expect(ok(await getStatus(deps, operator, { odsCode: 'RXX' })).status.status).toBe('standards-not-met');
    ok(await approvePlan(deps, operator, { odsCode: 'RXX', approvedBy: 'NHS England' }));
    expect(ok(await getStatus(deps, operator, { odsCode: 'RXX' })).status.status).toBe(
      'approaching-standards',
    );

    expect(
      await recordOutcome(deps, operator, { odsCode: 'RXX', outcomeId: 'B4.a', indicators: ['A1.a.A.1'] }),
    ).toMatchObject({ ok: false, error: { message: expect.stringContaining('not an indicator of B4.a') } });
    expect(
      await recordOutcome(deps, operator, {
        odsCode: 'RXX',
        outcomeId: 'B4.a',
        indicators: [],
        notApplicable: 'no',
      }),
    ).toMatchObject({ ok: false, error: { message: expect.stringContaining('always applies') } });
    ok(
      await recordOutcome(deps, operator, {
        odsCode: 'RXX',
        outcomeId: 'E4.b',
        indicators: [],
        notApplicable: 'We do no clinical coding',
      }),
    );
  });

  test.each(['json', 'csv'])(
    'export as %s and import into another organisation round-trips',
    async (format) => {
      ok(await gp('A81001'));
      ok(await gp('B82002'));
      await answerAllMandatory('A81001');
      ok(
        await recordAnswer(deps, operator, {
          odsCode: 'A81001',
          itemId: '1.1.6',
          answer: { type: 'yes-no', value: false },
          comment: 'Consent, "reviewed", next month,\nwith the partners',
        }),
      );
      const exported = ok(await exportAssessment(deps, operator, { odsCode: 'A81001', format }));
      ok(
        await importAssessment(deps, operator, {
          odsCode: 'B82002',
          fileName: `a.${format}`,
          text: exported.text,
        }),
      );
      const again = ok(await exportAssessment(deps, operator, { odsCode: 'B82002', format }));
      const strip = (t: string) =>
        format === 'json' ? t.replace(/"(organisation|exportedAt)": "[^"]*"/g, '') : t;
      expect(strip(again.text)).toBe(strip(exported.text));
      expect(ok(await getStatus(deps, operator, { odsCode: 'B82002' })).status.status).toBe('standards-met');
    },
  );

  test.each([
    [
      'a malformed row',
      'kind,id,type,value,comment,effective_date,metric,evidence_sha256,not_applicable\nitem,1.2.4,yes-no,yes,,2026-05-01,,,\nitem,1.3.1,yes-no,"yes,,2026-05-01,,,\n',
      /line 3/,
    ],
    [
      'a wrong type in row 3',
      'kind,id,type,value,comment,effective_date,metric,evidence_sha256,not_applicable\nitem,1.2.4,yes-no,yes,,2026-05-01,,,\nitem,3.2.1,text,most,,2026-05-01,,,\n',
      /line 3: item 3\.2\.1 expects a yes or no answer/,
    ],
    [
      'a missing column',
      'kind,id,type,value\nitem,1.2.4,yes-no,yes\n',
      /missing columns comment, effective_date/,
    ],
    [
      'a semicolon-separated file',
      'kind;id;type;value;comment;effective_date;metric;evidence_sha256;not_applicable\n',
      /separated by commas/,
    ],
    [
      'truncated JSON',
      '{"format":"opendspt-assessment","version":1,"year":"2025-26","responses":[{"id":"1.2.4"',
      /not valid JSON/,
    ],
  ])('an import with %s names the place, and writes nothing', async (_name, text, message) => {
    ok(await gp());
    const before = await auditCount();
    const result = await importAssessment(deps, operator, {
      odsCode: 'A81001',
      fileName: 'answers.csv',
      text,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(`${result.error.where}: ${result.error.message}`).toMatch(message);
    expect(await auditCount()).toBe(before);
    const org = (await deps.store.organisations.findByOds('A81001'))!;
    const assessment = await deps.store.assessments.find(org.id, '2025-26');
    expect(assessment ? await deps.store.responses.list(assessment.id) : []).toEqual([]);
  });
});
