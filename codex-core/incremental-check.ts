import { ts } from 'ts-morph';
import { unusedByResolution } from './unused-oracle';
import { byPosition, checkedOf, scriptKindOf, fullSemanticCheck, semanticOf, isUnusedCode, withFixes, type CheckedDiagnostic, type ReportFix, type SuggestingProgram } from './type-check';

/**
 * Re-checks an edited file without a full pass of the type checker.
 *
 * After an edit the program changes, so TypeScript builds a fresh checker and a full check of the
 * file starts from nothing: seconds for a large file (zod's schemas.ts: 1–2 s), whatever the edit.
 * This module checks only the top-level statements an edit can affect and keeps the rest of the
 * previous result:
 *
 * - **Which statements changed**: the statements of the old and new text, compared verbatim from
 *   both ends; the middle ones changed.
 * - **What else they can affect**: a statement's diagnostics depend on the types of the names it
 *   mentions. When a change leaves a statement's declared types alone (only the body of a function
 *   or method with a declared return type, or the initializer of an annotated variable or property
 *   changed), nothing outside it can change; otherwise the names it declares propagate to every
 *   statement mentioning them (a whole-word search: it over-approximates), transitively. A change
 *   that reaches an exported declaration can come back through other modules, and then the file
 *   gets a full check.
 * - **Semantic errors** of the affected statements come from TypeScript's region check
 *   (`getRegionSemanticDiagnostics`, what tsserver uses for the visible part of large files);
 *   every other statement keeps its previous diagnostics, moved by the edit.
 * - **Unused declarations**, which TypeScript computes only in a full check, come from a
 *   resolution-only check of the relevant statements in a one-file program without types
 *   (`unused-oracle.ts`): unused-ness depends on name resolution, not on types. That check is
 *   trusted for a file only after it matched the real one on the file's last full check.
 *
 * Anything outside these cases (another file or the options changed, a script rather than a module,
 * JavaScript, declaration emit, module augmentations, re-exports, `@ts-expect-error` in a changed
 * statement) takes the full check. The result equals a full check's; test/codex/incremental-check
 * replays edits over real files and compares both.
 */

/** The language service method tsserver uses for region diagnostics (TypeScript ≥ 5.6). */
type RegionCheckingService = ts.LanguageService & {
  getRegionSemanticDiagnostics?: (fileName: string, ranges: ts.TextRange[]) => { diagnostics: ts.Diagnostic[]; spans: ts.TextSpan[] } | undefined;
};

/** How the last check of a file was made, for tests, snapshots and the benches. */
export interface SemanticCheckOutcome {
  diagnostics: CheckedDiagnostic[];
  mode: 'full' | 'incremental';
  /** Why a full check was needed (absent for the first check of a file). */
  reason?: string;
  /** Statements checked by the region check (incremental mode). */
  checkedStatements?: number;
}

/** What is kept of the last checked version of a file. */
interface CheckedVersion {
  source: ts.SourceFile;
  /** Every other file of that program: when one is not the same object any more, it changed. */
  others: Map<string, ts.SourceFile>;
  optionsKey: string;
  diagnostics: CheckedDiagnostic[];
  /** True when the resolution-only unused check matched the real one on the last full check. */
  unusedTrusted: boolean;
}

/**
 * Diagnostics of names that failed to resolve. A type checker suggests a spelling ("Did you mean
 * …?") for its first ten such failures only, so with that many around, which ones get a suggestion
 * depends on the order of checking, and only a full check gives the order a fresh check has.
 */
const UNRESOLVED_NAME_CODES = new Set([2304, 2503, 2552, 2833, 2662, 2663, 2686, 2693, 2749, 2580, 2581, 2582, 2583, 2584, 2585, 2591, 2592, 2593]);
const SUGGESTION_CAP_MARGIN = 8;
const UNRESOLVED_REASON = 'many unresolved names: which get a spelling suggestion depends on the order of checking';

/**
 * Errors TypeScript reports only when it checks a module as a whole (its exports): conflicting or
 * redeclared exports, an export assignment beside other exports. A region check cannot repeat them.
 */
const MODULE_CHECK_CODES = new Set([2323, 2484, 2309, 2308]);

/**
 * True when a file added to the program cannot change how another file checks: a module (its
 * declarations are not global) that declares no ambient module and augments nothing global.
 */
function isInertAddition(file: ts.SourceFile): boolean {
  if (!ts.isExternalModule(file)) return false;
  return !file.statements.some((statement) => ts.isModuleDeclaration(statement) && (!ts.isIdentifier(statement.name) || (statement.flags & ts.NodeFlags.GlobalAugmentation) !== 0));
}

/** The program's module resolution of one import (TypeScript ≥ 5.3; not in the public typings). */
type ResolvingProgram = ts.Program & {
  getResolvedModuleFromModuleSpecifier?: (specifier: ts.StringLiteralLike, file: ts.SourceFile) => { resolvedModule?: { resolvedFileName: string } } | undefined;
};

/** True when no import of `files` resolves to one of `targets` (false when that cannot be told). */
function importsNoneOf(program: ts.Program, files: readonly ts.SourceFile[], targets: ReadonlySet<string>): boolean {
  const resolve = (program as ResolvingProgram).getResolvedModuleFromModuleSpecifier;
  if (typeof resolve !== 'function') return false;
  for (const file of files) {
    for (const specifier of (file as ts.SourceFile & { imports?: readonly ts.StringLiteralLike[] }).imports ?? []) {
      const target = resolve.call(program, specifier, file)?.resolvedModule?.resolvedFileName;
      if (target !== undefined && targets.has(target)) return false;
    }
  }
  return true;
}

/** Identifier-like words of a text (a superset of its identifiers). */
const IDENTIFIER_WORDS = /[A-Za-z_$][\w$]*/g;

function wordPattern(name: string): RegExp {
  return new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === kind);
}

/** The name nodes of what a top-level statement declares in the module's scope. */
function declaredNameNodes(statement: ts.Statement): ts.Identifier[] {
  const names: ts.Identifier[] = [];
  const binding = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.push(name);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) binding(element.name);
  };
  if (ts.isVariableStatement(statement)) {
    for (const declaration of statement.declarationList.declarations) binding(declaration.name);
  } else if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) {
    if (statement.name) names.push(statement.name);
  } else if (ts.isModuleDeclaration(statement)) {
    if (ts.isIdentifier(statement.name)) names.push(statement.name);
  } else if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    if (clause?.name) names.push(clause.name);
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name);
    else if (bindings) for (const element of bindings.elements) names.push(element.name);
  } else if (ts.isImportEqualsDeclaration(statement)) {
    names.push(statement.name);
  }
  return names;
}

/** The names a top-level statement declares in the module's scope. */
function declaredNames(statement: ts.Statement): string[] {
  return declaredNameNodes(statement).map((name) => name.text);
}

/** The names a module exports from its own declarations. */
function exportedNames(source: ts.SourceFile): Set<string> {
  const exported = new Set<string>();
  for (const statement of source.statements) {
    if (hasModifier(statement, ts.SyntaxKind.ExportKeyword)) for (const name of declaredNames(statement)) exported.add(name);
    else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) exported.add((element.propertyName ?? element.name).text);
    } else if (ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression)) {
      exported.add(statement.expression.text);
    }
  }
  return exported;
}

/** Why a changed statement rules the incremental path out, if it does. */
function unsupportedChange(statement: ts.Statement, text: string): string | undefined {
  if (ts.isModuleDeclaration(statement) && !ts.isIdentifier(statement.name)) return 'a module augmentation changed';
  if (ts.isModuleDeclaration(statement) && statement.flags & ts.NodeFlags.GlobalAugmentation) return 'a global augmentation changed';
  if (ts.isExportDeclaration(statement)) return 'the module\'s exports changed';
  if (ts.isExportAssignment(statement)) return 'the default export changed';
  if (text.includes('@ts-expect-error')) return 'a changed statement holds @ts-expect-error';
  return undefined;
}

/**
 * The parts of a statement that cannot change any declared type: bodies of functions and methods
 * with a declared return type (and of constructors, setters and static blocks), initializers of
 * annotated variables and properties. What happens inside them stays inside the statement.
 */
function implementationRanges(statement: ts.Statement, source: ts.SourceFile): [number, number][] {
  const ranges: [number, number][] = [];
  const add = (node: ts.Node | undefined): void => {
    if (node) ranges.push([node.getStart(source), node.end]);
  };
  if (ts.isFunctionDeclaration(statement) && statement.type) add(statement.body);
  else if (ts.isVariableStatement(statement)) {
    for (const declaration of statement.declarationList.declarations) if (declaration.type) add(declaration.initializer);
  } else if (ts.isClassDeclaration(statement)) {
    for (const member of statement.members) {
      if ((ts.isMethodDeclaration(member) || ts.isGetAccessorDeclaration(member)) && member.type) add(member.body);
      else if (ts.isSetAccessorDeclaration(member) || ts.isConstructorDeclaration(member) || ts.isClassStaticBlockDeclaration(member)) add(member.body);
      else if (ts.isPropertyDeclaration(member) && member.type) add(member.initializer);
    }
  }
  return ranges.sort((a, b) => a[0] - b[0]);
}

/** The statement's text with its implementation ranges blanked: two versions with the same shape declare the same types. */
function declaredShape(statement: ts.Statement, source: ts.SourceFile): string {
  let shape = '';
  let at = statement.getStart(source);
  for (const [from, to] of implementationRanges(statement, source)) {
    shape += `${source.text.slice(at, from)}{…}`;
    at = to;
  }
  return shape + source.text.slice(at, statement.end);
}

/** The top-level `let`/`var` names: assignments to them anywhere change their narrowing elsewhere. */
function mutableNames(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement) && !(statement.declarationList.flags & ts.NodeFlags.Const)) {
      for (const name of declaredNames(statement)) names.add(name);
    }
  }
  return names;
}

function optionsKeyOf(options: ts.CompilerOptions): string {
  return JSON.stringify(options, (key, value: unknown) => (key === 'configFile' ? undefined : value));
}

/** The identifier whose token starts at `offset` inside `node`, if any. */
function identifierAt(node: ts.Node, offset: number, source: ts.SourceFile): ts.Identifier | undefined {
  let current: ts.Node | undefined = node;
  while (current) {
    if (ts.isIdentifier(current)) return current.getStart(source) === offset ? current : undefined;
    const inside: ts.Node | undefined = current.getChildren(source).find((child) => child.pos <= offset && offset < child.end);
    current = inside;
  }
  return undefined;
}

/** True when `identifier` is read as a value or a type (not a declaration's name, a property name or an assignment target). */
function isPlainReference(identifier: ts.Identifier): boolean {
  const parent = identifier.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === identifier) return false;
  if (ts.isQualifiedName(parent) && parent.right === identifier) return false;
  // Declarations' names, property names, specifiers, shorthand properties: not counted (conservatively).
  if ((parent as { name?: ts.Node }).name === identifier) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === identifier) return false;
  if (ts.isBinaryExpression(parent) && parent.left === identifier && parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return false;
  if ((ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) && (parent.operator === ts.SyntaxKind.PlusPlusToken || parent.operator === ts.SyntaxKind.MinusMinusToken)) return false;
  return true;
}

/** The symbol a top-level statement declares under `name`, through the checker. */
function declaredSymbol(statement: ts.Statement, name: string, checker: ts.TypeChecker): ts.Symbol | undefined {
  const node = declaredNameNodes(statement).find((candidate) => candidate.text === name);
  return node ? checker.getSymbolAtLocation(node) : undefined;
}

/** Maps offsets of the old text to the new one around the changed span `[from, to)` of the old text. */
class EditMap {
  constructor(private readonly from: number, private readonly to: number, readonly delta: number) {}

  offset(old: number): number | undefined {
    if (old <= this.from) return old;
    if (old >= this.to) return old + this.delta;
    return undefined;
  }

  /**
   * The same for a fix's edit, which must stay clear of the change: an edit that ends where the
   * change starts (deleting a statement up to the next one) may now reach something else.
   */
  private editOffset(old: number): number | undefined {
    if (old < this.from) return old;
    if (old > this.to) return old + this.delta;
    return undefined;
  }

  diagnostic(old: CheckedDiagnostic): CheckedDiagnostic | undefined {
    const start = this.offset(old.start);
    const end = this.offset(old.end);
    if (start === undefined || end === undefined || end < start) return undefined;
    let fixes: ReportFix[] | undefined = [];
    for (const fix of old.fixes ?? []) {
      const edits = fix.edits.map((edit) => ({ start: this.editOffset(edit.start), end: this.editOffset(edit.end), newText: edit.newText }));
      if (edits.some((edit) => edit.start === undefined || edit.end === undefined)) {
        fixes = undefined;
        break;
      }
      fixes.push({ ...fix, edits: edits as { start: number; end: number; newText: string }[] });
    }
    return { ...old, start, end, fixes: old.fixes === undefined ? undefined : fixes };
  }
}

const keyOf = (diagnostic: CheckedDiagnostic): string => `${diagnostic.start}:${diagnostic.end}:${diagnostic.code}:${diagnostic.category}:${diagnostic.message}`;

/** The semantic check of the files a codex analyses, incremental for the files it keeps (the open ones). */
export class IncrementalTypeCheck {
  private readonly versions = new Map<string, CheckedVersion>();

  /** Forgets what was kept of `file` (it closed). */
  forget(file: string): void {
    this.versions.delete(file);
  }

  /**
   * The semantic diagnostics (errors and unused declarations) of `file` in the service's current
   * program. With `keep`, the result is kept so the next check of the file can be incremental.
   * With `lazyFixes`, an incremental check leaves the code fixes of new diagnostics uncomputed
   * (`fixes: undefined`): TypeScript's code-fix API runs a full check of the file first, which is
   * what the incremental check avoids. {@link resolveFixes} computes them when they are wanted.
   */
  check(service: ts.LanguageService, file: string, keep: boolean, lazyFixes = false): SemanticCheckOutcome {
    const program = service.getProgram();
    const source = program?.getSourceFile(file);
    const previous = this.versions.get(file);
    if (!program || !source || !keep) {
      this.versions.delete(file);
      return { diagnostics: fullSemanticCheck(service, file), mode: 'full' };
    }
    let outcome: SemanticCheckOutcome;
    const attempt: SemanticCheckOutcome | { reason?: string; checkerUsed?: boolean } = previous ? this.incremental(service, program, source, previous, lazyFixes) : { reason: undefined };
    let unusedTrusted = previous?.unusedTrusted ?? false;
    if ('diagnostics' in attempt) {
      outcome = attempt;
    } else {
      // A full check must start from a fresh checker, as a first check does: the region check's
      // order of checking would show in its results (see UNRESOLVED_NAME_CODES).
      const diagnostics = 'checkerUsed' in attempt && attempt.checkerUsed ? freshCheck(service, program, source, lazyFixes) : fullSemanticCheck(service, file);
      outcome = { diagnostics, mode: 'full', ...(attempt.reason ? { reason: attempt.reason } : {}) };
      // Whether the resolution-only unused check can stand in for the real one on this file.
      const real = outcome.diagnostics.filter((diagnostic) => isUnusedCode(diagnostic.code)).map(keyOf).join('|');
      unusedTrusted = unusedByResolution(source, program.getCompilerOptions())?.map(keyOf).join('|') === real;
    }
    const others = new Map<string, ts.SourceFile>();
    for (const other of program.getSourceFiles()) if (other !== source) others.set(other.fileName, other);
    this.versions.set(file, { source, others, optionsKey: optionsKeyOf(program.getCompilerOptions()), diagnostics: outcome.diagnostics, unusedTrusted });
    return outcome;
  }

  /**
   * The diagnostics of `file` with every code fix computed (up to the per-file limit), for the
   * program's current version of the file; the kept result gets them too.
   */
  resolveFixes(service: ts.LanguageService, file: string): CheckedDiagnostic[] {
    const source = service.getProgram()?.getSourceFile(file);
    const kept = this.versions.get(file);
    if (!source || !kept || kept.source !== source) return this.check(service, file, kept !== undefined).diagnostics;
    withFixes(service, file, kept.diagnostics);
    return kept.diagnostics;
  }

  /** True when the top-level variable `name` has a type that control flow can narrow (a union, unknown, any, a type parameter). */
  private narrowable(program: ts.Program, source: ts.SourceFile, name: string): boolean {
    const checker = program.getTypeChecker();
    for (const statement of source.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      const node = declaredNameNodes(statement).find((candidate) => candidate.text === name);
      const symbol = node && checker.getSymbolAtLocation(node);
      if (!symbol) continue;
      const type = checker.getTypeOfSymbol(symbol);
      return type.isUnion() || (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter | ts.TypeFlags.Boolean)) !== 0;
    }
    return true;
  }

  private incremental(service: ts.LanguageService, program: ts.Program, source: ts.SourceFile, previous: CheckedVersion, lazyFixes: boolean): SemanticCheckOutcome | { reason: string; checkerUsed?: boolean } {
    const options = program.getCompilerOptions();
    if (optionsKeyOf(options) !== previous.optionsKey) return { reason: 'the compiler options changed' };
    let kept = 0;
    const added = new Set<string>();
    for (const other of program.getSourceFiles()) {
      if (other === source) continue;
      const before = previous.others.get(other.fileName);
      if (before === other) kept++;
      else if (before !== undefined || !isInertAddition(other)) return { reason: `another file changed (${other.fileName})` };
      else added.add(other.fileName);
    }
    if (kept !== previous.others.size) return { reason: 'another file left the program' };
    // Files only added (a project analysis loads them all) reach this file only through an import
    // that resolves to one of them now: none of the files it saw before may import one.
    if (added.size > 0 && !importsNoneOf(program, [source, ...previous.others.values()], added)) return { reason: 'another file changed' };
    const old = previous.source;
    if (old.text === source.text) {
      if (!lazyFixes) withFixes(service, source.fileName, previous.diagnostics);
      return { diagnostics: previous.diagnostics, mode: 'incremental', checkedStatements: 0 };
    }
    if (!ts.isExternalModule(source) || !ts.isExternalModule(old)) return { reason: 'a script (not a module): its declarations are global' };
    if (!/\.[cm]?tsx?$/.test(source.fileName) || source.fileName.endsWith('.d.ts')) return { reason: 'not a TypeScript source file' };
    if (options.declaration || options.composite) return { reason: 'declaration emit is on' };
    if (!previous.unusedTrusted) return { reason: 'the resolution-only unused check differs from the real one on this file' };
    if (service.getSyntacticDiagnostics(source.fileName).length > 0) return { reason: 'the file does not parse' };

    // Which statements changed: equal ones from both ends, the rest in the middle.
    const before = old.statements;
    const after = source.statements;
    const same = (a: ts.Statement, b: ts.Statement): boolean => a.end - a.pos === b.end - b.pos && old.text.slice(a.pos, a.end) === source.text.slice(b.pos, b.end);
    let prefix = 0;
    while (prefix < before.length && prefix < after.length && same(before[prefix]!, after[prefix]!)) prefix++;
    let suffix = 0;
    while (suffix < before.length - prefix && suffix < after.length - prefix && same(before[before.length - 1 - suffix]!, after[after.length - 1 - suffix]!)) suffix++;
    const changedOld = before.slice(prefix, before.length - suffix);
    const changedNew = after.slice(prefix, after.length - suffix);
    const changeFrom = prefix > 0 ? before[prefix - 1]!.end : 0;
    const changeTo = suffix > 0 ? before[before.length - suffix]!.pos : old.text.length;
    const newChangeTo = suffix > 0 ? after[after.length - suffix]!.pos : source.text.length;
    const edit = new EditMap(changeFrom, changeTo, newChangeTo - changeTo);
    for (const [statement, file] of [...changedOld.map((s) => [s, old] as const), ...changedNew.map((s) => [s, source] as const)]) {
      const reason = unsupportedChange(statement, file.text.slice(statement.pos, statement.end));
      if (reason) return { reason };
    }

    // What the change can affect beyond the changed statements.
    const exported = new Set([...exportedNames(old), ...exportedNames(source)]);
    const oldDeclared = changedOld.flatMap(declaredNames);
    const newDeclared = changedNew.flatMap(declaredNames);
    const shapeKept = changedOld.length === changedNew.length && changedOld.every((statement, index) => declaredShape(statement, old) === declaredShape(changedNew[index]!, source));
    const changedWords = new Set<string>();
    for (const [statements, file] of [[changedOld, old], [changedNew, source]] as const) {
      for (const statement of statements) for (const word of file.text.slice(statement.pos, statement.end).match(IDENTIFIER_WORDS) ?? []) changedWords.add(word);
    }
    const propagate = new Set<string>(shapeKept ? [] : [...oldDeclared, ...newDeclared]);
    // A narrowable `let`/`var` assigned in the changed code may narrow differently wherever it is read.
    const mutable = mutableNames(source);
    for (const word of changedWords) if (mutable.has(word) && this.narrowable(program, source, word)) propagate.add(word);
    // Top-level statements that declare nothing (expression statements, blocks) may add properties to
    // declarations (expando assignments) or assign variables: every declared name they mention propagates.
    const unchangedIndices = [...Array(prefix).keys(), ...Array.from({ length: suffix }, (_, index) => after.length - suffix + index)];
    const declaredByStatement = new Map<number, string[]>(unchangedIndices.map((index) => [index, declaredNames(after[index]!)]));
    const declaredAnywhere = new Set([...declaredByStatement.values()].flat());
    for (const [statements, file] of [[changedOld, old], [changedNew, source]] as const) {
      for (const statement of statements) {
        if (declaredNames(statement).length > 0 || ts.isImportDeclaration(statement)) continue;
        for (const word of file.text.slice(statement.pos, statement.end).match(IDENTIFIER_WORDS) ?? []) if (declaredAnywhere.has(word)) propagate.add(word);
      }
    }

    // Statement index of an offset in the new text.
    const starts = after.map((statement) => statement.pos);
    const statementAt = (offset: number): number => {
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (starts[middle]! <= offset) low = middle;
        else high = middle - 1;
      }
      return low;
    };
    const unchanged = new Set(unchangedIndices);
    /** The unchanged statements mentioning `name`, with whether a mention can reach their declared types. */
    const mentioning = (name: string): Map<number, boolean> => {
      const found = new Map<number, boolean>();
      for (const match of source.text.matchAll(wordPattern(name))) {
        const index = statementAt(match.index);
        if (!unchanged.has(index) || found.get(index)) continue;
        const inImplementation = implementationRanges(after[index]!, source).some(([from, to]) => from <= match.index && match.index < to);
        found.set(index, !inImplementation);
      }
      return found;
    };
    const affected = new Set<number>();
    const typesAffected = new Set<number>();
    const pending = [...propagate];
    const seen = new Set(pending);
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (exported.has(name)) return { reason: `the exported declaration '${name}' may have changed` };
      for (const [index, reachesTypes] of mentioning(name)) {
        affected.add(index);
        // A statement that mentions the name only inside implementations is checked again, but its
        // own declared types stay, so nothing propagates from it.
        if (!reachesTypes || typesAffected.has(index)) continue;
        typesAffected.add(index);
        for (const declared of declaredByStatement.get(index) ?? []) {
          if (!seen.has(declared)) {
            seen.add(declared);
            pending.push(declared);
          }
        }
      }
    }
    // An overload signature must be followed by its implementation: the statements next to the
    // change are checked again when that order is involved.
    const isOverloadSignature = (statement: ts.Statement): boolean => ts.isFunctionDeclaration(statement) && !statement.body;
    if (prefix > 0 && isOverloadSignature(after[prefix - 1]!)) affected.add(prefix - 1);
    if (suffix > 0 && [...changedOld, ...changedNew].some(isOverloadSignature)) affected.add(after.length - suffix);
    // Other declarations of the names a changed statement declared before the edit (now maybe alone).
    for (const name of oldDeclared) {
      for (const [index, names] of declaredByStatement) if (names.includes(name)) affected.add(index);
    }
    // Names appearing or disappearing change "did you mean" suggestions anywhere: statements with errors are checked again.
    const sortedOld = [...oldDeclared].sort().join(',');
    const sortedNew = [...newDeclared].sort().join(',');
    const carried = previous.diagnostics.map((diagnostic) => edit.diagnostic(diagnostic)).filter((diagnostic): diagnostic is CheckedDiagnostic => diagnostic !== undefined);
    if (sortedOld !== sortedNew) {
      for (const diagnostic of carried) if (!isUnusedCode(diagnostic.code)) affected.add(statementAt(diagnostic.start));
    }
    for (let index = prefix; index < after.length - suffix; index++) affected.add(index);
    // A symbol declared by several statements (overloads, merged or duplicate declarations) gets
    // some errors only from checking its first declaration, reported on all of them: an affected
    // statement is checked with every other declaration of its names.
    const declaredAt = new Map<string, number[]>();
    for (const [index, names] of declaredByStatement) for (const name of names) declaredAt.set(name, [...(declaredAt.get(name) ?? []), index]);
    for (const index of [...affected]) {
      for (const name of declaredNames(after[index]!)) for (const sibling of declaredAt.get(name) ?? []) affected.add(sibling);
    }

    if (carried.filter((diagnostic) => UNRESOLVED_NAME_CODES.has(diagnostic.code)).length >= SUGGESTION_CAP_MARGIN) return { reason: UNRESOLVED_REASON };
    if (carried.some((diagnostic) => MODULE_CHECK_CODES.has(diagnostic.code) && affected.has(statementAt(diagnostic.start)))) {
      return { reason: 'a conflict between the module\'s exports is reported only by a full check' };
    }

    // Errors: the region check of the affected statements; the others keep theirs.
    const checked = [...affected].sort((a, b) => a - b);
    const errors: CheckedDiagnostic[] = [];
    if (checked.length > 0) {
      const ranges = checked.map((index) => ({ pos: after[index]!.pos, end: after[index]!.end }));
      // Public in tsserver's protocol, not (yet) in the LanguageService typings: TypeScript ≥ 5.6.
      const regionCheck = (service as RegionCheckingService).getRegionSemanticDiagnostics;
      if (typeof regionCheck !== 'function') return { reason: 'this TypeScript has no region check' };
      const region = regionCheck.call(service, source.fileName, ranges);
      if (!region) return { reason: 'TypeScript declined the region check' };
      for (const diagnostic of region.diagnostics) {
        if (diagnostic.file !== source || isUnusedCode(diagnostic.code) || diagnostic.start === undefined) continue;
        if (affected.has(statementAt(diagnostic.start))) errors.push(checkedOf(diagnostic));
      }
    }
    for (const diagnostic of carried) {
      if (!isUnusedCode(diagnostic.code) && !affected.has(statementAt(diagnostic.start))) errors.push(diagnostic);
    }

    // Unused declarations: the statements whose unused-ness may have changed get the resolution-only check.
    const checker = program.getTypeChecker();
    const targets = new Set<number>();
    for (let index = prefix; index < after.length - suffix; index++) targets.add(index);
    for (const word of changedWords) {
      const declaring = declaredAt.get(word);
      if (!declaring) continue;
      if (declaring.every((index) => targets.has(index))) continue;
      // Used by an unchanged statement other than its own declarations: it stays used, whatever the edit did.
      const symbols = declaring.map((index) => declaredSymbol(after[index]!, word, checker)).filter((symbol): symbol is ts.Symbol => symbol !== undefined);
      let used = false;
      for (const match of source.text.matchAll(wordPattern(word))) {
        const index = statementAt(match.index);
        if (!unchanged.has(index) || declaring.includes(index)) continue;
        const identifier = identifierAt(after[index]!, match.index, source);
        if (!identifier || !isPlainReference(identifier)) continue;
        const symbol = checker.getSymbolAtLocation(identifier);
        if (symbol && symbols.includes(symbol)) {
          used = true;
          break;
        }
      }
      if (!used) for (const index of declaring) targets.add(index);
    }
    const unused: CheckedDiagnostic[] = carried.filter((diagnostic) => isUnusedCode(diagnostic.code) && !targets.has(statementAt(diagnostic.start)));
    // The resolution-only check sees the targets and every statement that may refer to their non-exported names.
    const keep = new Set(targets);
    for (const index of targets) {
      for (const name of index >= prefix && index < after.length - suffix ? declaredNames(after[index]!) : declaredByStatement.get(index) ?? []) {
        if (exported.has(name)) continue;
        for (const match of source.text.matchAll(wordPattern(name))) keep.add(statementAt(match.index));
      }
    }
    // Imports stay: they are how the other statements' names resolve.
    after.forEach((statement, index) => {
      if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement)) keep.add(index);
    });
    const reduced = reducedText(source, [...keep]);
    const resolved = unusedByResolution(reduced, options);
    if (!resolved) return { reason: 'the statements around the edit do not parse on their own', checkerUsed: true };
    for (const diagnostic of resolved) {
      if (targets.has(statementAt(diagnostic.start))) unused.push(diagnostic);
    }

    // Code fixes: carried ones moved with their diagnostics; new or disturbed ones computed again.
    const previousFixes = new Map(carried.map((diagnostic) => [keyOf(diagnostic), diagnostic.fixes]));
    if (errors.filter((diagnostic) => UNRESOLVED_NAME_CODES.has(diagnostic.code)).length >= SUGGESTION_CAP_MARGIN) {
      return { reason: UNRESOLVED_REASON, checkerUsed: true };
    }
    const diagnostics = [...errors, ...unused].sort(byPosition);
    for (const diagnostic of diagnostics) {
      if (diagnostic.fixes === undefined && previousFixes.has(keyOf(diagnostic))) diagnostic.fixes = previousFixes.get(keyOf(diagnostic));
    }
    if (!lazyFixes) withFixes(service, source.fileName, diagnostics);
    return { diagnostics, mode: 'incremental', checkedStatements: checked.length };
  }
}

/**
 * A full check of `source` by a fresh type checker: a new program over the same, already parsed and
 * bound files (nothing is read or parsed again). Code fixes still come from the service.
 */
function freshCheck(service: ts.LanguageService, program: ts.Program, source: ts.SourceFile, lazyFixes: boolean): CheckedDiagnostic[] {
  const host = ts.createCompilerHost(program.getCompilerOptions());
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, onError) => program.getSourceFile(name) ?? getSourceFile(name, languageVersion, onError);
  const fresh = ts.createProgram({ rootNames: program.getRootFileNames(), options: program.getCompilerOptions(), host, oldProgram: program }) as SuggestingProgram;
  const freshSource = fresh.getSourceFile(source.fileName) ?? source;
  const diagnostics = semanticOf(fresh.getSemanticDiagnostics(freshSource), fresh.getSuggestionDiagnostics(freshSource));
  if (!lazyFixes) withFixes(service, source.fileName, diagnostics);
  return diagnostics;
}

/** A source file holding only the given statements of `source`, at their offsets (the rest blanked). */
function reducedText(source: ts.SourceFile, statements: number[]): ts.SourceFile {
  const keep = new Set(statements);
  if (keep.size === source.statements.length) return source;
  const text = source.text;
  let reduced = '';
  let at = 0;
  source.statements.forEach((statement, index) => {
    if (keep.has(index)) return;
    reduced += text.slice(at, statement.pos) + text.slice(statement.pos, statement.end).replace(/[^\n\r]/g, ' ');
    at = statement.end;
  });
  // Still a module when the kept statements hold no import or export.
  reduced += `${text.slice(at)}\nexport {};`;
  return ts.createSourceFile(source.fileName, reduced, ts.ScriptTarget.Latest, false, scriptKindOf(source.fileName));
}

