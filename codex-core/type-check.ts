import { ts, type Project } from 'ts-morph';
import type { Severity } from '../protocol/findings';
import type { FileReporter, OffsetEdit } from './reporter';

/** Code fixes of the language service that are deterministic enough to apply without review. */
const TRIVIAL_FIXES = new Set(['unusedIdentifier', 'import', 'addMissingAwait', 'spelling']);
/** Suggestion diagnostics worth reporting: unused declarations and imports (shown faded in editors). */
const UNUSED_CODES = new Set([6133, 6138, 6192, 6196, 6198, 6199, 6205]);
/** A file with more diagnostics than this gets code fixes for the first ones only, bounding the time. */
const MAX_FIXED_DIAGNOSTICS = 60;

function severityOf(category: ts.DiagnosticCategory): Severity {
  switch (category) {
    case ts.DiagnosticCategory.Error: return 'error';
    case ts.DiagnosticCategory.Warning: return 'warning';
    case ts.DiagnosticCategory.Suggestion: return 'hint';
    default: return 'info';
  }
}

/** A fix as the reporter takes it. */
export type ReportFix = { title: string; kind: 'trivial' | 'suggestion'; edits: OffsetEdit[] };

/**
 * A TypeScript diagnostic of one file, reduced to what the codex reports: plain data, so the
 * incremental check can keep it from one version of the file to the next (see incremental-check.ts).
 */
export interface CheckedDiagnostic {
  start: number;
  end: number;
  code: number;
  category: ts.DiagnosticCategory;
  message: string;
  /** The trivial and suggested code fixes (`undefined`: not computed, the file had too many diagnostics). */
  fixes: ReportFix[] | undefined;
  /** TypeScript related this error to a missing `await` (the only case its add-await fix applies to). */
  awaitHint?: boolean;
}

/**
 * Error codes whose code-fix providers include one that runs a full check of the file
 * (TypeScript 6.0: addMissingAwait, addMissingConstraint, fixNaNEquality). Asking for their fixes
 * costs seconds on a large file, and of the trivial fixes only two can apply to them: add-await
 * when TypeScript related the error to a missing await, and spelling for 2322 on JSX attributes.
 */
const MISSING_AWAIT_CODES = new Set([2356, 2362, 2363, 2736, 2365, 2367, 2801, 2461, 2495, 2802, 2549, 2548, 2488, 2504, 2345, 2339, 2349, 2351]);
const FULL_CHECK_FIX_CODES = new Set([2678, 2719, 2375, 2322, 2379, 2530, 2603, 2344, 2845]);

/** False when no trivial fix can apply to the diagnostic, so the providers need not run. */
function mayHaveTrivialFix(file: string, diagnostic: Pick<CheckedDiagnostic, 'code' | 'awaitHint'>): boolean {
  if (MISSING_AWAIT_CODES.has(diagnostic.code)) return diagnostic.awaitHint === true;
  if (FULL_CHECK_FIX_CODES.has(diagnostic.code)) return diagnostic.code === 2322 && /\.[jt]sx$/.test(file);
  return true;
}

/** The trivial (and choice-needing) code fixes the language service offers for a diagnostic. */
export function codeFixesOf(service: ts.LanguageService, file: string, diagnostic: Pick<CheckedDiagnostic, 'start' | 'end' | 'code' | 'awaitHint'>): ReportFix[] {
  const fixes: ReportFix[] = [];
  if (!mayHaveTrivialFix(file, diagnostic)) return fixes;
  let actions: readonly ts.CodeFixAction[] = [];
  try {
    actions = service.getCodeFixesAtPosition(file, diagnostic.start, diagnostic.end, [diagnostic.code], {}, {});
  } catch {
    // A crashing code fix provider must not cost the diagnostic itself.
  }
  const importCandidates = actions.filter((action) => action.fixName === 'import').length;
  for (const action of actions) {
    if (!TRIVIAL_FIXES.has(action.fixName)) continue;
    // Only the deleting variant of "unused identifier" is trivial; prefixing with `_` is a choice.
    if (action.fixName === 'unusedIdentifier' && (action.fixId === 'unusedIdentifier_prefix' || /underscore|infer/i.test(action.description))) continue;
    const edits: OffsetEdit[] = [];
    let foreignEdits = false;
    for (const change of action.changes) {
      if (change.fileName !== file) foreignEdits = true;
      else for (const text of change.textChanges) edits.push({ start: text.span.start, end: text.span.start + text.span.length, newText: text.newText });
    }
    if (foreignEdits || edits.length === 0) continue;
    // An import with several candidate modules, or one of several spellings, needs a human choice.
    const ambiguous = action.fixName === 'import' && importCandidates > 1;
    fixes.push({ title: action.description, kind: ambiguous ? 'suggestion' : 'trivial', edits });
  }
  return fixes;
}

/** A compiler diagnostic as plain data (without fixes yet). */
export function checkedOf(diagnostic: ts.Diagnostic): CheckedDiagnostic {
  const start = diagnostic.start ?? 0;
  return {
    start,
    end: start + (diagnostic.length ?? 0),
    code: diagnostic.code,
    category: diagnostic.category,
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    fixes: undefined,
    ...(diagnostic.relatedInformation?.some((related) => related.code === 2773) ? { awaitHint: true } : {}),
  };
}

/**
 * Reports one checked diagnostic under the `type-check` rule. With `pendingFixes`, a diagnostic
 * whose fixes were not computed is reported as having them pending.
 */
export function reportChecked(reporter: FileReporter, diagnostic: CheckedDiagnostic, pendingFixes = false): void {
  reporter.report({
    ...(pendingFixes && diagnostic.fixes === undefined ? { fixesPending: true } : {}),
    ruleId: 'type-check',
    start: diagnostic.start,
    end: diagnostic.end,
    code: `TS${diagnostic.code}`,
    severity: severityOf(diagnostic.category),
    message: diagnostic.message,
    fixes: diagnostic.fixes ?? [],
  });
}

function report(reporter: FileReporter, diagnostic: ts.Diagnostic): void {
  reportChecked(reporter, checkedOf(diagnostic));
}

/** Syntactic diagnostics only: parsing, no type checking (the cheap 'fast' layer). */
export function syntacticDiagnostics(project: Project, reporter: FileReporter): void {
  if (!reporter.wants('type-check')) return;
  for (const diagnostic of project.getLanguageService().compilerObject.getSyntacticDiagnostics(reporter.file)) {
    report(reporter, diagnostic);
  }
}

/** How a file's extension tells the parser what it holds. */
export function scriptKindOf(file: string): ts.ScriptKind {
  if (/\.[cm]?tsx$/.test(file) || file.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(file)) return ts.ScriptKind.TS;
  if (file.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (file.endsWith('.json')) return ts.ScriptKind.JSON;
  return ts.ScriptKind.JS;
}

/** Options of the one-file program: nothing is resolved or loaded besides the file itself. */
const PARSE_ONLY_OPTIONS: ts.CompilerOptions = { allowJs: true, target: ts.ScriptTarget.ESNext, jsx: ts.JsxEmit.Preserve };

/** A program and its checker-level suggestion diagnostics (present at runtime, not in the public typings). */
export type SuggestingProgram = ts.Program & { getSuggestionDiagnostics(file: ts.SourceFile): readonly ts.Diagnostic[] };

/**
 * A program of `text` alone: it loads no library and resolves no import, so it costs the parse
 * (and, when asked, a check where everything outside the file is unknown).
 */
export function oneFileProgram(file: string, text: string, options: ts.CompilerOptions): { program: SuggestingProgram; source: ts.SourceFile } {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, scriptKindOf(file));
  const host: ts.CompilerHost = {
    getSourceFile: (name) => (name === file ? source : undefined),
    getDefaultLibFileName: () => 'lib.d.ts',
    writeFile: () => undefined,
    getCurrentDirectory: () => '/',
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (name) => name === file,
    readFile: (name) => (name === file ? text : undefined),
  };
  const program = ts.createProgram({ rootNames: [file], options: { ...options, noLib: true, noResolve: true, types: [], noEmit: true }, host }) as SuggestingProgram;
  return { program, source };
}

/**
 * Syntactic diagnostics of `text` from a plain parse, without the project's compiler state (a
 * one-file program), so it costs milliseconds and never touches the project's program. What the
 * language server shows first after every keystroke.
 */
export function parseOnlyDiagnostics(reporter: FileReporter, text: string): void {
  if (!reporter.wants('type-check')) return;
  const { program, source } = oneFileProgram(reporter.file, text, PARSE_ONLY_OPTIONS);
  for (const diagnostic of program.getSyntacticDiagnostics(source)) report(reporter, diagnostic);
}

/** True for the unused-declaration diagnostics (errors under noUnusedLocals/Parameters, suggestions otherwise). */
export function isUnusedCode(code: number): boolean {
  return UNUSED_CODES.has(code);
}

/** Orders diagnostics by position, then code: the order every path reports them in. */
export function byPosition(a: CheckedDiagnostic, b: CheckedDiagnostic): number {
  return a.start - b.start || a.end - b.end || a.code - b.code || a.message.localeCompare(b.message);
}

/**
 * Semantic diagnostics and unused-declaration suggestions of `file` by a full check of the file,
 * each with its trivial code fixes (for the first {@link MAX_FIXED_DIAGNOSTICS}), in position order.
 */
export function fullSemanticCheck(service: ts.LanguageService, file: string): CheckedDiagnostic[] {
  const diagnostics = semanticOf(service.getSemanticDiagnostics(file), service.getSuggestionDiagnostics(file));
  withFixes(service, file, diagnostics);
  return diagnostics;
}

/** Semantic errors plus the unused-declaration suggestions, as plain data, de-duplicated, in position order. */
export function semanticOf(semantic: readonly ts.Diagnostic[], suggestions: readonly ts.Diagnostic[]): CheckedDiagnostic[] {
  const seen = new Set<string>();
  const diagnostics: CheckedDiagnostic[] = [];
  for (const diagnostic of [...semantic, ...suggestions.filter((candidate) => UNUSED_CODES.has(candidate.code))]) {
    const checked = checkedOf(diagnostic);
    const key = `${checked.start}:${checked.end}:${checked.code}:${checked.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(checked);
  }
  return diagnostics.sort(byPosition);
}

/** Computes the missing code fixes of the first {@link MAX_FIXED_DIAGNOSTICS} diagnostics (in place). */
export function withFixes(service: ts.LanguageService, file: string, diagnostics: CheckedDiagnostic[]): void {
  diagnostics.forEach((diagnostic, index) => {
    if (index < MAX_FIXED_DIAGNOSTICS) diagnostic.fixes ??= codeFixesOf(service, file, diagnostic);
  });
}
