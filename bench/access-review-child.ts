// One timed side of the access-review benchmark, in its own process so that its peak memory is its own:
// `collector` runs `dspt collect access-review --dry-run --json` in-process; `duckdb` runs the same joins
// and counts in DuckDB. Prints one JSON line: time, peak resident memory and the counts, to compare.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [mode, users, hr, training, at] = process.argv.slice(2) as [string, string, string, string, string];

async function collector(): Promise<Record<string, number>> {
  const { main } = await import('../src/cli/main.ts');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'dspt-bench-data-'));
  let out = '';
  let err = '';
  const code = await main(
    [
      'node',
      'dspt',
      'collect',
      'access-review',
      '--org',
      'RX1',
      '--idp',
      users,
      '--hr',
      hr,
      '--training',
      training,
      '--at',
      at,
      '--dry-run',
      '--json',
    ],
    {
      out: (t) => (out += t),
      err: (t) => (err += t),
      env: { DSPT_DATA_DIR: dataDir, EVIDENCE_KEY: 'ab'.repeat(32), DSPT_NOW: `${at}T12:00:00Z` },
    },
  );
  await rm(dataDir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`collector exited ${code}: ${err}`);
  const { summary } = JSON.parse(out) as {
    summary: {
      counts: Record<string, number>;
      found: Record<string, number>;
      training: { covered: number; of: number };
    };
  };
  return {
    matchedByNumber: summary.counts.matchedByEmployeeNumber!,
    matchedByEmail: summary.counts.matchedByEmail!,
    enabled: summary.counts.enabled!,
    leavers: summary.found.leaver!,
    unmatchedMembers: summary.found.unmatchedMembers!,
    unmatchedGuests: summary.found.unmatchedGuests!,
    unmatchedService: summary.found.unmatchedService!,
    dormant: summary.found.dormant!,
    activeStaff: summary.training.of,
    trained: summary.training.covered,
  };
}

async function duckdb(): Promise<Record<string, number>> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  const q = (s: string) => s.replace(/\$at/g, `DATE '${at}'`);
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
  await db.run(`create table hr as select upper(trim("Employee Number")) as en, lower(trim("Email")) as email,
      "Status" as status, try_cast("Start Date" as date) as start_date, try_cast(nullif("Leave Date", '') as date) as leave_date
    from read_csv(${lit(hr)}, header = true, all_varchar = true)`);
  await db.run(
    q(`create table hr2 as select *,
      case when leave_date is not null then leave_date <= $at else regexp_matches(coalesce(status, ''), '^(leaver|left|terminated|inactive|resigned|retired|dismissed|ended|former)', 'i') end as has_left
    from hr`),
  );
  await db.run(`create table hr_email as select distinct on (email) * from hr2 where email is not null and email <> ''
      order by email, (not has_left and (start_date is null or start_date <= DATE '${at}')) desc`);
  await db.run(`create table u as select * from read_json(${lit(users)}, format = 'array', columns = {
      id: 'VARCHAR', userPrincipalName: 'VARCHAR', mail: 'VARCHAR', userType: 'VARCHAR', accountEnabled: 'BOOLEAN',
      employeeId: 'VARCHAR', createdDateTime: 'VARCHAR',
      signInActivity: 'STRUCT(lastSignInDateTime VARCHAR, lastNonInteractiveSignInDateTime VARCHAR, lastSuccessfulSignInDateTime VARCHAR)'})`);
  // Plain equi-joins, with the first match chosen by coalesce: a join condition like "h1.en is null and ..."
  // makes DuckDB fall back from a hash join and run for many minutes.
  await db.run(`create table m as select u.*,
      case when u.userType = 'Guest' or u.userPrincipalName like '%#EXT#%' then 'guest'
           when regexp_matches(split_part(u.userPrincipalName, '@', 1), '^(svc|srv|service|sa|app|api|bot|system|noreply|no-reply|scanner|sync)([._-]|[0-9]|$)', 'i') then 'service'
           else 'member' end as kind,
      coalesce(h1.en, h2.en, h3.en) as hr_en, h1.en is not null as by_number, h1.en is null and coalesce(h2.en, h3.en) is not null as by_email,
      coalesce(h1.has_left, h2.has_left, h3.has_left) as has_left, coalesce(h1.leave_date, h2.leave_date, h3.leave_date) as leave_date,
      substr(coalesce(u.signInActivity.lastSuccessfulSignInDateTime,
        greatest(u.signInActivity.lastSignInDateTime, u.signInActivity.lastNonInteractiveSignInDateTime)), 1, 10) as last_day
    from u
    left join hr2 h1 on upper(trim(u.employeeId)) = h1.en
    left join hr_email h2 on lower(trim(u.mail)) = h2.email
    left join hr_email h3 on lower(trim(u.userPrincipalName)) = h3.email`);
  const counts = await db.runAndReadAll(
    q(`select
      count(*) filter (where by_number) as matchedByNumber,
      count(*) filter (where by_email) as matchedByEmail,
      count(*) filter (where accountEnabled) as enabled,
      count(*) filter (where accountEnabled and has_left and (leave_date is null or $at > leave_date + 1)) as leavers,
      count(*) filter (where accountEnabled and hr_en is null and kind = 'member') as unmatchedMembers,
      count(*) filter (where accountEnabled and hr_en is null and kind = 'guest') as unmatchedGuests,
      count(*) filter (where accountEnabled and hr_en is null and kind = 'service') as unmatchedService,
      count(*) filter (where accountEnabled and (
        (last_day is null and (createdDateTime is null or substr(createdDateTime, 1, 10) < cast($at - 90 as varchar)))
        or last_day < cast($at - 90 as varchar))) as dormant
    from m`),
  );
  const training1 = await db.runAndReadAll(
    q(`with t as (
        select upper(trim("Employee Number")) as en, lower(trim("Email")) as email, "Course" as course,
               try_cast(nullif("Completion Date", '') as date) as done
        from read_csv(${lit(training)}, header = true, all_varchar = true)),
      matched as (
        select coalesce(h1.en, h2.en) as en from t
        left join hr2 h1 on t.en = h1.en
        left join hr_email h2 on t.email = h2.email
        where t.done > $at - interval 12 month and t.done <= $at
          and regexp_matches(t.course, 'data security|information governance|data protection|cyber|\\bIG\\b|\\bDSA\\b', 'i')),
      active as (select en from hr2 where not has_left and (start_date is null or start_date <= $at))
      select (select count(*) from active) as activeStaff,
             (select count(distinct a.en) from active a join matched x on x.en = a.en) as trained`),
  );
  const [row] = counts.getRowObjects();
  const [t] = training1.getRowObjects();
  const all = { ...row, ...t } as Record<string, unknown>;
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, Number(v)]));
}

const start = process.hrtime.bigint();
const counts = mode === 'duckdb' ? await duckdb() : await collector();
const ms = Number(process.hrtime.bigint() - start) / 1e6;
// maxRSS is in kilobytes: the peak resident memory of this whole process, DuckDB's native memory included.
const peakMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ ms, peakMb, counts })}\n`);
