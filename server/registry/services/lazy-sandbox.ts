import { createSandbox, type InvocationRequest, type Sandbox, type SandboxOptions } from '../sandbox/sandbox';
import type { InvocationResult } from '../../../protocol/sandbox';
import { completeCeilings } from '../sandbox/limits';

/**
 * The registry's sandbox, started on the first invocation: most requests never run plugin code, and
 * a registry (or a test) that never does should not pay for a pool of worker threads.
 */
export function createLazySandbox(options: SandboxOptions = {}): Sandbox {
  let sandbox: Sandbox | undefined;
  const real = () => (sandbox ??= createSandbox(options));
  return {
    invoke: (request: InvocationRequest): Promise<InvocationResult> => real().invoke(request),
    get ceilings() {
      return sandbox?.ceilings ?? completeCeilings(options.ceilings);
    },
    stats: () => sandbox?.stats() ?? { workers: 0, readyWorkers: 0, inFlight: 0, queued: 0, workersReplaced: 0 },
    async close() {
      await sandbox?.close();
      sandbox = undefined;
    },
  };
}
