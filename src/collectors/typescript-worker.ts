// Starts a worker thread that runs one of our TypeScript modules. A worker does not inherit the tsx loader of
// the thread that starts it, and registering tsx in the worker and loading each module through it took 0.2 to
// 0.4 s before the worker could start on its files. Instead, the first time a process starts a given module,
// esbuild (the compiler tsx itself uses) bundles the module and everything it imports into one JavaScript
// module, kept in memory for the life of the process, and every worker runs that: it is ready in tens of
// milliseconds.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const bundles = new Map<string, URL>();

/** The module and all it imports as one JavaScript module, made once per process. */
function bundleOf(module: URL): URL {
  let bundle = bundles.get(module.href);
  if (!bundle) {
    // esbuild is loaded here, not imported: a worker's module may import the module that starts it, and its
    // bundle must then not hold esbuild (which cannot run from one), nor load it as it starts.
    const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    const built = buildSync({
      entryPoints: [fileURLToPath(module)],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    bundle = new URL(`data:text/javascript,${encodeURIComponent(built.outputFiles[0]!.text)}`);
    bundles.set(module.href, bundle);
  }
  return bundle;
}

/**
 * A worker thread running the TypeScript module at `module`. The parent's Node.js flags are not passed on
 * (an --import of tsx among them would load the loader all the same).
 */
export function startTypeScriptWorker(module: URL, options: Omit<WorkerOptions, 'execArgv'> = {}): Worker {
  return new Worker(bundleOf(module), { ...options, execArgv: [] });
}
