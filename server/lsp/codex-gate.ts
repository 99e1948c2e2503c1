/**
 * Serialises the calls of one codex: it holds one compiler state with overlays, so an analysis must
 * never interleave with another that sets a different text for the same file.
 */
export class CodexGate {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
