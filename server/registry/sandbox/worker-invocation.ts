import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten';
import type { BridgeOperation, SandboxError, WorkerBridgeReplyMessage, WorkerInvocationOutcome, WorkerInvokeMessage } from '../../../protocol/sandbox';
import type { InterruptSource, PluginVm } from './plugin-vm';

const BRIDGE_OPERATIONS: ReadonlySet<string> = new Set<BridgeOperation>(['fetch', 'storage.get', 'storage.put', 'storage.list', 'storage.delete', 'secrets.get', 'callTool']);
const LOG_TRUNCATED = '[further log lines dropped: logBytes limit reached]';

/** What an invocation may send to the registry while it runs. */
export type BridgeCallSender = (callId: number, op: BridgeOperation, argsJson: string) => void;

interface ErrorDescription {
  name: string;
  message: string;
  stack?: string;
}

/**
 * One invocation inside a worker, on a PluginVm (a QuickJS runtime with its own heap limit, stack
 * limit and interrupt handler): loads the prelude and the plugin module if the VM is new, builds a
 * fresh `ctx`, and calls the tool. Host code enters the interpreter only through `slice`, which
 * accounts CPU time; the interrupt handler stops the interpreter at the CPU or wall-clock limit,
 * and a timer ends an invocation that waits on bridge calls for too long.
 */
export class WorkerInvocation implements InterruptSource {
  private readonly runtime: QuickJSRuntime;
  private readonly vm: QuickJSContext;
  private readonly owned: QuickJSHandle[] = [];
  private readonly pending = new Map<number, QuickJSDeferredPromise>();
  private readonly logs: string[] = [];
  private logBytes = 0;
  private logsTruncated = false;
  private nextCallId = 0;
  private cpuUsedMs = 0;
  private sliceStart = 0;
  private readonly wallDeadline: number;
  private stopReason: 'cpu' | 'wall' | undefined;
  private finished = false;
  private settle!: (outcome: WorkerInvocationOutcome) => void;
  private readonly outcome: Promise<WorkerInvocationOutcome>;
  private timer: NodeJS.Timeout | undefined;
  /**
   * Set when the plugin was stopped in the middle of running (a limit hit). Freeing a runtime in
   * that state can trip a QuickJS assertion that aborts the whole WASM module, so the caller must
   * leave the VM allocated and retire the worker once its other invocations are done.
   */
  abandoned = false;

  constructor(private readonly pluginVm: PluginVm, private readonly message: WorkerInvokeMessage, private readonly sendBridgeCall: BridgeCallSender) {
    const { limits } = message;
    this.wallDeadline = performance.now() + limits.wallClockMs;
    this.outcome = new Promise((resolve) => (this.settle = resolve));
    this.runtime = pluginVm.runtime;
    this.vm = pluginVm.vm;
    this.runtime.setMemoryLimit(limits.memoryBytes);
    this.runtime.setMaxStackSize(limits.stackBytes);
    pluginVm.current = this;
    pluginVm.uses += 1;
  }

  /**
   * Runs the invocation to its end and frees what it allocated in the VM; the caller decides what
   * becomes of the VM itself (cache, free, or abandon).
   */
  async run(): Promise<WorkerInvocationOutcome> {
    this.timer = setTimeout(() => this.fail(this.limitError('wall')), Math.max(0, this.wallDeadline - performance.now()));
    let outcome: WorkerInvocationOutcome;
    try {
      this.slice(() => this.start());
      this.pump();
      outcome = await this.outcome;
    } catch (error) {
      // Host-side failures (a QuickJS API misuse, an exhausted WASM heap) end only this invocation.
      outcome = { ok: false, error: { code: 'PLUGIN_ERROR', message: `the sandbox failed while running the plugin: ${error instanceof Error ? error.message : String(error)}` }, logs: this.logs };
      this.abandoned = true;
    }
    clearTimeout(this.timer);
    this.finished = true;
    if (this.stopReason || (!outcome.ok && (outcome.error.code === 'MEMORY_LIMIT' || outcome.error.code === 'STACK_LIMIT'))) this.abandoned = true;
    if (!this.abandoned) this.releaseHandles();
    this.pluginVm.current = undefined;
    return outcome;
  }

  /** Delivers the registry's answer to a bridge call and lets the plugin continue. */
  onBridgeReply(reply: WorkerBridgeReplyMessage): void {
    const deferred = this.pending.get(reply.callId);
    if (!deferred || this.finished) return;
    this.pending.delete(reply.callId);
    this.slice(() => {
      if (reply.ok) {
        if (reply.valueJson === undefined) deferred.resolve();
        else {
          const value = this.vm.newString(reply.valueJson);
          deferred.resolve(value);
          value.dispose();
        }
      } else {
        const error = this.vm.newError(reply.error);
        deferred.reject(error);
        error.dispose();
      }
      deferred.dispose();
    });
    this.pump();
  }

  private start(): void {
    const { vm, message, pluginVm } = this;
    if (!pluginVm.loaded) {
      const failed = pluginVm.load();
      if (failed) {
        const description = this.describe(failed.error);
        failed.error.dispose();
        this.fail(failed.stage === 'module' ? this.classify(description, 'INVALID_PLUGIN', 'the plugin entry failed to load: ') : this.classify(description, 'PLUGIN_ERROR', 'the sandbox prelude failed: '));
        return;
      }
    }
    const setup = pluginVm.setup as QuickJSHandle;
    const moduleOrPromise = pluginVm.moduleOrPromise as QuickJSHandle;
    const hostCall = this.own(vm.newFunction('hostCall', (opHandle, argsHandle) => this.onHostCall(opHandle, argsHandle)));
    const hostLog = this.own(vm.newFunction('hostLog', (lineHandle) => this.onLog(lineHandle)));
    const configJson = this.own(vm.newString(message.configJson));
    const run = this.own(this.unwrap(vm.callFunction(setup, vm.undefined, hostCall, hostLog, configJson), 'the plugin configuration could not be loaded'));
    if (!run) return;
    const kind = this.own(vm.newString(message.target.kind));
    const name = this.own(vm.newString(message.target.kind === 'tool' ? message.target.name : 'healthCheck'));
    const input = this.own(vm.newString(message.inputJson));
    const outputLimit = this.own(vm.newNumber(message.limits.outputBytes));
    const done = this.own(vm.newFunction('done', (stageHandle, valueHandle) => this.onDone(stageHandle, valueHandle)));
    const started = vm.callFunction(run, vm.undefined, moduleOrPromise, kind, name, input, outputLimit, done);
    if (started.error) {
      const description = this.describe(started.error);
      started.error.dispose();
      this.fail(this.classify(description, 'PLUGIN_ERROR', ''));
      return;
    }
    started.value.dispose();
  }

  private onHostCall(opHandle: QuickJSHandle, argsHandle: QuickJSHandle): QuickJSHandle {
    const { vm } = this;
    // A warm VM may keep a ctx from an earlier invocation in module state: it is dead.
    if (this.finished) throw new Error('this ctx belongs to an invocation that has ended');
    const op = vm.typeof(opHandle) === 'string' ? vm.getString(opHandle) : '';
    if (!BRIDGE_OPERATIONS.has(op) || vm.typeof(argsHandle) !== 'string') throw new TypeError('invalid bridge call');
    const argsJson = vm.getString(argsHandle);
    const deferred = vm.newPromise();
    const callId = ++this.nextCallId;
    this.pending.set(callId, deferred);
    this.sendBridgeCall(callId, op as BridgeOperation, argsJson);
    return deferred.handle;
  }

  private onLog(lineHandle: QuickJSHandle): void {
    if (this.logsTruncated || this.finished) return;
    const line = this.vm.typeof(lineHandle) === 'string' ? this.vm.getString(lineHandle) : '';
    const size = Buffer.byteLength(line) + 1;
    if (this.logBytes + size > this.message.limits.logBytes) {
      this.logsTruncated = true;
      this.logs.push(LOG_TRUNCATED);
      return;
    }
    this.logBytes += size;
    this.logs.push(line);
  }

  private onDone(stageHandle: QuickJSHandle, valueHandle: QuickJSHandle): void {
    const { vm } = this;
    const stage = vm.getString(stageHandle);
    switch (stage) {
      case 'ok': {
        const json = vm.getString(valueHandle);
        const bytes = Buffer.byteLength(json);
        if (bytes > this.message.limits.outputBytes) return this.fail(this.outputLimitError(bytes));
        this.finish({ ok: true, outputJson: json, logs: this.logs });
        return;
      }
      case 'outputLimit':
        return this.fail(this.outputLimitError(vm.getNumber(valueHandle)));
      case 'missing':
        return this.fail({ code: 'TOOL_NOT_FOUND', message: vm.getString(valueHandle) });
      case 'invalid':
        return this.fail({ code: 'INVALID_PLUGIN', message: vm.getString(valueHandle) });
      case 'load':
        return this.fail(this.classify(this.describe(valueHandle), 'INVALID_PLUGIN', 'the plugin entry failed to load: '));
      case 'unserialisable':
        return this.fail(this.classify(this.describe(valueHandle), 'PLUGIN_ERROR', 'the output is not JSON-serialisable: '));
      default:
        return this.fail(this.classify(this.describe(valueHandle), 'PLUGIN_ERROR', ''));
    }
  }

  private outputLimitError(size: number): SandboxError {
    return { code: 'OUTPUT_LIMIT', message: `the output is at least ${size} bytes, over the outputBytes limit of ${this.message.limits.outputBytes} bytes` };
  }

  /** Runs pending promise jobs (plugin continuations) until none is left. */
  private pump(): void {
    if (this.finished) return;
    const result = this.slice(() => this.runtime.executePendingJobs());
    if (result.error) {
      const description = this.describe(result.error);
      result.error.dispose();
      this.fail(this.classify(description, 'PLUGIN_ERROR', ''));
      return;
    }
    if (this.stopReason) this.fail(this.limitError(this.stopReason));
  }

  /** Enters the interpreter, accounting the time as CPU time of this invocation. */
  private slice<T>(action: () => T): T {
    this.sliceStart = performance.now();
    try {
      return action();
    } finally {
      this.cpuUsedMs += performance.now() - this.sliceStart;
    }
  }

  /** Asked by the interpreter now and then: stop at the CPU or wall-clock limit. */
  shouldInterrupt(): boolean {
    if (this.stopReason) return true;
    const now = performance.now();
    if (now >= this.wallDeadline) this.stopReason = 'wall';
    else if (this.cpuUsedMs + (now - this.sliceStart) >= this.message.limits.cpuMs) this.stopReason = 'cpu';
    return this.stopReason !== undefined;
  }

  private limitError(reason: 'cpu' | 'wall'): SandboxError {
    const { limits } = this.message;
    return reason === 'cpu'
      ? { code: 'CPU_LIMIT', message: `the plugin used more than the cpuMs limit of ${limits.cpuMs} ms of CPU time` }
      : { code: 'TIMEOUT', message: `the invocation took longer than the wallClockMs limit of ${limits.wallClockMs} ms` };
  }

  /** Turns a failure inside the interpreter into a coded error, naming the limit when one was hit. */
  private classify(description: ErrorDescription, fallback: SandboxError['code'], prefix: string): SandboxError {
    const { limits } = this.message;
    if (this.stopReason) return this.limitError(this.stopReason);
    const text = `${description.name}: ${description.message}`;
    if (/out of memory/i.test(text)) return { code: 'MEMORY_LIMIT', message: `the plugin exceeded the memoryBytes limit of ${limits.memoryBytes} bytes` };
    if (/stack overflow|call stack size/i.test(text)) return { code: 'STACK_LIMIT', message: `the plugin exceeded the stackBytes limit of ${limits.stackBytes} bytes (too deep recursion)` };
    if (description.name === 'PermissionDeniedError') return { code: 'PERMISSION_DENIED', message: description.message, stack: description.stack };
    return { code: fallback, message: prefix + text, stack: description.stack };
  }

  /** Reads name, message and stack of a thrown value without trusting its shape. */
  private describe(handle: QuickJSHandle): ErrorDescription {
    const { vm } = this;
    try {
      const type = vm.typeof(handle);
      if (type === 'object' || type === 'function') {
        const read = (key: string): string | undefined => {
          const property = vm.getProp(handle, key);
          try {
            return vm.typeof(property) === 'string' ? vm.getString(property) : undefined;
          } finally {
            property.dispose();
          }
        };
        return { name: read('name') ?? 'Error', message: read('message') ?? '(no message)', stack: read('stack') };
      }
      if (type === 'string') return { name: 'Error', message: vm.getString(handle) };
      return { name: 'Error', message: `the plugin threw a ${type}` };
    } catch {
      return { name: 'Error', message: 'the plugin threw a value that cannot be described' };
    }
  }

  private unwrap(result: ReturnType<QuickJSContext['callFunction']>, context: string): QuickJSHandle | undefined {
    if (!result.error) return result.value;
    const description = this.describe(result.error);
    result.error.dispose();
    this.fail(this.classify(description, 'PLUGIN_ERROR', `${context}: `));
    return undefined;
  }

  private own<T extends QuickJSHandle | undefined>(handle: T): T {
    if (handle) this.owned.push(handle);
    return handle;
  }

  private fail(error: SandboxError): void {
    this.finish({ ok: false, error, logs: this.logs });
  }

  private finish(outcome: WorkerInvocationOutcome): void {
    if (this.finished) return;
    this.finished = true;
    this.settle(outcome);
  }

  /** Frees the handles of this invocation; the VM keeps only what the plugin itself retained. */
  private releaseHandles(): void {
    for (const deferred of this.pending.values()) deferred.dispose();
    this.pending.clear();
    for (const handle of this.owned.reverse()) if (handle.alive) handle.dispose();
    this.owned.length = 0;
  }
}
