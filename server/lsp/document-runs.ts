import type { Finding } from '../../protocol/findings';
import type { RunLayer } from '../../protocol/lsp-methods';

/** Where the codex's view of one open document stands. */
export interface DocumentRun {
  uri: string;
  file: string;
  /** Cancels the run in progress (stale once the document changes again). */
  controller?: AbortController;
  /** The findings shown for the document, with the id each diagnostic carries. */
  shown: Finding[];
  shownIds: string[];
  shownVersion: number;
  /** The deepest layer whose results are in `shown` for `shownVersion`. */
  layer?: RunLayer | 'syntax';
  /** The findings of the project layer (kept across edits until the layer runs again). */
  projectFindings: Finding[];
  /** Resolves the pull requests waiting for the first results of the current version. */
  waiters: (() => void)[];
}

/** A content change as LSP sends it: a range change, or the whole text. */
export interface ContentChange {
  range?: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

/**
 * Moves findings through edits so results of the deeper layers stay in place until those layers
 * have run again: a finding below an edit moves by the lines it added or removed, a finding that
 * touches an edited line is dropped (it is no longer known to hold).
 */
export function shiftFindings(findings: readonly Finding[], changes: readonly ContentChange[]): Finding[] {
  let result = [...findings];
  for (const change of changes) {
    if (!change.range) return [];
    const { start, end } = change.range;
    const delta = change.text.split('\n').length - 1 - (end.line - start.line);
    result = result.flatMap((finding) => {
      if (finding.range.end.line < start.line) return [finding];
      if (finding.range.start.line > end.line) {
        return [{ ...finding, range: { start: { ...finding.range.start, line: finding.range.start.line + delta }, end: { ...finding.range.end, line: finding.range.end.line + delta } }, fixes: [] }];
      }
      return [];
    });
  }
  return result;
}

/** Identity of a finding for de-duplication across layers. */
export function findingKey(finding: Finding): string {
  const { start, end } = finding.range;
  return `${finding.ruleId}|${finding.code ?? ''}|${start.line}:${start.character}-${end.line}:${end.character}|${finding.message}`;
}

/** Fresh findings first, then the carried ones that the fresh ones do not repeat. */
export function mergeFindings(fresh: readonly Finding[], carried: readonly Finding[]): Finding[] {
  const seen = new Set(fresh.map(findingKey));
  return [...fresh, ...carried.filter((finding) => !seen.has(findingKey(finding)))];
}
