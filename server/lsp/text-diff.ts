import type { TextEdit } from 'vscode-languageserver';
import { editsBetween } from '../../codex-core/index';

/** The line-granular LSP edits that turn `before` into `after` (codex-core's diff, without the file). */
export function lspEditsBetween(before: string, after: string): TextEdit[] {
  return editsBetween('', before, after).map(({ range, newText }) => ({ range, newText }));
}
