// The organisation home page and the task list under 200 concurrent signed-in clients (each its own
// session), against a baseline route that returns a fixed string from the same server in the same run.
// Targets: p99 under 100 ms on the home page; throughput at least a third of the baseline's.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const CLIENTS = 200;
const SECONDS = 10;

export async function webPages(): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./web-pages-server.ts', import.meta.url)), String(CLIENTS)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      if (buffer.includes('\n')) resolve(buffer.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`the benchmark server stopped (${code})`)));
  });
  const { base, cookies, dataDir } = JSON.parse(line) as { base: string; cookies: string[]; dataDir: string };

  const serverCpu = async () =>
    ((await (await fetch(`${base}/bench/cpu`)).json()) as { micros: number }).micros;

  const run = async (name: string, url: string) => {
    let next = 0;
    const cpuBefore = await serverCpu();
    const result = await autocannon({
      url: base + url,
      connections: CLIENTS,
      duration: SECONDS,
      // What a browser sends on every request: its cookies, and the encodings it can read.
      setupClient: (client) =>
        client.setHeaders({ cookie: cookies[next++ % CLIENTS]!, 'accept-encoding': 'gzip, deflate, br' }),
    });
    const cpuPerRequest = (await serverCpu()) - cpuBefore;
    const bad = result.non2xx + result.errors;
    console.log(
      `  ${name.padEnd(24)} ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, server CPU ${Math.round(cpuPerRequest / result.requests.total)} µs a request${bad ? `, ${bad} failed` : ''}`,
    );
    return result;
  };

  console.log(`web pages: ${CLIENTS} concurrent signed-in clients, ${SECONDS} s each`);
  const baseline = await run('baseline (fixed string)', '/bench/baseline');
  const signedIn = await run('fixed string, signed in', '/bench/baseline-signed-in');
  const home = await run('organisation home page', '/organisations/A81001');
  const tasks = await run('task list', '/organisations/A81001/tasks');
  for (const [name, r] of [
    ['home page', home],
    ['task list', tasks],
  ] as const) {
    const ratio = r.requests.average / baseline.requests.average;
    const toSignedIn = r.requests.average / signedIn.requests.average;
    console.log(
      `  ${name}: throughput ${ratio.toFixed(2)} of the baseline (target at least 0.33) ${ratio >= 1 / 3 ? 'MET' : 'NOT MET'}, ${toSignedIn.toFixed(2)} of the signed-in fixed string; p99 ${r.latency.p99} ms (target under 100 ms on the home page)${name === 'home page' ? (r.latency.p99 < 100 ? ' MET' : ' NOT MET') : ''}`,
    );
  }
  child.kill();
  await rm(dataDir, { recursive: true, force: true });
}
