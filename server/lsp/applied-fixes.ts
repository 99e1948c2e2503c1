import { applyPatch, structuredPatch } from 'diff';
import type { WorkspaceEdit } from 'vscode-languageserver';
import { lspEditsBetween } from './text-diff';

/** A fix the server offered as an edit: the document's text before and after it. */
export interface AppliedFix {
  id: string;
  uri: string;
  title: string;
  before: string;
  after: string;
  /** An AI fix (its outcomes go to the learning store). */
  ai?: boolean;
}

const MAX_PENDING = 50;
const MAX_APPLIED = 20;

/**
 * The ledger of fixes: offered ones wait for the client to confirm it applied them (the code
 * action's command); applied ones form a stack that "revert last fix" pops. A revert is a reverse
 * patch applied with context matching, so it still works after other edits in the file.
 */
export class AppliedFixes {
  private readonly pending = new Map<string, AppliedFix>();
  private readonly stack: AppliedFix[] = [];
  private counter = 0;

  /** Records an offered fix; returns its id. */
  pend(fix: Omit<AppliedFix, 'id'> & { id?: string }): string {
    const id = fix.id ?? `fix-${++this.counter}`;
    this.pending.set(id, { ...fix, id });
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    return id;
  }

  /** The client applied an offered fix. */
  confirm(id: string): AppliedFix | undefined {
    const fix = this.pending.get(id);
    if (!fix) return undefined;
    this.pending.delete(id);
    this.stack.push(fix);
    if (this.stack.length > MAX_APPLIED) this.stack.shift();
    return fix;
  }

  pendingFix(id: string): AppliedFix | undefined {
    return this.pending.get(id);
  }

  /** Undoes the last applied fix in one edit. */
  async revertLast(
    textOf: (uri: string) => string | undefined,
    applyEdit: (edit: WorkspaceEdit, label: string) => Promise<boolean>,
  ): Promise<{ reverted: boolean; message: string; fix?: AppliedFix }> {
    const fix = this.stack[this.stack.length - 1];
    if (!fix) return { reverted: false, message: 'No codex fix to revert.' };
    const current = textOf(fix.uri);
    if (current === undefined) return { reverted: false, message: `Open ${fix.uri} to revert "${fix.title}".` };
    const reverse = structuredPatch('file', 'file', fix.after, fix.before, '', '', { context: 3 });
    const reverted = current === fix.after ? fix.before : applyPatch(current, reverse, { fuzzFactor: 0 });
    if (reverted === false) return { reverted: false, message: `"${fix.title}" cannot be reverted: the lines it changed were edited since.` };
    const ok = await applyEdit({ changes: { [fix.uri]: lspEditsBetween(current, reverted) } }, `Revert: ${fix.title}`);
    if (!ok) return { reverted: false, message: `The editor refused to revert "${fix.title}".` };
    this.stack.pop();
    return { reverted: true, message: `Reverted "${fix.title}".`, fix };
  }
}
