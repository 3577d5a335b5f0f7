// The organisation home page and the task list under 200 concurrent signed-in clients (each its own
// session), against a baseline route that returns a fixed string from the same server in the same run.
// Targets: p99 under 100 ms on the home page; throughput at least a third of the baseline's.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { recordAnswer } from '../src/app/record-answer.ts';
import { registerOrganisation } from '../src/app/register-organisation.ts';
import { startSession } from '../src/app/start-session.ts';
import { readConfig } from '../src/config.ts';
import { createContainer } from '../src/container.ts';
import { buildServer } from '../src/web/server.ts';

const CLIENTS = 200;
const SECONDS = 10;

export async function webPages(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'dspt-bench-web-'));
  const config = readConfig({ DSPT_DATA_DIR: dataDir, EVIDENCE_KEY: 'cd'.repeat(32) });
  if (!config.ok) throw new Error(config.error.message);
  const container = await createContainer(config.value, { warn: () => {} });
  if (!container.ok) throw new Error(container.error.message);
  const { deps } = container.value;
  const operator = { kind: 'operator' as const, name: 'bench' };
  await registerOrganisation(deps, operator, {
    odsCode: 'A81001',
    name: 'Riverside Surgery',
    type: 'gp-practice',
  });
  // A part-answered assessment, so the pages show a realistic mix of states and reasons.
  for (const a of deps.catalogue.itemsFor('4').filter((_, i) => i % 2 === 0))
    await recordAnswer(deps, operator, {
      odsCode: 'A81001',
      itemId: a.item.id,
      answer:
        a.item.responseType === 'yes-no'
          ? { type: 'yes-no', value: true }
          : a.item.responseType === 'date'
            ? { type: 'date', value: '2026-01-10' }
            : { type: 'text', value: 'In the governance folder' },
    });
  const userId = randomUUID();
  const now = new Date().toISOString();
  await deps.store.accounts.users.insert({
    id: userId,
    email: 'bench@example.nhs.uk',
    name: 'Bench',
    passwordHash: 'x',
    platformRole: 'operator',
    totpSecret: null,
    mfaEnrolledAt: now,
    recoveryCodes: [],
    failedSignIns: 0,
    lockedUntil: null,
    createdAt: now,
    lastSignInAt: now,
  });
  const cookies: string[] = [];
  for (let i = 0; i < CLIENTS; i++)
    cookies.push(`__Host-dspt_session=${await startSession(deps.store, deps, userId, true)}`);

  const app = await buildServer({
    catalogue: deps.catalogue,
    accounts: { deps, csrfKey: container.value.csrfKey },
  });
  app.get('/bench/baseline', async () => 'ok');
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  const base = `http://127.0.0.1:${address.port}`;

  const run = async (name: string, url: string) => {
    let next = 0;
    const result = await autocannon({
      url: base + url,
      connections: CLIENTS,
      duration: SECONDS,
      setupClient: (client) => client.setHeaders({ cookie: cookies[next++ % CLIENTS]! }),
    });
    const bad = result.non2xx + result.errors;
    console.log(
      `  ${name.padEnd(24)} ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms${bad ? `, ${bad} failed` : ''}`,
    );
    return result;
  };

  console.log(`web pages: ${CLIENTS} concurrent signed-in clients, ${SECONDS} s each`);
  const baseline = await run('baseline (fixed string)', '/bench/baseline');
  const home = await run('organisation home page', '/organisations/A81001');
  const tasks = await run('task list', '/organisations/A81001/tasks');
  for (const [name, r] of [
    ['home page', home],
    ['task list', tasks],
  ] as const) {
    const ratio = r.requests.average / baseline.requests.average;
    console.log(
      `  ${name}: throughput ${ratio.toFixed(2)} of the baseline (target at least 0.33) ${ratio >= 1 / 3 ? 'MET' : 'NOT MET'}; p99 ${r.latency.p99} ms (target under 100 ms on the home page)${name === 'home page' ? (r.latency.p99 < 100 ? ' MET' : ' NOT MET') : ''}`,
    );
  }
  await app.close();
  await container.value.close();
  await rm(dataDir, { recursive: true, force: true });
}
