/**
 * Serialises every use of the codex. It holds one compiler state with overlays, so an AI fix
 * verification (which swaps in candidate texts) must never interleave with a diagnostics run.
 */
export class CodexGate {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
