import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten';
import { VM_PRELUDE } from './vm-prelude';

/** What the interpreter asks while it runs: should it stop now (a CPU or wall-clock limit)? */
export interface InterruptSource {
  shouldInterrupt(): boolean;
}

/**
 * A QuickJS runtime and context with the prelude and one plugin's module evaluated in it. With
 * `isolation: 'fresh'` (the default) a PluginVm serves one invocation; with `'warm'` it is kept
 * in the worker's cache and serves later invocations of the same plugin key and code, one at a
 * time, so that large plugins are parsed once.
 */
export class PluginVm {
  readonly runtime: QuickJSRuntime;
  readonly vm: QuickJSContext;
  /** The prelude's `setup(hostCall, hostLog, configJson)`, once loaded. */
  setup: QuickJSHandle | undefined;
  /** The module namespace, or a promise of it for a module with top-level await. */
  moduleOrPromise: QuickJSHandle | undefined;
  /** The invocation running now; the interrupt handler asks it. */
  current: InterruptSource | undefined;
  /** Invocations served so far. */
  uses = 0;

  constructor(quickjs: QuickJSWASMModule, readonly pluginKey: string, readonly code: string) {
    this.runtime = quickjs.newRuntime();
    this.runtime.setInterruptHandler(() => this.current?.shouldInterrupt() ?? false);
    this.vm = this.runtime.newContext();
  }

  get loaded(): boolean {
    return this.moduleOrPromise !== undefined;
  }

  /**
   * Evaluates the prelude and the plugin module (inside the caller's CPU accounting). Returns the
   * thrown value on failure, owned by the caller.
   */
  load(): { stage: 'prelude' | 'module'; error: QuickJSHandle } | undefined {
    const prelude = this.vm.evalCode(VM_PRELUDE, 'sandbox-prelude.js');
    if (prelude.error) return { stage: 'prelude', error: prelude.error };
    this.setup = prelude.value;
    const evaluated = this.vm.evalCode(this.code, 'plugin.js', { type: 'module' });
    if (evaluated.error) return { stage: 'module', error: evaluated.error };
    this.moduleOrPromise = evaluated.value;
    return undefined;
  }

  /** Frees the runtime; false when QuickJS failed to (the worker should then be replaced). */
  dispose(): boolean {
    try {
      if (this.setup?.alive) this.setup.dispose();
      if (this.moduleOrPromise?.alive) this.moduleOrPromise.dispose();
      this.vm.dispose();
      this.runtime.dispose();
      return true;
    } catch {
      return false;
    }
  }
}
