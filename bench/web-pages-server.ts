// The server side of the web benchmark, in its own process so that the load generator does not share its
// event loop: builds a data folder, an organisation, 200 signed-in sessions, and prints where to find them.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recordAnswer } from '../src/app/record-answer.ts';
import { registerOrganisation } from '../src/app/register-organisation.ts';
import { startSession } from '../src/app/start-session.ts';
import { readConfig } from '../src/config.ts';
import { createContainer } from '../src/container.ts';
import { buildServer } from '../src/web/server.ts';
import { CSRF_COOKIE, SESSION_COOKIE } from '../src/web/set-up-sessions.ts';

const CLIENTS = Number(process.argv[2] ?? 200);

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
// Both cookies, as a browser sends them after its first page: the session, and the seed of its CSRF tokens.
for (let i = 0; i < CLIENTS; i++)
  cookies.push(
    `${SESSION_COOKIE}=${await startSession(deps.store, deps, userId, true)}; ${CSRF_COOKIE}=${randomBytes(32).toString('base64url')}`,
  );

const app = await buildServer({
  catalogue: deps.catalogue,
  accounts: { deps, csrfKey: container.value.csrfKey },
});
// Two baselines, both a fixed string: one bare (no session lookup at all), and one behind the session check
// every signed-in page passes, so that the page's own work can be told from the sign-in's.
app.get('/bench/baseline', { config: { sessionless: true } }, async () => 'ok');
app.get('/bench/baseline-signed-in', async () => 'ok');
// The server's own CPU time so far, so each run can report the CPU a request costs: a figure that other work
// on the machine disturbs far less than requests per second.
app.get('/bench/cpu', { config: { sessionless: true } }, async () => {
  const { user, system } = process.cpuUsage();
  return { micros: user + system };
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
if (!address || typeof address === 'string') throw new Error('no address');
process.stdout.write(`${JSON.stringify({ base: `http://127.0.0.1:${address.port}`, cookies, dataDir })}\n`);
