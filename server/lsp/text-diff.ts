import { diffLines } from 'diff';
import type { TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';

/** The line-granular LSP edits that turn `before` into `after` (small previews, cheap to apply). */
export function lspEditsBetween(before: string, after: string): TextEdit[] {
  const document = TextDocument.create('untitled:diff', 'plaintext', 0, before);
  const edits: TextEdit[] = [];
  let offset = 0;
  let pending: { start: number; end: number; newText: string } | undefined;
  const flush = (): void => {
    if (pending) edits.push({ range: { start: document.positionAt(pending.start), end: document.positionAt(pending.end) }, newText: pending.newText });
    pending = undefined;
  };
  for (const change of diffLines(before, after)) {
    if (change.added) {
      pending ??= { start: offset, end: offset, newText: '' };
      pending.newText += change.value;
    } else if (change.removed) {
      pending ??= { start: offset, end: offset, newText: '' };
      offset += change.value.length;
      pending.end = offset;
    } else {
      flush();
      offset += change.value.length;
    }
  }
  flush();
  return edits;
}
