// The worker-thread entry of the sandbox: loads QuickJS once, then runs invocations as the
// registry sends them. Several invocations may be in flight at once (one waits on a bridge call
// while another runs); each has its own QuickJS runtime, new or (isolation 'warm') reused from
// the cache. Built to dist/sandbox-worker.js.
import { parentPort } from 'node:worker_threads';
import { newQuickJSWASMModule } from 'quickjs-emscripten';
import type { RegistryToWorkerMessage, WorkerInvokeMessage, WorkerToRegistryMessage } from '../../../protocol/sandbox';
import { PluginVm } from './plugin-vm';
import { PluginVmCache } from './plugin-vm-cache';
import { WorkerInvocation } from './worker-invocation';

const port = parentPort;
if (!port) throw new Error('sandbox-worker must run in a worker thread');

const quickjs = await newQuickJSWASMModule();
const invocations = new Map<number, WorkerInvocation>();
const send = (message: WorkerToRegistryMessage): void => port.postMessage(message);
/** Set once QuickJS failed to free a runtime: the shared WASM heap may be inconsistent. */
let corrupt = false;
const release = (vm: PluginVm): void => {
  if (!vm.dispose()) corrupt = true;
};
const cache = new PluginVmCache(release);
/**
 * WASM memory grows but never shrinks: a worker whose heap grew past this (many large warm VMs,
 * abandoned runtimes) retires and a fresh one takes its place.
 */
const MAX_WASM_HEAP_BYTES = 1024 * 1024 * 1024;

async function invoke(message: WorkerInvokeMessage): Promise<void> {
  const warm = message.isolation === 'warm';
  const vm = (warm ? cache.take(message.pluginKey, message.code) : undefined) ?? new PluginVm(quickjs, message.pluginKey, message.code);
  const invocation = new WorkerInvocation(vm, message, (callId, op, argsJson) => send({ type: 'bridgeCall', invocationId: message.id, callId, op, argsJson }));
  invocations.set(message.id, invocation);
  const outcome = await invocation.run();
  invocations.delete(message.id);
  // An abandoned VM stays allocated (see WorkerInvocation.abandoned); the worker retires instead.
  if (!invocation.abandoned) {
    if (warm && outcome.ok) cache.put(vm);
    else release(vm);
  }
  const heapTooBig = quickjs.getWasmMemory().buffer.byteLength > MAX_WASM_HEAP_BYTES;
  send({ type: 'result', id: message.id, outcome, retire: invocation.abandoned || corrupt || heapTooBig });
  // Running further plugins on a heap QuickJS could not clean up is not safe: end this worker now
  // (the registry fails its other running invocations with WORKER_CRASHED and replaces it).
  if (corrupt) process.exit(70);
}

port.on('message', (message: RegistryToWorkerMessage) => {
  switch (message.type) {
    case 'invoke':
      void invoke(message);
      return;
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
