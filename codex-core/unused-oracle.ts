import { ts } from 'ts-morph';
import { byPosition, checkedOf, isUnusedCode, scriptKindOf, type CheckedDiagnostic } from './type-check';

/**
 * Unused declarations of one file by name resolution alone: the file in a one-file program that
 * loads no library and resolves no import, fully checked. Every type is `any` or an error there, but
 * whether a declaration is ever read depends on which declaration each name resolves to, not on
 * types, so the unused-declaration diagnostics come out as in the real program, at a fraction of
 * the cost (zod's 332 files: identical for every file). The incremental check uses it only on files
 * where it matched the real check (see incremental-check.ts). `undefined` when the text does not
 * parse: TypeScript then leaves out the unused declarations of a scope with a parse error, so the
 * answer would depend on where the error is.
 */
export function unusedByResolution(source: ts.SourceFile, options: ts.CompilerOptions): CheckedDiagnostic[] | undefined {
  const file = source.fileName;
  const text = source.text;
  // A fresh parse: a source file belongs to the program that bound it.
  const parsed = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, scriptKindOf(file));
  const host: ts.CompilerHost = {
    getSourceFile: (name) => (name === file ? parsed : undefined),
    getDefaultLibFileName: () => 'lib.d.ts',
    writeFile: () => undefined,
    getCurrentDirectory: () => '/',
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (name) => name === file,
    readFile: (name) => (name === file ? text : undefined),
  };
  const oracleOptions: ts.CompilerOptions = {
    ...options,
    noLib: true,
    noResolve: true,
    types: [],
    lib: undefined,
    noEmit: true,
    declaration: false,
    composite: false,
    incremental: false,
  };
  // A program's checker-level suggestions (what the language service's unused hints come from):
  // present at runtime, not in the public typings.
  const program = ts.createProgram({ rootNames: [file], options: oracleOptions, host }) as ts.Program & { getSuggestionDiagnostics(file: ts.SourceFile): readonly ts.Diagnostic[] };
  if (program.getSyntacticDiagnostics(parsed).length > 0) return undefined;
  const seen = new Set<string>();
  const found: CheckedDiagnostic[] = [];
  for (const diagnostic of [...program.getSemanticDiagnostics(parsed), ...program.getSuggestionDiagnostics(parsed)]) {
    if (!isUnusedCode(diagnostic.code)) continue;
    const checked = checkedOf(diagnostic);
    const key = `${checked.start}:${checked.end}:${checked.code}:${checked.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    found.push(checked);
  }
  return found.sort(byPosition);
}
