// npm run bench: each benchmark prints its figures and its ratio to a baseline measured in the same run,
// because the machines are shared and noisy: absolute times move, ratios hold.
import { loadCatalogue } from '../src/infra/catalogue-loader.ts';
import { ORGANISATIONS, evaluateAll, generateOrganisations, walkWithoutRules } from './status-engine.ts';

function timeBest(rounds: number, work: () => number): { ms: number; check: number } {
  let best = Infinity;
  let check = 0;
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    check = work();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (ms < best) best = ms;
  }
  return { ms: best, check };
}

async function statusEngine(): Promise<void> {
  const loaded = await loadCatalogue();
  if (!loaded.ok) throw new Error('the catalogue does not load; run npx dspt catalogue check');
  const inputs = generateOrganisations(loaded.catalogue);
  const mix = new Map<string, number>();
  for (const i of inputs) {
    const c = loaded.catalogue.organisationTypes.get(i.organisation.type)!.category;
    mix.set(c, (mix.get(c) ?? 0) + 1);
  }
  // Warm both paths so the JIT has compiled them before timing; then alternate, keeping each one's best.
  walkWithoutRules(inputs);
  evaluateAll(inputs);
  let floor = Infinity;
  let engine = Infinity;
  for (let round = 0; round < 9; round++) {
    floor = Math.min(floor, timeBest(1, () => walkWithoutRules(inputs)).ms);
    engine = Math.min(engine, timeBest(1, () => evaluateAll(inputs)).ms);
  }
  const perSecond = (ms: number) => Math.round((ORGANISATIONS / ms) * 1000);
  const statuses = new Map<string, number>();
  const { computeStatus } = await import('../src/domain/status/compute-status.ts');
  for (const i of inputs) {
    const s = computeStatus(i).status;
    statuses.set(s, (statuses.get(s) ?? 0) + 1);
  }
  console.log(
    `status engine: ${ORGANISATIONS} organisations (categories ${[...mix]
      .sort()
      .map(([c, n]) => `${c}:${n}`)
      .join(' ')})`,
  );
  console.log(`  statuses: ${[...statuses].map(([s, n]) => `${s} ${n}`).join(', ')}`);
  console.log(
    `  floor (read and walk, no rules): ${floor.toFixed(1)} ms, ${perSecond(floor)} organisations/s`,
  );
  console.log(
    `  engine (full status and reasons): ${engine.toFixed(1)} ms, ${perSecond(engine)} organisations/s`,
  );
  const ratio = engine / floor;
  console.log(`  ratio to floor: ${ratio.toFixed(2)}x (target: within 2x) ${ratio <= 2 ? 'MET' : 'NOT MET'}`);
}

// Each benchmark by name; `npm run bench -- status` runs one, `npm run bench` runs them all.
const BENCHMARKS: Record<string, () => Promise<void>> = {
  status: statusEngine,
  web: () => import('./web-pages.ts').then((m) => m.webPages()),
  'access-review': () => import('./access-review.ts').then((m) => m.accessReview()),
  'dr-drill': () => import('./dr-drill.ts').then((m) => m.drDrill()),
  vulnerabilities: () => import('./vulnerabilities.ts').then((m) => m.vulnerabilities()),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark ${unknown.join(', ')}; expected one of ${Object.keys(BENCHMARKS).join(', ')}`,
  );
  process.exit(2);
}
for (const [name, run] of Object.entries(BENCHMARKS))
  if (wanted.length === 0 || wanted.includes(name)) await run();
