// A worker thread runs a TypeScript module and what it imports, bundled once per process.
import { once } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { startTypeScriptWorker } from '../../src/collectors/typescript-worker.ts';

const ECHO = pathToFileURL(path.join(import.meta.dirname, '../fixtures/workers/echo-worker.ts'));

test('a worker runs a TypeScript module with its imports, and gets its workerData', async () => {
  const workers = [
    startTypeScriptWorker(ECHO, { workerData: { tag: 'a' } }),
    startTypeScriptWorker(ECHO, { workerData: { tag: 'b' } }),
  ];
  try {
    const answers = workers.map((w) => once(w, 'message'));
    workers.forEach((w, i) => w.postMessage(20 + i));
    expect((await Promise.all(answers)).map(([m]) => m)).toEqual([
      { doubled: 40, tag: 'a' },
      { doubled: 42, tag: 'b' },
    ]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
});

test('a worker whose module imports the one that starts workers still loads', async () => {
  const worker = startTypeScriptWorker(
    pathToFileURL(path.join(import.meta.dirname, '../fixtures/workers/starter-worker.ts')),
  );
  try {
    const [message] = (await once(worker, 'message')) as [string];
    expect(message).toBe('function');
  } finally {
    await worker.terminate();
  }
});

test('a module that cannot be found is refused, naming it, before any thread starts', () => {
  const broken = pathToFileURL(path.join(import.meta.dirname, '../fixtures/workers/no-such-worker.ts'));
  expect(() => startTypeScriptWorker(broken)).toThrow(/no-such-worker\.ts/);
});
