// The worker-thread entry of the sandbox: loads QuickJS once, then runs invocations as the
// registry sends them. Several invocations may be in flight at once (one waits on a bridge call
// while another runs); each has its own QuickJS runtime. Built to dist/sandbox-worker.js.
import { parentPort } from 'node:worker_threads';
import { newQuickJSWASMModule } from 'quickjs-emscripten';
import type { RegistryToWorkerMessage, WorkerToRegistryMessage } from '../../../protocol/sandbox';
import { WorkerInvocation } from './worker-invocation';

const port = parentPort;
if (!port) throw new Error('sandbox-worker must run in a worker thread');

const quickjs = await newQuickJSWASMModule();
const invocations = new Map<number, WorkerInvocation>();
const send = (message: WorkerToRegistryMessage): void => port.postMessage(message);

port.on('message', (message: RegistryToWorkerMessage) => {
  switch (message.type) {
    case 'invoke': {
      const invocation = new WorkerInvocation(quickjs, message, (callId, op, argsJson) => send({ type: 'bridgeCall', invocationId: message.id, callId, op, argsJson }));
      invocations.set(message.id, invocation);
      void invocation.run().then((outcome) => {
        invocations.delete(message.id);
        send({ type: 'result', id: message.id, outcome, retire: invocation.abandoned || invocation.disposeFailed });
        // A runtime that could not be freed may have left the shared WASM heap inconsistent: end
        // this worker (the registry replaces it) rather than run further plugins on it.
        if (invocation.disposeFailed) process.exit(70);
      });
      return;
    }
    case 'bridgeReply':
      invocations.get(message.invocationId)?.onBridgeReply(message);
      return;
    default: {
      const unknown: never = message;
      throw new Error(`unknown message ${JSON.stringify(unknown)}`);
    }
  }
});
send({ type: 'ready' });
