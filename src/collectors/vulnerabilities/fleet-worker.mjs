// Starts fleet-worker.ts in a worker thread: a worker does not inherit the TypeScript loader of the thread
// that starts it, so it registers tsx first.
import { register } from 'tsx/esm/api';

register();
await import('./fleet-worker.ts');
