import type { RunSnapshot } from '../../protocol/lsp-methods';

/** The last runs, newest first, bounded so a long session keeps constant memory. */
export class SnapshotRing {
  private readonly runs: RunSnapshot[] = [];
  private nextId = 1;

  constructor(private readonly capacity = 10) {}

  /** Starts a snapshot; the caller fills it in and calls {@link finish}. */
  start(uri: string, version: number): RunSnapshot {
    return { id: this.nextId++, uri, version, startedAt: new Date().toISOString(), timings: {}, outcome: 'completed', findings: [], errors: [] };
  }

  finish(snapshot: RunSnapshot): void {
    this.runs.unshift(snapshot);
    if (this.runs.length > this.capacity) this.runs.length = this.capacity;
  }

  list(): RunSnapshot[] {
    return [...this.runs];
  }
}
