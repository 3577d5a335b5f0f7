// A revision number on each organisation that the database itself raises whenever anything behind the
// organisation's assessment changes: answers, CAF outcomes, evidence and its links, the plan, publications.
// Readers that have seen a revision can reuse what they read for it; because triggers keep the number, a
// change made by any writer (the server, the dspt command in another process, another server node) is seen.
import { sql, type Kysely, type Migration } from 'kysely';
import type { Engine } from './tables.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyDb = Kysely<any>;

/** Tables that hold an `assessment_id`: a change bumps the revision of that assessment's organisation. */
const BY_ASSESSMENT = ['responses', 'outcome_responses', 'evidence_links', 'plan_actions', 'publications'];
/** Tables that hold an `organisation_id` directly. */
const BY_ORGANISATION = ['assessments', 'evidence'];

const EVENTS = [
  ['insert', 'new'],
  ['update', 'new'],
  ['delete', 'old'],
] as const;

export function assessmentRevisionMigration(engine: Engine): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .alterTable('organisations')
        .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      if (engine === 'sqlite') {
        for (const table of [...BY_ASSESSMENT, ...BY_ORGANISATION])
          for (const [event, row] of EVENTS) {
            const organisation = BY_ASSESSMENT.includes(table)
              ? sql`(select organisation_id from assessments where id = ${sql.raw(row)}.assessment_id)`
              : sql`${sql.raw(row)}.organisation_id`;
            await sql`create trigger ${sql.raw(`${table}_${event}_revision`)} after ${sql.raw(event)} on ${sql.table(table)}
              begin update organisations set revision = revision + 1 where id = ${organisation}; end`.execute(
              db,
            );
          }
        return;
      }
      await sql`create function bump_organisation_revision() returns trigger language plpgsql as $$
        declare
          changed record;
        begin
          if tg_op = 'DELETE' then changed := old; else changed := new; end if;
          if tg_argv[0] = 'organisation' then
            update organisations set revision = revision + 1 where id = changed.organisation_id;
          else
            update organisations set revision = revision + 1
              where id = (select organisation_id from assessments where id = changed.assessment_id);
          end if;
          return null;
        end
      $$`.execute(db);
      for (const table of [...BY_ASSESSMENT, ...BY_ORGANISATION]) {
        const by = BY_ASSESSMENT.includes(table) ? 'assessment' : 'organisation';
        await sql`create trigger ${sql.raw(`${table}_revision`)} after insert or update or delete on ${sql.table(table)}
          for each row execute function bump_organisation_revision(${sql.lit(by)})`.execute(db);
      }
    },
    async down(db: AnyDb) {
      if (engine === 'sqlite') {
        for (const table of [...BY_ASSESSMENT, ...BY_ORGANISATION])
          for (const [event] of EVENTS)
            await sql`drop trigger if exists ${sql.raw(`${table}_${event}_revision`)}`.execute(db);
      } else {
        await sql`drop function if exists bump_organisation_revision() cascade`.execute(db);
      }
      await db.schema.alterTable('organisations').dropColumn('revision').execute();
    },
  };
}
