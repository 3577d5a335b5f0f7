// The OSV index part of the Store over Kysely, the same on SQLite and PostgreSQL. Writes go in batches small
// enough for either engine's limit on bound parameters.
import type { Kysely } from 'kysely';
import type { PackageAdvisory } from '../../collectors/vulnerabilities/analyse.ts';
import { packageKey } from '../../collectors/vulnerabilities/ecosystems.ts';
import type { OsvAdvisory, OsvPackage } from '../../collectors/vulnerabilities/osv.ts';
import type { FoundPackageAdvisories, OsvRecordVersion, OsvStore } from '../../app/osv-ports.ts';
import { packPackage, unpackPackage } from './osv-packed-package.ts';
import type { OsvPackagesTable } from './osv-tables.ts';
import type { Database } from './tables.ts';

const BATCH = 500;

function* batches<T>(items: readonly T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * A record's view of a package as stored: its ranges, and its advisory, are kept as the stored text and read
 * from it when they are asked for (the advisory once). A scan looks up every package of the fleet while it
 * reads, and holding them all as objects until it matches them cost more in garbage collection than reading
 * them did; most records never match, and their advisories are never read.
 */
class StoredPackageAdvisory implements PackageAdvisory {
  #advisory: OsvAdvisory | undefined;

  constructor(
    private readonly advisoryText: string,
    private readonly stored: string,
    private readonly ecosystem: string,
    private readonly name: string,
    readonly fixKnownSince: string | null,
  ) {}

  get advisory(): OsvAdvisory {
    return (this.#advisory ??= JSON.parse(this.advisoryText) as OsvAdvisory);
  }

  get pkg(): OsvPackage {
    return unpackPackage(this.stored, this.ecosystem, this.name);
  }
}

/**
 * One lookup's rows, kept as one string until a package's are asked for: every row's fix date, package and
 * advisory side by side, and where each begins. Tens of thousands of rows then cost the scan's thread one large
 * string (which the garbage collector never copies) and a few arrays of numbers, rather than several small
 * strings and objects each, copied as they age.
 */
class PackedPackageAdvisories implements FoundPackageAdvisories {
  constructor(
    private readonly ecosystem: string,
    private readonly text: string,
    /**
     * Four per row: where its fix date (-1 when it has none), package and advisory begin, and where the
     * advisory ends.
     */
    private readonly places: Int32Array,
    /** Each package's first row, and (one past) its last, by `ecosystem \0 name`. */
    private readonly rows: Map<string, { name: string; from: number; to: number }>,
  ) {}

  keys(): IterableIterator<string> {
    return this.rows.keys();
  }

  get(key: string): PackageAdvisory[] | undefined {
    const found = this.rows.get(key);
    if (!found) return undefined;
    const { text, places } = this;
    const list: PackageAdvisory[] = [];
    for (let r = found.from; r < found.to; r++) {
      const since = places[r * 4]!;
      const pkg = places[r * 4 + 1]!;
      const advisory = places[r * 4 + 2]!;
      const end = places[r * 4 + 3]!;
      list.push(
        new StoredPackageAdvisory(
          text.slice(advisory, end),
          text.slice(pkg, advisory),
          this.ecosystem,
          found.name,
          since < 0 ? null : text.slice(since, pkg),
        ),
      );
    }
    return list;
  }
}

/** The columns of osv_packages a lookup reads. */
type PackageRow = Pick<OsvPackagesTable, 'name' | 'record_id' | 'package' | 'advisory' | 'fix_known_since'>;

/** Packs a lookup's rows, each package's in record order: a stable order keeps reports identical between runs. */
function packRows(ecosystem: string, rows: readonly PackageRow[]): PackedPackageAdvisories {
  // A package's rows mostly come side by side, in record order (on SQLite, always): they are sorted only if not.
  const byName = new Map<string, PackageRow[]>();
  let lastName: string | undefined;
  let list: PackageRow[] = [];
  for (const row of rows) {
    if (row.name !== lastName) {
      lastName = row.name;
      const held = byName.get(row.name);
      if (held) list = held;
      else byName.set(row.name, (list = []));
    }
    list.push(row);
  }
  const parts: string[] = [];
  const places = new Int32Array(rows.length * 4);
  const packages = new Map<string, { name: string; from: number; to: number }>();
  let at = 0;
  let r = 0;
  for (const [name, held] of byName) {
    for (let i = 1; i < held.length; i++)
      if (held[i - 1]!.record_id > held[i]!.record_id) {
        held.sort((a, b) => (a.record_id < b.record_id ? -1 : a.record_id > b.record_id ? 1 : 0));
        break;
      }
    const from = r;
    for (const row of held) {
      const since = row.fix_known_since ?? '';
      places[r * 4] = row.fix_known_since === null ? -1 : at;
      places[r * 4 + 1] = at += since.length;
      places[r * 4 + 2] = at += row.package.length;
      places[r * 4 + 3] = at += row.advisory.length;
      parts.push(since, row.package, row.advisory);
      r++;
    }
    packages.set(packageKey(ecosystem, name), { name, from, to: r });
  }
  return new PackedPackageAdvisories(ecosystem, parts.join(''), places, packages);
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
      const rows: PackageRow[] = [];
      for (const batch of batches([...new Set(names)])) {
        const found = await db
          .selectFrom('osv_packages')
          .select(['name', 'package', 'fix_known_since', 'record_id', 'advisory'])
          .where('ecosystem', '=', ecosystem)
          .where('name', 'in', batch)
          .execute();
        for (const row of found) rows.push(row);
      }
      return packRows(ecosystem, rows);
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
