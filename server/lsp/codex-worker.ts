import type { MessagePort } from 'node:worker_threads';
import type { CodexOptions } from '../../codex-core';
import { inProcessEngine, type WorkerRequest, type WorkerResponse } from './analysis-engine';

/**
 * The body of the codex worker thread: an in-process engine answering the server thread's
 * requests in order (the engine serialises them). Only `cancel` is handled out of turn.
 */
export function runCodexWorker(port: MessagePort, options: CodexOptions): void {
  const engine = inProcessEngine(options);
  const controllers = new Map<number, AbortController>();
  const reply = (message: WorkerResponse): void => port.postMessage(message);
  port.on('message', (request: WorkerRequest) => {
    const answer = (work: Promise<unknown>): void => {
      work.then((result) => reply({ id: request.id, result }), (error: Error) => reply({ id: request.id, error: error.message }));
    };
    switch (request.method) {
      case 'analyze': {
        // Cancellable while it waits for its turn or its debounce: a newer edit supersedes it.
        const controller = new AbortController();
        controllers.set(request.id, controller);
        return answer(engine.analyze(request.file, request.text, request.layer, request.categories, { signal: controller.signal, ...(request.notBefore ? { notBefore: request.notBefore } : {}) }).finally(() => controllers.delete(request.id)));
      }
      case 'fixAll':
        return answer(engine.fixAll(request.file, request.text));
      case 'resolveFixes':
        return answer(engine.resolveFixes(request.file, request.text));
      case 'analyzeProject': {
        const controller = new AbortController();
        controllers.set(request.id, controller);
        return answer(engine.analyzeProject(request.categories, (progress) => reply({ id: request.id, progress }), controller.signal, request.cacheFile).finally(() => controllers.delete(request.id)));
      }
      case 'cancel':
        controllers.get(request.target)?.abort();
        return;
      case 'setOverlay':
        engine.setOverlay(request.file, request.text);
        return answer(Promise.resolve(true));
      default: {
        const unknown: never = request;
        reply({ id: (unknown as { id: number }).id, error: 'unknown request' });
      }
    }
  });
}
