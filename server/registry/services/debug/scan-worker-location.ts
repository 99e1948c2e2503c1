import { resolveWorkerScript } from '../../worker-script';

/** Finds the script the debug engine's scan worker runs (dist/scan-worker.js, or a dev bundle). */
export function resolveScanWorkerPath(explicit?: string): Promise<string> {
  return resolveWorkerScript('scan-worker', import.meta.url, explicit);
}
