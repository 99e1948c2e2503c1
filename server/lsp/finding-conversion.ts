import { DiagnosticSeverity, DiagnosticTag, type CodeAction, type Diagnostic, type WorkspaceEdit } from 'vscode-languageserver';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Finding, Fix, Severity } from '../../protocol/findings';
import { disableDirectiveFor, disableNextLineComment } from '../../codex-core/suppressions';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};
const UNUSED_CODES = new Set(['TS6133', 'TS6138', 'TS6192', 'TS6196', 'TS6198', 'TS6199', 'TS6205']);

/** What a diagnostic carries back to the server in `codeAction` requests. */
export interface DiagnosticData {
  findingId: string;
}

export function uriOf(file: string): string {
  return pathToFileURL(file).toString();
}

export function fileOf(uri: string): string {
  return fileURLToPath(uri);
}

/** A codex finding as an LSP diagnostic (source `codex`, the tool's code, unused code faded). */
export function toDiagnostic(finding: Finding, findingId: string): Diagnostic {
  const diagnostic: Diagnostic = {
    range: finding.range,
    severity: SEVERITY[finding.severity],
    source: 'codex',
    code: finding.code ?? finding.ruleId,
    message: finding.suggestion ? `${finding.message}\n${finding.suggestion}` : finding.message,
    data: { findingId } satisfies DiagnosticData,
  };
  if (finding.docsUrl && /^https?:/.test(finding.docsUrl)) diagnostic.codeDescription = { href: finding.docsUrl };
  if (finding.category === 'dead-zone' || (finding.code && UNUSED_CODES.has(finding.code))) diagnostic.tags = [DiagnosticTag.Unnecessary];
  return diagnostic;
}

/** The edits of a fix as a workspace edit (a fix may touch several files). */
export function toWorkspaceEdit(fix: Fix): WorkspaceEdit {
  const changes: Record<string, { range: Fix['edits'][number]['range']; newText: string }[]> = {};
  for (const edit of fix.edits) (changes[uriOf(edit.file)] ??= []).push({ range: edit.range, newText: edit.newText });
  return { changes };
}

/** A quick fix code action of one fix of one finding. */
export function toQuickFix(fix: Fix, diagnostic: Diagnostic): CodeAction {
  return { title: fix.title, kind: 'quickfix', diagnostics: [diagnostic], edit: toWorkspaceEdit(fix), isPreferred: fix.kind === 'trivial' };
}

/**
 * "Disable … for this line": the comment above the diagnostic's line that turns the finding off
 * there (`disableDirectiveFor` says which, or that there is none), unless a comment cannot go there
 * (inside a multi-line template, among JSX children).
 */
export function toDisableLineAction(finding: Finding, diagnostic: Diagnostic, file: string, text: string): CodeAction | undefined {
  const disable = disableDirectiveFor(finding);
  if (!disable) return undefined;
  const line = diagnostic.range.start.line;
  const insertion = disableNextLineComment(file, text, line, disable.directive);
  if (!insertion) return undefined;
  const at = { line, character: 0 };
  return {
    title: `Disable ${disable.rule} for this line`,
    kind: 'quickfix',
    diagnostics: [diagnostic],
    edit: { changes: { [uriOf(file)]: [{ range: { start: at, end: at }, newText: insertion.newText }] } },
  };
}
