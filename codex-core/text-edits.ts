import { diffLines } from 'diff';
import type { TextEdit } from '../protocol/findings';
import { LineMap } from './positions';

/** Applies edits of one file to its text (edits must not overlap). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = new LineMap(text);
  const offsets = edits.map((edit) => ({ start: lines.offset(edit.range.start), end: lines.offset(edit.range.end), newText: edit.newText }));
  offsets.sort((a, b) => b.start - a.start || b.end - a.end);
  let result = text;
  for (const edit of offsets) result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
  return result;
}

/** The line-granular edits that turn `before` into `after`. */
export function editsBetween(file: string, before: string, after: string): TextEdit[] {
  const lines = new LineMap(before);
  const edits: TextEdit[] = [];
  let offset = 0;
  let pending: { start: number; end: number; newText: string } | undefined;
  const flush = (): void => {
    if (pending) edits.push({ file, range: lines.range(pending.start, pending.end), newText: pending.newText });
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
