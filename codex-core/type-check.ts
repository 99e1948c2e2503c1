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

function report(reporter: FileReporter, project: Project | undefined, diagnostic: ts.Diagnostic, withFixes: boolean): void {
  const start = diagnostic.start ?? 0;
  const end = start + (diagnostic.length ?? 0);
  const fixes: { title: string; kind: 'trivial' | 'suggestion'; edits: OffsetEdit[] }[] = [];
  let foreignEdits = false;
  if (withFixes && project) {
    const service = project.getLanguageService().compilerObject;
    let actions: readonly ts.CodeFixAction[] = [];
    try {
      actions = service.getCodeFixesAtPosition(reporter.file, start, end, [diagnostic.code], {}, {});
    } catch {
      // A crashing code fix provider must not cost the diagnostic itself.
    }
    const importCandidates = actions.filter((action) => action.fixName === 'import').length;
    for (const action of actions) {
      if (!TRIVIAL_FIXES.has(action.fixName)) continue;
      // Only the deleting variant of "unused identifier" is trivial; prefixing with `_` is a choice.
      if (action.fixName === 'unusedIdentifier' && (action.fixId === 'unusedIdentifier_prefix' || /underscore|infer/i.test(action.description))) continue;
      const edits: OffsetEdit[] = [];
      for (const change of action.changes) {
        if (change.fileName !== reporter.file) foreignEdits = true;
        else for (const text of change.textChanges) edits.push({ start: text.span.start, end: text.span.start + text.span.length, newText: text.newText });
      }
      if (foreignEdits || edits.length === 0) continue;
      // An import with several candidate modules, or one of several spellings, needs a human choice.
      const ambiguous = action.fixName === 'import' && importCandidates > 1;
      fixes.push({ title: action.description, kind: ambiguous ? 'suggestion' : 'trivial', edits });
    }
  }
  reporter.report({
    ruleId: 'type-check',
    start,
    end,
    code: `TS${diagnostic.code}`,
    severity: severityOf(diagnostic.category),
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    fixes,
  });
}

/** Syntactic diagnostics only: parsing, no type checking (the cheap 'fast' layer). */
export function syntacticDiagnostics(project: Project, reporter: FileReporter): void {
  if (!reporter.wants('type-check')) return;
  for (const diagnostic of project.getLanguageService().compilerObject.getSyntacticDiagnostics(reporter.file)) {
    report(reporter, project, diagnostic, false);
  }
}

/** How a file's extension tells the parser what it holds. */
function scriptKindOf(file: string): ts.ScriptKind {
  if (/\.[cm]?tsx$/.test(file) || file.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(file)) return ts.ScriptKind.TS;
  if (file.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (file.endsWith('.json')) return ts.ScriptKind.JSON;
  return ts.ScriptKind.JS;
}

/** Options of the one-file program: nothing is resolved or loaded besides the file itself. */
const PARSE_ONLY_OPTIONS: ts.CompilerOptions = { noLib: true, noResolve: true, allowJs: true, types: [], target: ts.ScriptTarget.ESNext, jsx: ts.JsxEmit.Preserve, noEmit: true };

/**
 * Syntactic diagnostics of `text` from a plain parse, without the project's compiler state: a
 * one-file program that resolves nothing, so it costs the parse (milliseconds) and never touches
 * the project's program. What the language server shows first after every keystroke.
 */
export function parseOnlyDiagnostics(reporter: FileReporter, text: string): void {
  if (!reporter.wants('type-check')) return;
  const file = reporter.file;
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
  const program = ts.createProgram({ rootNames: [file], options: PARSE_ONLY_OPTIONS, host });
  for (const diagnostic of program.getSyntacticDiagnostics(source)) report(reporter, undefined, diagnostic, false);
}

/** Semantic diagnostics and unused-declaration suggestions, with their trivial code fixes. */
export function semanticDiagnostics(project: Project, reporter: FileReporter): void {
  if (!reporter.wants('type-check')) return;
  const service = project.getLanguageService().compilerObject;
  const diagnostics = [
    ...service.getSemanticDiagnostics(reporter.file),
    ...service.getSuggestionDiagnostics(reporter.file).filter((diagnostic) => UNUSED_CODES.has(diagnostic.code)),
  ];
  diagnostics.forEach((diagnostic, index) => report(reporter, project, diagnostic, index < MAX_FIXED_DIAGNOSTICS));
}

