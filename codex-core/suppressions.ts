import { ts } from 'ts-morph';
import type { Category, Finding } from '../protocol/findings';
import { LineMap } from './positions';

/**
 * Comments that turn the codex's own findings off where the code is right and the rule cannot know
 * it (a benchmark that runs `new Function` on purpose, a table name the registry itself chose):
 *
 *     // plugin-codex-disable-next-line security-sql-injection -- the schema name is ours
 *     run(code); // plugin-codex-disable-line security-dynamic-code
 *     /* plugin-codex-disable performance *\/     (from here to the end of the file)
 *
 * After the directive come rule ids or category names, separated by commas or spaces; none means
 * every codex rule. Text after ` -- ` is the reason, for the reader. Compiler errors and lint
 * messages keep their own mechanisms (`@ts-expect-error`, `eslint-disable`), so a directive without
 * names leaves them alone; naming `type-check` or `lint` explicitly still works.
 */

const DIRECTIVE = /^\s*plugin-codex-(disable-next-line|disable-line|disable)(?=\s|$)([\s\S]*)$/;
/** The files whose comments are read: JavaScript and TypeScript, where `//` and block comments exist. */
const SCRIPT_FILE = /\.[cm]?[jt]sx?$/;
/** Categories that a directive without names does not touch. */
const OWN_MECHANISM: ReadonlySet<Category> = new Set(['type', 'lint']);

interface Directive {
  /** First and last 0-based line covered. */
  from: number;
  to: number;
  /** Rule ids and category names; empty for all codex rules. */
  names: ReadonlySet<string>;
  /** `disable-next-line`, `disable-line` or `disable`, and where the comment is. */
  kind: string;
  start: number;
  end: number;
}

/** A name in a directive that is no rule id or category: a typo that would turn nothing off. */
export interface DirectiveProblem {
  start: number;
  end: number;
  message: string;
}

/** The suppression directives of one file. */
export class Suppressions {
  private constructor(private readonly directives: readonly Directive[]) {}

  static readonly NONE = new Suppressions([]);

  /** Reads the directives in `text` (a file named `file`); cheap when the text has none. */
  static of(file: string, text: string): Suppressions {
    if (!SCRIPT_FILE.test(file) || !text.includes('plugin-codex-disable')) return Suppressions.NONE;
    const lines = new LineMap(text);
    const directives: Directive[] = [];
    for (const comment of commentsOf(file, text)) {
      const body = comment.text.startsWith('//') ? comment.text.slice(2) : comment.text.slice(2, -2);
      const match = DIRECTIVE.exec(body);
      if (!match) continue;
      const [, kind, rest = ''] = match;
      const names = new Set(rest.split(/\s--\s|\s--$/)[0]!.split(/[\s,]+/).filter(Boolean));
      const line = lines.position(comment.start).line;
      const endLine = lines.position(comment.end).line;
      const where = { kind: kind!, start: comment.start, end: comment.end };
      if (kind === 'disable-next-line') directives.push({ from: endLine + 1, to: endLine + 1, names, ...where });
      else if (kind === 'disable-line') directives.push({ from: line, to: endLine, names, ...where });
      else directives.push({ from: line, to: Number.POSITIVE_INFINITY, names, ...where });
    }
    return directives.length === 0 ? Suppressions.NONE : new Suppressions(directives);
  }

  /** The names that are no rule id (`known`) or category, each with its directive's comment. */
  problems(known: (name: string) => boolean): DirectiveProblem[] {
    return this.directives.flatMap((directive) => [...directive.names].filter((name) => !known(name)).map((name) => ({
      start: directive.start,
      end: directive.end,
      message: `plugin-codex-${directive.kind} names ${name}, which is no codex rule or category: it turns nothing off`,
    })));
  }

  /** True when a finding of `ruleId` (in `category`) that starts on `line` is turned off. */
  covers(ruleId: string, category: Category, line: number): boolean {
    return this.directives.some((directive) => line >= directive.from && line <= directive.to
      && (directive.names.size === 0 ? !OWN_MECHANISM.has(category) : directive.names.has(ruleId) || directive.names.has(category)));
  }
}

/**
 * The comments holding a directive, found through the parsed file so that the same words in a
 * string, a template or a regular expression are not taken for one.
 */
function commentsOf(file: string, text: string): { text: string; start: number; end: number }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const comments = new Map<number, { text: string; start: number; end: number }>();
  for (let at = text.indexOf('plugin-codex-disable'); at >= 0; at = text.indexOf('plugin-codex-disable', at + 1)) {
    const comment = commentAt(source, text, at);
    if (comment) comments.set(comment.start, comment);
  }
  return [...comments.values()];
}

/**
 * The innermost node whose full extent (leading trivia included) holds `offset`, and where the gap
 * before `offset` among that node's children starts.
 */
function innermostAt(source: ts.SourceFile, offset: number): { node: ts.Node; gapStart: number } {
  let node: ts.Node = source;
  for (;;) {
    let inner: ts.Node | undefined;
    let gapStart = node.pos;
    ts.forEachChild(node, (child) => {
      if (child.pos <= offset && offset < child.end) {
        inner = child;
        return true;
      }
      if (child.end <= offset) gapStart = child.end;
      return undefined;
    });
    if (!inner) return { node, gapStart };
    node = inner;
  }
}

/** The comment that contains `offset`, if it lies in one. */
function commentAt(source: ts.SourceFile, text: string, offset: number): { text: string; start: number; end: number } | undefined {
  const { node, gapStart } = innermostAt(source, offset);
  // A leaf (a string, a template part, a regular expression) contains the offset in its own text.
  if (node !== source && node.getChildCount(source) === 0 && offset >= node.getStart(source)) return undefined;
  // Between the children only trivia and plain tokens (keywords, punctuation) remain: scanning them is safe.
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text, undefined, gapStart);
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken && scanner.getTokenStart() <= offset; token = scanner.scan()) {
    if ((token === ts.SyntaxKind.SingleLineCommentTrivia || token === ts.SyntaxKind.MultiLineCommentTrivia) && offset < scanner.getTokenEnd()) {
      return { text: scanner.getTokenText(), start: scanner.getTokenStart(), end: scanner.getTokenEnd() };
    }
  }
  return undefined;
}

/**
 * The comment line `// <directive>` (`plugin-codex-disable-next-line <rule>`, `eslint-disable-next-line
 * <rule>`) above the line `line` of `text`, with that line's indentation, as the text to insert at
 * the start of the line (a quick fix of the language server). Undefined where a comment line cannot go: the line starts inside a multi-line string or template
 * (the comment would become part of it) or among JSX children (it would be rendered as text).
 */
export function disableNextLineComment(file: string, text: string, line: number, directive: string): { offset: number; newText: string } | undefined {
  const lines = new LineMap(text);
  const offset = lines.offset({ line, character: 0 });
  if (!SCRIPT_FILE.test(file) || !startsInCode(file, text, offset)) return undefined;
  const indentation = /^[ \t]*/.exec(text.slice(offset))?.[0] ?? '';
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  return { offset, newText: `${indentation}// ${directive}${newline}` };
}

/** True when `offset` lies between tokens of code: not in a literal's text, not among JSX children. */
function startsInCode(file: string, text: string, offset: number): boolean {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const { node } = innermostAt(source, offset);
  if (ts.isJsxText(node) || ts.isJsxElement(node) || ts.isJsxFragment(node)) return false;
  const literal = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateLiteralToken(node) || ts.isRegularExpressionLiteral(node);
  return !(literal && offset > node.getStart(source));
}

/** Codes of lint findings that the codex reports itself, not ESLint: no ESLint comment turns them off. */
export const CODEX_LINT_CODES: ReadonlySet<string> = new Set(['eslint-config', 'plugin-codex-directive']);

/**
 * The comment that turns `finding` off on its line: `plugin-codex-disable-next-line <rule>` for the
 * codex's own rules, `eslint-disable-next-line <rule>` for an ESLint rule's message. None for
 * compiler errors (`@ts-expect-error` is the compiler's to offer), ESLint messages without a rule
 * (parse errors) and the lint findings the codex reports itself (a broken ESLint config, a directive
 * naming no rule).
 */
export function disableDirectiveFor(finding: Pick<Finding, 'category' | 'ruleId' | 'code'>): { rule: string; directive: string } | undefined {
  if (finding.category === 'type') return undefined;
  if (finding.category !== 'lint') return { rule: finding.ruleId, directive: `plugin-codex-disable-next-line ${finding.ruleId}` };
  return finding.code && !CODEX_LINT_CODES.has(finding.code) ? { rule: finding.code, directive: `eslint-disable-next-line ${finding.code}` } : undefined;
}
