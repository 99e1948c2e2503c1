import { resolveWorkerScript } from '../worker-script';

/** Finds the script the sandbox's worker threads run (dist/sandbox-worker.js, or a dev bundle). */
export function resolveWorkerPath(explicit?: string | URL): Promise<string> {
  return resolveWorkerScript('sandbox-worker', import.meta.url, explicit);
}
