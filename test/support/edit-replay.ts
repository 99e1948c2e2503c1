import { Project, ts } from 'ts-morph';
import { IncrementalTypeCheck } from '../../codex-core/incremental-check';
import { fullSemanticCheck, type CheckedDiagnostic, type ReportFix } from '../../codex-core/type-check';

/**
 * Replays edits over a real file with the incremental type check and compares each result with a
 * full check of the same text: the incremental check must give exactly what a full check gives.
 * Used by test/codex/incremental-check.test.ts (fixtures) and, by hand, on larger corpora.
 */
export interface ReplayReport {
  edits: number;
  incremental: number;
  /** Each mismatch with the texts before and after its edit, to replay it alone. */
  mismatches: { edit: string; missing: string[]; extra: string[]; before: string; after: string }[];
  reasons: Record<string, number>;
  incrementalMs: number[];
  fullMs: number[];
}

/** One edit: a description and the new text (or `undefined` when it does not apply to this text). */
export type Edit = (text: string, source: ts.SourceFile, random: () => number) => { name: string; text: string } | undefined;

/**
 * A diagnostic's identity for the comparison. The message's characters are compared as a multiset:
 * TypeScript prints the members of a union or object type in the order its checker created them,
 * which depends on what it checked first, so a region check and a full check may word the same
 * error with its members in another order.
 */
const key = (diagnostic: CheckedDiagnostic): string => `${diagnostic.start}-${diagnostic.end} TS${diagnostic.code} ${diagnostic.category} ${[...diagnostic.message].sort().join('')}`;
/**
 * The fixes compared: all but "Add import …", whose candidate modules come from the language
 * service's auto-import cache and host (a fresh service lists other ones), not from the check.
 */
const fixesKey = (fixes: readonly ReportFix[]): string => `[${fixes.filter((fix) => !fix.title.startsWith('Add import from')).map((fix) => `${fix.title}:${fix.edits.map((edit) => `${edit.start}-${edit.end}=${edit.newText}`).join(';')}`).join('|')}]`;

/**
 * Full checks by a fresh language service each time (sharing parsed files through a document
 * registry): what a first check of the text gives, independent of what the service under test
 * has checked before.
 */
function freshChecks(service: ts.LanguageService): (file: string) => CheckedDiagnostic[] {
  const registry = ts.createDocumentRegistry();
  let generation = 0;
  return (file) => {
    const program = service.getProgram()!;
    generation++;
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => [...program.getRootFileNames()],
      getScriptVersion: (name) => (name === file ? String(generation) : '0'),
      getScriptSnapshot: (name) => {
        const source = program.getSourceFile(name);
        const text = source?.text ?? ts.sys.readFile(name);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCompilationSettings: () => program.getCompilerOptions(),
      getCurrentDirectory: () => program.getCurrentDirectory(),
      getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
      fileExists: (name) => program.getSourceFile(name) !== undefined || ts.sys.fileExists(name),
      readFile: (name) => program.getSourceFile(name)?.text ?? ts.sys.readFile(name),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    const fresh = ts.createLanguageService(host, registry);
    try {
      return fullSemanticCheck(fresh, file);
    } finally {
      fresh.dispose();
    }
  };
}

function functionBodies(source: ts.SourceFile): ts.Block[] {
  const bodies: ts.Block[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && node.body && ts.isBlock(node.body)) bodies.push(node.body);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return bodies;
}

const pick = <T>(items: readonly T[], random: () => number): T | undefined => (items.length === 0 ? undefined : items[Math.floor(random() * items.length)]);
const insertAt = (text: string, at: number, snippet: string): string => text.slice(0, at) + snippet + text.slice(at);

/** Edits a developer makes, each at a random place. */
export const EDITS: Edit[] = [
  (text) => ({ name: 'append a wrongly typed unused const', text: `${text}\nconst __benchUnused: number = "not a number";\n` }),
  (text, source, random) => {
    const body = pick(functionBodies(source), random);
    return body && { name: `unused local in the body at ${body.pos}`, text: insertAt(text, body.getStart(source) + 1, '\n  const __local = 1;\n') };
  },
  (text, source, random) => {
    const body = pick(functionBodies(source), random);
    return body && { name: `type error in the body at ${body.pos}`, text: insertAt(text, body.getStart(source) + 1, '\n  const __wrong: string = 42; void __wrong;\n') };
  },
  (text, source, random) => {
    const body = pick(functionBodies(source).filter((candidate) => candidate.statements.length > 0), random);
    const statement = body && pick(body.statements, random);
    return statement && { name: `delete a statement of a body at ${statement.pos}`, text: text.slice(0, statement.getStart(source)) + text.slice(statement.end) };
  },
  (text, source, random) => {
    const identifiers: ts.Identifier[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node)) identifiers.push(node);
      ts.forEachChild(node, visit);
    };
    visit(source);
    const identifier = pick(identifiers, random);
    return identifier && { name: `misspell '${identifier.text}' at ${identifier.getStart(source)}`, text: insertAt(text, identifier.end, 'X') };
  },
  (text, source, random) => {
    const statement = pick(source.statements, random);
    return statement && { name: `delete top-level statement at ${statement.pos}`, text: text.slice(0, statement.pos) + text.slice(statement.end) };
  },
  (text, source, random) => {
    const statement = pick(source.statements.filter((candidate) => !ts.isImportDeclaration(candidate)), random);
    return statement && { name: `duplicate top-level statement at ${statement.pos}`, text: insertAt(text, statement.end, text.slice(statement.pos, statement.end)) };
  },
  (text, source, random) => {
    const imports = source.statements.filter(ts.isImportDeclaration);
    const statement = pick(imports, random);
    return statement && { name: `delete an import at ${statement.pos}`, text: text.slice(0, statement.pos) + text.slice(statement.end) };
  },
];

/** A seeded random number generator (mulberry32), so a failing replay can be repeated. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Opens `file` in `project`, then applies `count` random edits (each on the previous text, going
 * back to the original text every `resetEvery` edits) and compares incremental and full results.
 */
export function replayEdits(project: Project, file: string, count: number, seed: number, options: { resetEvery?: number; log?: (line: string) => void } = {}): ReplayReport {
  const service = project.getLanguageService().compilerObject;
  const reference = freshChecks(service);
  const check = new IncrementalTypeCheck();
  const random = seeded(seed);
  const original = project.getSourceFileOrThrow(file).getFullText();
  const report: ReplayReport = { edits: 0, incremental: 0, mismatches: [], reasons: {}, incrementalMs: [], fullMs: [] };
  check.check(service, file, true);
  let text = original;
  let checkedText = original;
  for (let index = 0; index < count; index++) {
    if (options.resetEvery && index > 0 && index % options.resetEvery === 0) text = original;
    const source = service.getProgram()!.getSourceFile(file)!;
    const edit = pick(EDITS, random)!(text, source, random);
    if (!edit) continue;
    text = edit.text;
    project.getSourceFileOrThrow(file).replaceWithText(text);
    let started = performance.now();
    service.getProgram();
    const programMs = performance.now() - started;
    started = performance.now();
    // As the language server asks: code fixes of new diagnostics left for later.
    const outcome = check.check(service, file, true, true);
    const incrementalMs = performance.now() - started;
    started = performance.now();
    const full = reference(file);
    const fullMs = performance.now() - started;
    // The fixes resolved afterwards (carried ones moved through the edit) must be the full check's.
    const withFixes = check.resolveFixes(service, file);
    report.edits++;
    if (outcome.mode === 'incremental') {
      report.incremental++;
      report.incrementalMs.push(incrementalMs);
      report.fullMs.push(fullMs);
    } else {
      report.reasons[outcome.reason ?? 'first check'] = (report.reasons[outcome.reason ?? 'first check'] ?? 0) + 1;
    }
    const got = new Set(withFixes.map((diagnostic) => key(diagnostic)));
    const expected = new Set(full.map((diagnostic) => key(diagnostic)));
    const missing = [...expected].filter((entry) => !got.has(entry));
    const extra = [...got].filter((entry) => !expected.has(entry));
    // Fixes are compared where both sides computed them (a file with many diagnostics gets fixes for the first ones only).
    const fixesOf = new Map(full.map((diagnostic) => [key(diagnostic), diagnostic.fixes]));
    for (const diagnostic of withFixes) {
      const expectedFixes = fixesOf.get(key(diagnostic));
      if (diagnostic.fixes === undefined || expectedFixes === undefined) continue;
      if (fixesKey(diagnostic.fixes) !== fixesKey(expectedFixes)) {
        missing.push(`${key(diagnostic)} ${fixesKey(expectedFixes)}`);
        extra.push(`${key(diagnostic)} ${fixesKey(diagnostic.fixes)}`);
      }
    }
    if (missing.length > 0 || extra.length > 0) report.mismatches.push({ edit: `${index}: ${edit.name} (${outcome.mode})`, missing, extra, before: checkedText, after: text });
    checkedText = text;
    options.log?.(`${index} ${edit.name}: ${outcome.mode}${outcome.reason ? ` (${outcome.reason})` : ''} ${incrementalMs.toFixed(0)} ms (program ${programMs.toFixed(0)} ms) vs full ${fullMs.toFixed(0)} ms${missing.length + extra.length > 0 ? ' MISMATCH' : ''}`);
  }
  // Leave the project as it was found, for the next replay in it.
  project.getSourceFileOrThrow(file).replaceWithText(original);
  return report;
}
