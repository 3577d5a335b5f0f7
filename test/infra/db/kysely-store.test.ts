// The Store on both engines: every record round-trips exactly, transactions are all-or-nothing, and the audit
// chain stays whole under concurrent appenders and betrays any later edit.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type {
  AssessmentRecord,
  AuditEventInput,
  EvidenceRecord,
  MemberRecord,
  OrganisationRecord,
  PlanActionRecord,
  PublicationRecord,
  Store,
  StoredOutcomeResponse,
  StoredResponse,
} from '../../../src/app/ports.ts';
import {
  AuditChainVerifier,
  GENESIS_HASH,
  type AuditEvent,
  type ChainBreak,
} from '../../../src/domain/audit-chain.ts';
import { ENGINES, freshDatabase, type TestDatabase } from '../../support/databases.ts';

const execFileAsync = promisify(execFile);

const NOW = '2025-05-01T10:00:00.000Z';
const fixedClock = { now: () => new Date(NOW) };

const anOrganisation = (overrides: Partial<OrganisationRecord> = {}): OrganisationRecord => ({
  id: 'org-1',
  odsCode: 'A81001',
  name: 'Riverside Surgery',
  type: 'gp-practice',
  icoNumber: 'ZA123456',
  certifications: [
    { kind: 'cyber-essentials', number: 'CE-0001', expires: '2026-03-31' },
  ] as OrganisationRecord['certifications'],
  createdAt: '2025-04-01T09:00:00.000Z',
  ...overrides,
});

const anAssessment = (overrides: Partial<AssessmentRecord> = {}): AssessmentRecord => ({
  id: 'asm-1',
  organisationId: 'org-1',
  year: '2025-26',
  createdAt: '2025-04-01T09:05:00.000Z',
  planApprovedBy: null,
  planApprovedAt: null,
  ...overrides,
});

const someEvidence = (overrides: Partial<EvidenceRecord> = {}): EvidenceRecord => ({
  id: 'ev-1',
  organisationId: 'org-1',
  kind: 'file',
  title: 'Data security policy',
  fileName: 'policy.pdf',
  mediaType: 'application/pdf',
  size: 3_000_000_000,
  sha256: 'a'.repeat(64),
  effectiveDate: '2025-03-15',
  storageKey: 'a'.repeat(64),
  createdBy: 'user-1',
  createdAt: '2025-04-02T09:00:00.000Z',
  ...overrides,
});

const aPublication = (overrides: Partial<PublicationRecord> = {}): PublicationRecord => ({
  id: 'pub-1',
  assessmentId: 'asm-1',
  kind: 'final',
  status: 'Standards Met',
  snapshot: '{"items":[]}',
  sha256: 'b'.repeat(64),
  signerName: 'Dr A Senior',
  signerRole: 'SIRO',
  declaration: 'I confirm the submission is accurate.',
  publishedAt: '2025-06-30T12:00:00.000Z',
  ...overrides,
});

const aPlanAction = (overrides: Partial<PlanActionRecord> = {}): PlanActionRecord => ({
  id: 'act-1',
  assessmentId: 'asm-1',
  targetId: '3.2.1',
  gap: 'Training below 95%',
  action: 'Run catch-up sessions',
  createdAt: '2025-06-01T09:00:00.000Z',
  updatedAt: '2025-06-01T09:00:00.000Z',
  ...overrides,
});

const anEvent = (overrides: Partial<AuditEventInput> = {}): AuditEventInput => ({
  actor: 'user-1',
  action: 'response.saved',
  organisationId: 'org-1',
  subject: 'asm-1/1.1.1',
  ...overrides,
});

async function collect(events: AsyncIterable<AuditEvent>): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

function firstBreak(events: readonly AuditEvent[]): ChainBreak | undefined {
  const verifier = new AuditChainVerifier();
  for (const event of events) {
    const broken = verifier.check(event);
    if (broken) return broken;
  }
  return undefined;
}

describe.each(ENGINES)('Kysely store on %s', (engine) => {
  let t: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    t = await freshDatabase(engine, { clock: fixedClock });
    store = t.store;
  });
  afterEach(async () => {
    await t.drop();
  });

  async function seedAssessment(): Promise<void> {
    await store.organisations.insert(anOrganisation());
    await store.assessments.insert(anAssessment());
  }

  describe('organisations', () => {
    test('round-trip by ODS code and by ID, and list in name order', async () => {
      const org = anOrganisation();
      const other = anOrganisation({
        id: 'org-2',
        odsCode: 'B82002',
        name: 'Abbey Care Home',
        icoNumber: null,
        certifications: [],
      });
      await store.organisations.insert(org);
      await store.organisations.insert(other);

      // A new organisation's revision starts at 0: nothing behind its assessment has changed yet.
      expect(await store.organisations.findByOds('A81001')).toStrictEqual({ ...org, revision: 0 });
      expect(await store.organisations.findById('org-2')).toStrictEqual({ ...other, revision: 0 });
      expect(await store.organisations.findByOds('Z99999')).toBeUndefined();
      expect((await store.organisations.list()).map((o) => o.odsCode)).toEqual(['B82002', 'A81001']);
    });

    test('a second organisation with the same ODS code is refused', async () => {
      await store.organisations.insert(anOrganisation());

      await expect(
        store.organisations.insert(anOrganisation({ id: 'org-2', name: 'Impostor' })),
      ).rejects.toThrow(/unique|duplicate/i);
      expect(await store.organisations.list()).toHaveLength(1);
    });
  });

  test('members are listed per organisation', async () => {
    await store.organisations.insert(anOrganisation());
    await store.organisations.insert(anOrganisation({ id: 'org-2', odsCode: 'B82002' }));
    const zed: MemberRecord = {
      id: 'm-1',
      organisationId: 'org-1',
      email: 'zed@example.org',
      name: 'Zed',
      role: 'approver',
      createdAt: NOW,
    };
    const amy: MemberRecord = {
      id: 'm-2',
      organisationId: 'org-1',
      email: 'amy@example.org',
      name: 'Amy',
      role: 'administrator',
      createdAt: NOW,
    };
    await store.members.insert(zed);
    await store.members.insert(amy);
    await store.members.insert({ ...amy, id: 'm-3', organisationId: 'org-2' });

    expect(await store.members.listByOrganisation('org-1')).toStrictEqual([amy, zed]);
    await expect(store.members.insert({ ...amy, id: 'm-4' })).rejects.toThrow(/unique|duplicate/i);
  });

  test('assessments: one per organisation and year, with plan approval', async () => {
    await seedAssessment();

    await expect(store.assessments.insert(anAssessment({ id: 'asm-2' }))).rejects.toThrow(
      /unique|duplicate/i,
    );
    await store.assessments.setPlanApproval('asm-1', 'NHS England', '2025-07-10T09:00:00.000Z');

    expect(await store.assessments.find('org-1', '2025-26')).toStrictEqual(
      anAssessment({ planApprovedBy: 'NHS England', planApprovedAt: '2025-07-10T09:00:00.000Z' }),
    );
    expect(await store.assessments.find('org-1', '2024-25')).toBeUndefined();
  });

  describe('responses', () => {
    const answered = { answeredBy: 'user-1', answeredAt: NOW };
    const responses: StoredResponse[] = [
      { itemId: '1.1.1', answer: { type: 'yes-no', value: true }, effectiveDate: '2025-04-01', ...answered },
      {
        itemId: '1.1.2',
        answer: { type: 'yes-no', value: false },
        comment: 'Not yet',
        effectiveDate: '2025-04-02',
        ...answered,
      },
      {
        itemId: '1.2.1',
        answer: { type: 'text', value: 'Kept on the shared drive' },
        effectiveDate: '2025-04-03',
        ...answered,
      },
      {
        itemId: '2.1.1',
        answer: { type: 'date', value: '2025-02-28' },
        effectiveDate: '2025-02-28',
        ...answered,
      },
      {
        itemId: '3.2.1',
        answer: { type: 'text', value: '96% trained' },
        metric: 96.5,
        comment: 'From the HR export',
        effectiveDate: '2025-03-31',
        ...answered,
      },
      {
        itemId: '4.1.1',
        answer: { type: 'document', value: 'policy.pdf', evidenceId: 'ev-1' },
        effectiveDate: '2025-03-15',
        ...answered,
      },
      {
        itemId: '4.1.2',
        answer: { type: 'document', value: 'In the red folder in the office' },
        metric: 0,
        effectiveDate: '2025-03-16',
        ...answered,
      },
    ];

    test('every answer type round-trips, optional fields absent when not given', async () => {
      await seedAssessment();
      await store.evidence.insert(someEvidence());
      for (const response of [...responses].reverse()) await store.responses.upsert('asm-1', response);

      expect(await store.responses.list('asm-1')).toStrictEqual(responses);
      expect(await store.responses.list('asm-other')).toEqual([]);
    });

    test('upsert replaces the answer, and remove deletes it', async () => {
      await seedAssessment();
      await store.responses.upsert('asm-1', {
        itemId: '1.1.1',
        answer: { type: 'yes-no', value: false },
        comment: 'draft',
        metric: 3,
        effectiveDate: '2025-04-01',
        ...answered,
      });
      const replacement: StoredResponse = {
        itemId: '1.1.1',
        answer: { type: 'yes-no', value: true },
        effectiveDate: '2025-05-01',
        answeredBy: 'user-2',
        answeredAt: '2025-05-01T11:00:00.000Z',
      };

      await store.responses.upsert('asm-1', replacement);
      expect(await store.responses.list('asm-1')).toStrictEqual([replacement]);

      await store.responses.remove('asm-1', '1.1.1');
      expect(await store.responses.list('asm-1')).toEqual([]);
    });
  });

  test('outcome responses round-trip and upsert', async () => {
    await seedAssessment();
    const a1a: StoredOutcomeResponse = {
      outcomeId: 'A1.a',
      indicators: ['A1.a#1', 'A1.a#3'],
      comment: 'Board minutes',
      answeredBy: 'user-1',
      answeredAt: NOW,
    };
    const b2a: StoredOutcomeResponse = {
      outcomeId: 'B2.a',
      indicators: [],
      notApplicable: 'No operational technology',
      answeredBy: 'user-1',
      answeredAt: NOW,
    };
    await store.outcomeResponses.upsert('asm-1', b2a);
    await store.outcomeResponses.upsert('asm-1', {
      ...a1a,
      indicators: ['A1.a#2'],
      notApplicable: 'changed my mind',
    });
    await store.outcomeResponses.upsert('asm-1', a1a);

    expect(await store.outcomeResponses.list('asm-1')).toStrictEqual([a1a, b2a]);
  });

  test('evidence is found within its organisation only, links are idempotent and carry the evidence date', async () => {
    await seedAssessment();
    await store.organisations.insert(anOrganisation({ id: 'org-2', odsCode: 'B82002' }));
    const file = someEvidence();
    const text = someEvidence({
      id: 'ev-2',
      kind: 'text',
      title: 'Where the asset register is',
      fileName: null,
      mediaType: null,
      size: null,
      sha256: 'c'.repeat(64),
      storageKey: null,
      effectiveDate: '2025-01-10',
    });
    await store.evidence.insert(file);
    await store.evidence.insert(text);
    await store.evidence.link({ evidenceId: 'ev-2', assessmentId: 'asm-1', itemId: '1.3.1' });
    await store.evidence.link({ evidenceId: 'ev-1', assessmentId: 'asm-1', itemId: '1.3.1' });
    await store.evidence.link({ evidenceId: 'ev-1', assessmentId: 'asm-1', itemId: '1.1.1' });
    await store.evidence.link({ evidenceId: 'ev-1', assessmentId: 'asm-1', itemId: '1.1.1' });

    expect(await store.evidence.findById('org-1', 'ev-1')).toStrictEqual(file);
    expect(await store.evidence.findById('org-2', 'ev-1')).toBeUndefined();
    expect(await store.evidence.findBySha256('org-1', 'c'.repeat(64))).toStrictEqual(text);
    expect(await store.evidence.findBySha256('org-2', 'c'.repeat(64))).toBeUndefined();
    expect(await store.evidence.listLinks('asm-1')).toStrictEqual([
      {
        evidenceId: 'ev-1',
        assessmentId: 'asm-1',
        itemId: '1.1.1',
        effectiveDate: '2025-03-15',
        sha256: 'a'.repeat(64),
      },
      {
        evidenceId: 'ev-1',
        assessmentId: 'asm-1',
        itemId: '1.3.1',
        effectiveDate: '2025-03-15',
        sha256: 'a'.repeat(64),
      },
      {
        evidenceId: 'ev-2',
        assessmentId: 'asm-1',
        itemId: '1.3.1',
        effectiveDate: '2025-01-10',
        sha256: 'c'.repeat(64),
      },
    ]);
  });

  test('publications are stored and listed, and the database refuses to change one', async () => {
    await seedAssessment();
    const baseline = aPublication({
      id: 'pub-0',
      kind: 'baseline',
      status: 'Standards Not Met',
      publishedAt: '2025-02-28T12:00:00.000Z',
    });
    await store.publications.insert(aPublication());
    await store.publications.insert(baseline);

    await expect(
      sql`update publications set status = ${'Standards Exceeded'} where id = ${'pub-1'}`.execute(t.db),
    ).rejects.toThrow(/immutable/);
    await expect(
      sql`delete from publications where assessment_id = ${'asm-1'}`.execute(t.db),
    ).rejects.toThrow(/immutable/);

    expect(await store.publications.list('asm-1')).toStrictEqual([baseline, aPublication()]);
  });

  test('planActions.replaceAll replaces the whole plan, keeping its order', async () => {
    await seedAssessment();
    const first = [
      aPlanAction({ id: 'act-1', targetId: '9.1.1', owner: 'IT lead', dueDate: '2025-09-30' }),
      aPlanAction({ id: 'act-2', targetId: '1.1.1' }),
      aPlanAction({ id: 'act-3', targetId: '5.1.1', owner: 'Practice manager' }),
    ];
    await store.planActions.replaceAll('asm-1', first);
    expect(await store.planActions.list('asm-1')).toStrictEqual(first);

    const second = [aPlanAction({ id: 'act-4', targetId: '3.2.1', dueDate: '2025-12-31' })];
    await store.planActions.replaceAll('asm-1', second);
    expect(await store.planActions.list('asm-1')).toStrictEqual(second);

    await expect(
      store.planActions.replaceAll('asm-1', [aPlanAction({ id: 'act-5', assessmentId: 'asm-2' })]),
    ).rejects.toThrow(/asm-2/);
    expect(await store.planActions.list('asm-1')).toStrictEqual(second);

    await store.planActions.replaceAll('asm-1', []);
    expect(await store.planActions.list('asm-1')).toEqual([]);
  });

  describe('revision', () => {
    test('every change behind an assessment raises its organisation revision, and only its own', async () => {
      await seedAssessment();
      await store.organisations.insert(anOrganisation({ id: 'org-2', odsCode: 'B82002' }));
      const revision = async (ods = 'A81001') => (await store.organisations.findByOds(ods))!.revision!;
      const aResponse = (): StoredResponse => ({
        itemId: '1.1.1',
        answer: { type: 'yes-no', value: true },
        effectiveDate: '2025-04-01',
        answeredBy: 'user-1',
        answeredAt: NOW,
      });
      const steps: [string, () => Promise<unknown>][] = [
        ['an answer', () => store.responses.upsert('asm-1', aResponse())],
        ['a changed answer', () => store.responses.upsert('asm-1', { ...aResponse(), comment: 'Reviewed' })],
        ['an answer removed', () => store.responses.remove('asm-1', aResponse().itemId)],
        [
          'a CAF outcome',
          () =>
            store.outcomeResponses.upsert('asm-1', {
              outcomeId: 'A1.a',
              indicators: [],
              answeredBy: 'user-1',
              answeredAt: '2025-05-01T09:00:00.000Z',
            }),
        ],
        ['evidence', () => store.evidence.insert(someEvidence())],
        [
          'an evidence link',
          () => store.evidence.link({ evidenceId: 'ev-1', assessmentId: 'asm-1', itemId: '1.1.1' }),
        ],
        ['the plan', () => store.planActions.replaceAll('asm-1', [aPlanAction()])],
        [
          'the plan approved',
          () => store.assessments.setPlanApproval('asm-1', 'SIRO', '2025-06-02T09:00:00.000Z'),
        ],
        ['a publication', () => store.publications.insert(aPublication())],
      ];
      for (const [what, change] of steps) {
        const before = await revision();
        await change();
        expect(await revision(), what).toBeGreaterThan(before);
      }
      expect(await revision('B82002')).toBe(0);
    });
  });

  describe('transactions', () => {
    test('a failing transaction leaves nothing written', async () => {
      const attempt = store.transaction(async (tx) => {
        await tx.organisations.insert(anOrganisation());
        await tx.assessments.insert(anAssessment());
        await tx.planActions.replaceAll('asm-1', [aPlanAction()]);
        await tx.audit.append(anEvent());
        expect(await tx.organisations.findByOds('A81001')).toBeDefined();
        throw new Error('the use case changed its mind');
      });

      await expect(attempt).rejects.toThrow('the use case changed its mind');
      expect(await store.organisations.list()).toEqual([]);
      expect(await store.planActions.list('asm-1')).toEqual([]);
      expect(await collect(store.audit.all())).toEqual([]);
    });

    test('a transaction inside a transaction joins it instead of nesting', async () => {
      const attempt = store.transaction(async (tx) => {
        await tx.organisations.insert(anOrganisation());
        const joined = await tx.transaction(async (inner) => {
          await inner.assessments.insert(anAssessment());
          return inner;
        });
        expect(joined).toBe(tx);
        throw new Error('roll back both');
      });

      await expect(attempt).rejects.toThrow('roll back both');
      expect(await store.organisations.list()).toEqual([]);
    });

    test('a successful transaction returns its value and commits', async () => {
      const value = await store.transaction(async (tx) => {
        await tx.organisations.insert(anOrganisation());
        return 'done';
      });

      expect(value).toBe('done');
      expect(await store.organisations.findById('org-1')).toBeDefined();
    });
  });

  describe('audit chain', () => {
    test('appended events link up from the genesis hash and verify', async () => {
      const appended: AuditEvent[] = [];
      for (let i = 0; i < 5; i += 1)
        appended.push(
          await store.audit.append(anEvent({ subject: `s${i}`, details: { i, nested: { b: 2, a: 1 } } })),
        );
      appended.push(await store.audit.append(anEvent({ organisationId: null, action: 'platform.setting' })));

      const stored = await collect(store.audit.all());

      expect(stored).toStrictEqual(appended);
      expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(stored[0]?.prevHash).toBe(GENESIS_HASH);
      expect(stored[1]?.prevHash).toBe(stored[0]?.hash);
      expect(stored[0]?.details).toBe('{"i":0,"nested":{"a":1,"b":2}}');
      expect(stored[5]?.details).toBe('{}');
      expect(stored[5]?.at).toBe(NOW);
      expect(firstBreak(stored)).toBeUndefined();
    });

    test('an edit made behind the store is reported at the event edited', async () => {
      for (let i = 0; i < 5; i += 1) await store.audit.append(anEvent({ subject: `s${i}`, details: { i } }));

      await sql`update audit_events set details = ${'{"i":99}'} where seq = 3`.execute(t.db);

      const broken = firstBreak(await collect(store.audit.all()));
      expect(broken?.seq).toBe(3);
      expect(broken?.reason).toMatch(/changed after it was written/);
    });

    test('a deleted event is reported where the gap is', async () => {
      for (let i = 0; i < 4; i += 1) await store.audit.append(anEvent({ subject: `s${i}` }));

      await sql`delete from audit_events where seq = 2`.execute(t.db);

      expect(firstBreak(await collect(store.audit.all()))?.seq).toBe(3);
    });

    test('all() reads in pages and yields every event once, in order', async () => {
      for (let i = 0; i < 7; i += 1) await store.audit.append(anEvent({ subject: `s${i}` }));

      for (const pageSize of [1, 3, 7, 1000]) {
        const events = await collect(store.audit.all(pageSize));
        expect(events.map((e) => e.subject)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
      }
      expect(() => store.audit.all(0)).toThrow(/positive integer/);
    });

    test('20 concurrent appenders, each in its own transaction, make one gapless unbroken chain', async () => {
      await store.organisations.insert(anOrganisation());
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.transaction(async (tx) => {
            // A read before the append widens the window in which transactions overlap.
            await tx.organisations.findById('org-1');
            return tx.audit.append(anEvent({ subject: `s${i}`, details: { i } }));
          }),
        ),
      );

      const stored = await collect(store.audit.all());
      expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(new Set(stored.map((e) => e.subject)).size).toBe(20);
      expect(firstBreak(stored)).toBeUndefined();
    });

    test('separate processes appending to the same database at once never fork the chain', async () => {
      const child = fileURLToPath(new URL('./append-audit-events.child.ts', import.meta.url));
      // Starting a child takes about a second; all three begin appending together once both are surely up.
      const startAt = String(Date.now() + 2500);
      const run = (prefix: string) =>
        execFileAsync(process.execPath, [
          '--import',
          'tsx',
          child,
          JSON.stringify(t.config),
          prefix,
          '100',
          startAt,
        ]);
      const parent = async () => {
        await new Promise((resolve) => setTimeout(resolve, Number(startAt) - Date.now()));
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.audit.append(anEvent({ subject: `parent-${i}` }))),
        );
      };

      await Promise.all([run('first'), run('second'), parent()]);

      const stored = await collect(store.audit.all());
      expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 220 }, (_, i) => i + 1));
      expect(new Set(stored.map((e) => e.subject)).size).toBe(220);
      expect(stored.filter((e) => e.actor === 'second')).toHaveLength(100);
      expect(firstBreak(stored)).toBeUndefined();
    });
  });
});
