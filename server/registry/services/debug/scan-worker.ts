import { parentPort } from 'node:worker_threads';
import { createCodex, type Codex } from '../../../../codex-core/index';
import type { ScanRequest, ScanResponse } from './scan-worker-client';

/**
 * The body of the debug engine's scan worker thread: codex-core (ts-morph and ESLint, synchronous
 * and heavy) runs here so the registry's main thread keeps answering requests. One codex per plugin
 * workspace root, created on first use and dropped on `release`; a request names its root and entry
 * points, so a restarted worker (after a timeout or a crash) re-creates what it needs.
 */
function serve(port: NonNullable<typeof parentPort>): void {
  const codices = new Map<string, Codex>();
  const controllers = new Map<number, AbortController>();
  const reply = (message: ScanResponse): void => port.postMessage(message);
  const codexOf = (root: string, entryPoints: readonly string[]): Codex => {
    let codex = codices.get(root);
    if (!codex) {
      codex = createCodex({ root, config: { entryPoints: [...entryPoints] } });
      codices.set(root, codex);
    }
    return codex;
  };
  const answer = (id: number, work: () => Promise<unknown>): void => {
    const controller = new AbortController();
    controllers.set(id, controller);
    Promise.resolve().then(() => work()).then(
      (result) => reply({ id, result }),
      (error: unknown) => reply({ id, error: error instanceof Error ? error.message : String(error) }),
    ).finally(() => controllers.delete(id));
  };

  port.on('message', (request: ScanRequest) => {
    switch (request.method) {
      case 'scan':
        return answer(request.id, () => codexOf(request.root, request.entryPoints).analyzeProject({
          onProgress: (progress) => reply({ id: request.id, progress: { done: progress.done, total: progress.total, file: progress.file } }),
          signal: controllers.get(request.id)!.signal,
        }));
      case 'security':
        return answer(request.id, async () => {
          const codex = codexOf(request.root, request.entryPoints);
          const findings = [];
          for (const file of codex.projectFiles()) findings.push(...(await codex.analyzeFile(file, { layers: 'full', categories: ['security'] })).findings);
          return findings;
        });
      case 'analyze':
        return answer(request.id, async () => {
          const codex = codexOf(request.root, request.entryPoints);
          codex.setOverlay(request.file, request.text);
          try {
            return await codex.analyzeFile(request.file, { layers: 'full', signal: controllers.get(request.id)!.signal });
          } finally {
            codex.setOverlay(request.file, undefined);
          }
        });
      case 'release':
        codices.delete(request.root);
        return reply({ id: request.id, result: true });
      case 'cancel':
        controllers.get(request.target)?.abort();
        return;
      default: {
        const unknown: never = request;
        reply({ id: (unknown as { id: number }).id, error: 'unknown scan worker request' });
      }
    }
  });
}

if (parentPort) serve(parentPort);
