import type { PluginVm } from './plugin-vm';

/**
 * Idle warm PluginVms of one worker, least recently used first out. A VM is taken out while an
 * invocation uses it, so that no two invocations share one at the same time. Evicted VMs go to
 * `release`, which frees them.
 */
export class PluginVmCache {
  private readonly idle = new Map<string, PluginVm[]>();
  private size = 0;

  constructor(private readonly release: (vm: PluginVm) => void, private readonly maxIdle = 32, private readonly maxIdlePerKey = 4) {}

  /** A warm VM for this key and code, if one is idle. Idle VMs of the key with other code are evicted. */
  take(pluginKey: string, code: string): PluginVm | undefined {
    const list = this.idle.get(pluginKey);
    if (!list) return undefined;
    const index = list.findIndex((vm) => vm.code === code);
    if (index < 0) {
      this.removeKey(pluginKey);
      return undefined;
    }
    const [vm] = list.splice(index, 1);
    this.size -= 1;
    if (list.length === 0) this.idle.delete(pluginKey);
    return vm;
  }

  /** Keeps a VM after a successful invocation, evicting the least recently used beyond the bounds. */
  put(vm: PluginVm): void {
    const list = this.idle.get(vm.pluginKey) ?? [];
    if (list.length >= this.maxIdlePerKey) return this.release(vm);
    list.push(vm);
    this.size += 1;
    // Re-inserting moves the key to the most recently used end of the map's order.
    this.idle.delete(vm.pluginKey);
    this.idle.set(vm.pluginKey, list);
    while (this.size > this.maxIdle) {
      const oldest = this.idle.keys().next().value;
      if (oldest === undefined) break;
      this.removeKey(oldest);
    }
  }

  /** Frees every idle VM. */
  clear(): void {
    for (const key of [...this.idle.keys()]) this.removeKey(key);
  }

  private removeKey(pluginKey: string): void {
    const list = this.idle.get(pluginKey) ?? [];
    this.idle.delete(pluginKey);
    this.size -= list.length;
    for (const vm of list) this.release(vm);
  }
}
