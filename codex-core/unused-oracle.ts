import { ts } from 'ts-morph';
import { isUnusedCode, oneFileProgram, semanticOf, type CheckedDiagnostic } from './type-check';

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
  // A fresh parse: a source file belongs to the program that bound it.
  const { program, source: parsed } = oneFileProgram(source.fileName, source.text, { ...options, lib: undefined, declaration: false, composite: false, incremental: false });
  if (program.getSyntacticDiagnostics(parsed).length > 0) return undefined;
  return semanticOf(program.getSemanticDiagnostics(parsed).filter((diagnostic) => isUnusedCode(diagnostic.code)), program.getSuggestionDiagnostics(parsed));
}
