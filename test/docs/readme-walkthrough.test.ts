// Runs the README's walk-through exactly as written, in bash, against the real `dspt` command in a fresh
// folder: if the README and the product drift apart, this fails.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function walkthrough(): Promise<string> {
  const readme = await readFile(path.join(root, 'README.md'), 'utf8');
  const match = /<!-- walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme);
  if (!match?.[1]) throw new Error('README.md has no walk-through between the walkthrough markers');
  return match[1];
}

describe('the README walk-through', () => {
  let dir: string;
  let output: { stdout: string; stderr: string };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dspt-readme-'));
    // `npx dspt` runs this checkout's command; everything else in the script runs as written.
    const script = `set -eo pipefail\nnpx() { [ "$1" = dspt ] || return 127; shift; node "${root}/bin/dspt.js" "$@"; }\n${await walkthrough()}`;
    output = await promisify(execFile)('bash', ['-c', script], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_PATH: path.join(root, 'node_modules') },
      maxBuffer: 16 * 1024 * 1024,
    });
  }, 300_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('reaches Standards Met with all 29 mandatory items', () => {
    expect(output.stdout).toMatch(/Status: Standards Met\nMandatory items met: 29 of 29/);
  });

  test('shows Standards Not Met naming 3.2.1 after it changes to no, and status --check exits 1', () => {
    expect(output.stdout).toMatch(
      /Status: Standards Not Met\nMandatory items met: 28 of 29\n\nWhat is missing:\n {2}- 3\.2\.1 [^\n]*answered "no"/,
    );
    expect(output.stdout).toContain('status --check exits 1 when not Met');
  });

  test('drafts the plan and publishes a baseline with its hash', () => {
    expect(output.stdout).toMatch(/Improvement plan for A81001: 1 action\.\n\n3\.2\.1: answered "no"/);
    expect(output.stdout).toMatch(
      /Published the baseline assessment of A81001: Standards Not Met\.[\s\S]*Snapshot SHA-256: [0-9a-f]{64}/,
    );
  });

  test('audit verify passes, then fails after a row is altered by hand', () => {
    expect(output.stdout).toMatch(/Audit chain intact: \d+ events verified/);
    expect(output.stderr).toContain('Audit chain broken at event 3');
    expect(output.stdout).toContain('tampering detected');
  });

  test('the evidence file was stored encrypted, never in plain text', async () => {
    expect(
      (await readdir(path.join(dir, 'data', 'evidence'), { recursive: true })).some((f) =>
        f.endsWith('.enc'),
      ),
    ).toBe(true);
    const { stdout } = await promisify(execFile)('grep', [
      '-rl',
      'Information asset register',
      path.join(dir, 'data'),
    ]).catch((e: { stdout: string }) => e);
    expect(stdout).toBe('');
  });
});
