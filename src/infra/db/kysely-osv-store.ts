// The OSV index part of the Store over Kysely, the same on SQLite and PostgreSQL. Writes go in batches small
// enough for either engine's limit on bound parameters.
import type { Kysely } from 'kysely';
import type { PackageAdvisory } from '../../collectors/vulnerabilities/analyse.ts';
import type { OsvAdvisory, OsvPackage } from '../../collectors/vulnerabilities/osv.ts';
import type { OsvRecordVersion, OsvStore } from '../../app/osv-ports.ts';
import { packPackage, unpackPackage } from './osv-packed-package.ts';
import type { Database } from './tables.ts';

const BATCH = 500;

function* batches<T>(items: readonly T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * A record's view of a package as stored: its ranges are kept as the stored text and read from it each
 * time they are asked for. A scan looks up every package of the fleet while it reads, and holding them all as
 * objects until it matches them cost more in garbage collection than reading them did.
 */
class StoredPackageAdvisory implements PackageAdvisory {
  constructor(
    readonly advisory: OsvAdvisory,
    private readonly stored: string,
    private readonly ecosystem: string,
    private readonly name: string,
    readonly fixKnownSince: string | null,
  ) {}

  get pkg(): OsvPackage {
    return unpackPackage(this.stored, this.ecosystem, this.name);
  }
}

export function createOsvStore(db: Kysely<Database>, now: () => Date): OsvStore {
  return {
    async findVersions(ids) {
      const found = new Map<string, OsvRecordVersion>();
      for (const batch of batches([...new Set(ids)])) {
        const records = await db
          .selectFrom('osv_records')
          .select(['id', 'modified'])
          .where('id', 'in', batch)
          .execute();
        for (const r of records) found.set(r.id, { modified: r.modified, packages: [] });
        if (records.length === 0) continue;
        const packages = await db
          .selectFrom('osv_packages')
          .select(['record_id', 'ecosystem', 'name', 'has_fix', 'fix_known_since'])
          .where(
            'record_id',
            'in',
            records.map((r) => r.id),
          )
          .execute();
        for (const p of packages)
          found.get(p.record_id)?.packages.push({
            ecosystem: p.ecosystem,
            name: p.name,
            hasFix: Number(p.has_fix) === 1,
            fixKnownSince: p.fix_known_since,
          });
      }
      return found;
    },

    async put(records) {
      if (records.length === 0) return;
      const importedAt = now().toISOString();
      for (const batch of batches(records)) {
        const ids = batch.map((r) => r.advisory.id);
        const advisories = new Map(batch.map((r) => [r.advisory.id, JSON.stringify(r.advisory)]));
        await db.deleteFrom('osv_packages').where('record_id', 'in', ids).execute();
        await db
          .insertInto('osv_records')
          .values(
            batch.map((r) => ({
              id: r.advisory.id,
              modified: r.advisory.modified,
              published: r.advisory.published,
              advisory: advisories.get(r.advisory.id)!,
              imported_at: importedAt,
            })),
          )
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              modified: eb.ref('excluded.modified'),
              published: eb.ref('excluded.published'),
              advisory: eb.ref('excluded.advisory'),
              imported_at: eb.ref('excluded.imported_at'),
            })),
          )
          .execute();
        const rows = batch.flatMap((r) =>
          r.packages.map((p) => ({
            ecosystem: p.pkg.ecosystem,
            name: p.pkg.name,
            record_id: r.advisory.id,
            package: packPackage(p.pkg),
            advisory: advisories.get(r.advisory.id)!,
            has_fix: p.pkg.hasFix ? 1 : 0,
            fix_known_since: p.fixKnownSince,
          })),
        );
        for (const rowBatch of batches(rows)) await db.insertInto('osv_packages').values(rowBatch).execute();
      }
    },

    async remove(ids) {
      for (const batch of batches([...ids])) {
        await db.deleteFrom('osv_packages').where('record_id', 'in', batch).execute();
        await db.deleteFrom('osv_records').where('id', 'in', batch).execute();
      }
    },

    async findByPackages(ecosystem, names) {
      const found = new Map<string, PackageAdvisory[]>();
      const advisories = new Map<string, OsvAdvisory>();
      for (const batch of batches([...new Set(names)])) {
        const rows = await db
          .selectFrom('osv_packages')
          .select(['name', 'package', 'fix_known_since', 'record_id', 'advisory'])
          .where('ecosystem', '=', ecosystem)
          .where('name', 'in', batch)
          .execute();
        // A package's rows mostly come side by side (on SQLite, always): its list is found once for all of them.
        let lastName: string | undefined;
        let list: PackageAdvisory[] = [];
        for (const row of rows) {
          let advisory = advisories.get(row.record_id);
          if (!advisory) {
            advisory = JSON.parse(row.advisory) as OsvAdvisory;
            advisories.set(row.record_id, advisory);
          }
          if (row.name !== lastName) {
            lastName = row.name;
            const key = `${ecosystem}\u0000${row.name}`;
            const held = found.get(key);
            if (held) list = held;
            else found.set(key, (list = []));
          }
          list.push(
            new StoredPackageAdvisory(advisory, row.package, ecosystem, row.name, row.fix_known_since),
          );
        }
      }
      // Record order decides nothing, but a stable one keeps reports identical between runs and engines.
      for (const list of found.values())
        list.sort((a, b) => (a.advisory.id < b.advisory.id ? -1 : a.advisory.id > b.advisory.id ? 1 : 0));
      return found;
    },

    async ecosystems() {
      const rows = await db
        .selectFrom('osv_packages')
        .select((eb) => ['ecosystem', eb.fn.count<number | string>('record_id').as('n')])
        .groupBy('ecosystem')
        .execute();
      return new Map(rows.map((r) => [r.ecosystem, Number(r.n)]));
    },
  };
}
