// Run as a separate process by kysely-store.test.ts: opens the database it is given and appends audit events,
// so the test can show that processes sharing one database never fork the chain.
import { openDatabase, type DatabaseConfig } from '../../../src/infra/db/connect.ts';
import { createKyselyStore } from '../../../src/infra/db/kysely-store.ts';

const [configJson, prefix, countText, startAtText] = process.argv.slice(2);
if (configJson === undefined || prefix === undefined || countText === undefined || startAtText === undefined)
  throw new Error(
    'usage: append-audit-events.child.ts <config json> <subject prefix> <count> <start at, epoch ms>',
  );

const opened = openDatabase(JSON.parse(configJson) as DatabaseConfig);
const store = createKyselyStore(opened.db, opened.engine);
// Every process starts appending at the same moment, so their appends really do overlap.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAtText) - Date.now())));
try {
  // Concurrent within this process as well, so PostgreSQL sees several of our connections contend at once.
  await Promise.all(
    Array.from({ length: Number(countText) }, (_, i) =>
      store.audit.append({
        actor: prefix,
        action: 'test.append',
        organisationId: null,
        subject: `${prefix}-${i}`,
      }),
    ),
  );
} finally {
  await store.close();
}
