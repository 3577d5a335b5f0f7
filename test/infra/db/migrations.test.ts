// The schema on both engines: migrations are idempotent, constraints hold, publications cannot be altered.
import { Migrator, sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { migrateToLatest } from '../../../src/infra/db/connect.ts';
import type { FoundPackageAdvisories } from '../../../src/app/osv-ports.ts';
import { createMigrationProvider, PUBLICATION_IMMUTABLE_MESSAGE } from '../../../src/infra/db/migrations.ts';
import { ENGINES, freshDatabase, type TestDatabase } from '../../support/databases.ts';

describe.each(ENGINES)('migrations on %s', (engine) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await freshDatabase(engine);
  });
  afterEach(async () => {
    await t.drop();
  });

  test('running them again applies nothing and changes nothing', async () => {
    await t.db
      .insertInto('organisations')
      .values({
        id: 'o1',
        ods_code: 'A81001',
        name: 'Practice',
        type: 'gp-practice',
        ico_number: null,
        certifications: '[]',
        created_at: '2025-04-01T09:00:00.000Z',
      })
      .execute();

    const again = await migrateToLatest(t.db, engine);
    const third = await migrateToLatest(t.db);

    expect(again).toEqual({ ok: true, value: [] });
    expect(third).toEqual({ ok: true, value: [] });
    const rows = await t.db.selectFrom('organisations').select('ods_code').execute();
    expect(rows).toEqual([{ ods_code: 'A81001' }]);
  });

  test('foreign keys are enforced', async () => {
    const insert = t.db
      .insertInto('members')
      .values({
        id: 'm1',
        organisation_id: 'no-such-org',
        email: 'a@example.org',
        name: 'A',
        role: 'viewer',
        created_at: '2025-04-01T09:00:00.000Z',
      })
      .execute();

    await expect(insert).rejects.toThrow(/foreign key/i);
  });

  test('a publication cannot be updated or deleted, even with raw SQL', async () => {
    await seedPublication(t);

    await expect(
      sql`update publications set status = ${'Standards Exceeded'} where id = ${'p1'}`.execute(t.db),
    ).rejects.toThrow(PUBLICATION_IMMUTABLE_MESSAGE);
    await expect(sql`delete from publications where id = ${'p1'}`.execute(t.db)).rejects.toThrow(
      PUBLICATION_IMMUTABLE_MESSAGE,
    );
    if (engine === 'postgres')
      await expect(sql`truncate publications`.execute(t.db)).rejects.toThrow(PUBLICATION_IMMUTABLE_MESSAGE);

    const rows = await t.db.selectFrom('publications').select(['id', 'status']).execute();
    expect(rows).toEqual([{ id: 'p1', status: 'Standards Met' }]);
  });

  test('audit events can still be altered, so that verification is what catches it', async () => {
    await t.store.audit.append({ actor: 'u1', action: 'test', organisationId: null, subject: 's' });

    await sql`update audit_events set actor = ${'someone else'} where seq = 1`.execute(t.db);

    const row = await t.db.selectFrom('audit_events').select('actor').executeTakeFirstOrThrow();
    expect(row.actor).toBe('someone else');
  });

  test('OSV package rows stored before their advisory was kept beside them are given it', async () => {
    const migrator = new Migrator({ db: t.db, provider: createMigrationProvider(engine) });
    const down = await migrator.migrateTo('0007-assessment-revision');
    expect(down.error).toBeUndefined();
    const advisory = {
      id: 'GHSA-1',
      modified: '2025-02-01T00:00:00Z',
      published: '2025-01-01T00:00:00Z',
      aliases: ['CVE-2025-1'],
      summary: 'Old row',
    };
    const pkg = {
      ecosystem: 'npm',
      name: 'left-pad',
      affected: [{ versions: ['1.0.0'], ranges: [], cap: null }],
      severity: { score: null, vector: null, label: 'HIGH', basis: 'GitHub severity HIGH', highRisk: true },
      hasFix: false,
    };
    // The table as it was before migration 0008.
    const old = t.db as unknown as Kysely<{
      osv_packages: { ecosystem: string; name: string; record_id: string; package: string; has_fix: number };
    }>;
    await t.db
      .insertInto('osv_records')
      .values({
        id: 'GHSA-1',
        modified: advisory.modified,
        published: advisory.published,
        advisory: JSON.stringify(advisory),
        imported_at: '2025-03-01T00:00:00Z',
      })
      .execute();
    await old
      .insertInto('osv_packages')
      .values({
        ecosystem: 'npm',
        name: 'left-pad',
        record_id: 'GHSA-1',
        package: JSON.stringify(pkg),
        has_fix: 0,
      })
      .execute();

    expect(await migrateToLatest(t.db, engine)).toEqual({
      ok: true,
      value: ['0008-osv-package-advisory', '0009-osv-packages-by-name'],
    });

    const found = (await t.store.osv.findByPackages('npm', ['left-pad'])).get('npm\u0000left-pad') ?? [];
    expect(found.map((a) => ({ advisory: a.advisory, pkg: a.pkg, fixKnownSince: a.fixKnownSince }))).toEqual([
      { advisory, pkg, fixKnownSince: null },
    ]);
  });

  test('OSV package rows keep every value when the table is rebuilt in key order, and back', async () => {
    const migrator = new Migrator({ db: t.db, provider: createMigrationProvider(engine) });
    expect((await migrator.migrateTo('0008-osv-package-advisory')).error).toBeUndefined();
    const record = (id: string, name: string, fixed: string | null) => ({
      advisory: {
        id,
        modified: '2025-02-01T00:00:00Z',
        published: '2025-01-01T00:00:00Z',
        aliases: [`CVE-${id}`],
        summary: `Flaw ${id}`,
      },
      packages: [
        {
          pkg: {
            ecosystem: 'npm',
            name,
            affected: [{ versions: ['1.0.0'], ranges: [], cap: null }],
            severity: { score: 7.5, vector: null, label: null, basis: 'CVSS', highRisk: true },
            hasFix: fixed !== null,
          },
          fixKnownSince: fixed,
        },
      ],
    });
    // Stored in an order that is not the key's, as imports store them.
    await t.store.osv.put([
      record('GHSA-3', 'zlib', null),
      record('GHSA-1', 'left-pad', '2025-03-01T00:00:00Z'),
      record('GHSA-2', 'left-pad', null),
    ]);
    const before = [
      await t.store.osv.findByPackages('npm', ['left-pad', 'zlib']),
      await t.store.osv.ecosystems(),
    ];

    expect(await migrateToLatest(t.db, engine)).toEqual({ ok: true, value: ['0009-osv-packages-by-name'] });
    const after = [
      await t.store.osv.findByPackages('npm', ['left-pad', 'zlib']),
      await t.store.osv.ecosystems(),
    ];
    expect((await migrator.migrateTo('0008-osv-package-advisory')).error).toBeUndefined();
    const back = [
      await t.store.osv.findByPackages('npm', ['left-pad', 'zlib']),
      await t.store.osv.ecosystems(),
    ];

    const plain = (found: typeof before) =>
      JSON.stringify([
        [...(found[0] as FoundPackageAdvisories).keys()].map((key) => [
          key,
          (found[0] as FoundPackageAdvisories).get(key)!.map((a) => [a.advisory, a.pkg, a.fixKnownSince]),
        ]),
        [...(found[1] as Map<string, number>)],
      ]);
    expect(plain(after)).toBe(plain(before));
    expect(plain(back)).toBe(plain(before));
    expect(plain(before)).toContain('GHSA-3');
    if (engine === 'sqlite') {
      const table = async () =>
        (await sql<{ sql: string }>`select sql from sqlite_master where name = 'osv_packages'`.execute(t.db))
          .rows[0]!.sql;
      expect(await table()).not.toMatch(/without rowid/i);
      await migrateToLatest(t.db, engine);
      expect(await table()).toMatch(/without rowid/i);
    }
  });
});

async function seedPublication(t: TestDatabase): Promise<void> {
  const at = '2025-06-30T12:00:00.000Z';
  await t.db
    .insertInto('organisations')
    .values({
      id: 'o1',
      ods_code: 'A81001',
      name: 'Practice',
      type: 'gp-practice',
      ico_number: null,
      certifications: '[]',
      created_at: at,
    })
    .execute();
  await t.db
    .insertInto('assessments')
    .values({
      id: 'a1',
      organisation_id: 'o1',
      year: '2025-26',
      created_at: at,
      plan_approved_by: null,
      plan_approved_at: null,
    })
    .execute();
  await t.db
    .insertInto('publications')
    .values({
      id: 'p1',
      assessment_id: 'a1',
      kind: 'final',
      status: 'Standards Met',
      snapshot: '{}',
      sha256: 'ab'.repeat(32),
      signer_name: 'S',
      signer_role: 'SIRO',
      declaration: 'I declare',
      published_at: at,
    })
    .execute();
}
