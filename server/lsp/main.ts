// The language server's entry: a connection over stdio or node IPC (chosen by the command-line
// flags `--stdio` / `--node-ipc` that LSP clients pass), the server on it, and listen. The same
// bundle, started as a worker thread, runs the codex's deep layers.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { isLintWorkerData, runLintWorker } from '../../codex-core/lint-worker';
import { workerEngine } from './analysis-engine';
import { runCodexWorker } from './codex-worker';
import { listenOnConnection } from './lsp-connection';

const worker = isMainThread ? undefined : (workerData as { codexWorker?: Parameters<typeof runCodexWorker>[1] } | undefined)?.codexWorker;
if (!isMainThread && parentPort && isLintWorkerData(workerData)) {
  // Started by a workspace scan in the codex worker: ESLint on its own thread and heap.
  runLintWorker(parentPort);
} else if (worker && parentPort) {
  runCodexWorker(parentPort, worker);
} else {
  // Only the CommonJS bundle (dist/lsp-server.cjs) can start itself as the worker; the CLI's ESM
  // bundle runs every layer in this thread.
  const script = typeof __filename === 'string' && __filename.endsWith('.cjs') ? __filename : undefined;
  const connection = createConnection(ProposedFeatures.all);
  listenOnConnection(connection, script ? { createDeepEngine: (options) => workerEngine({ ...options, lintWorker: script }, script), engineSalt: () => bundleHash(script) } : {});
  connection.listen();
}

/** The server bundle's hash: it holds every rule, so it names the engine build for the scan cache. */
function bundleHash(bundle: string): string | undefined {
  try {
    return createHash('sha1').update(readFileSync(bundle)).digest('hex');
  } catch {
    return undefined;
  }
}
