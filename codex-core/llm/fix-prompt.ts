import { Project, ts } from 'ts-morph';
import type { Finding } from '../../protocol/findings';
import type { FixOutcome } from './learning-store';

/** A chat message as OpenAI-compatible endpoints take it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Lines of context on each side of the finding. */
const CONTEXT_LINES = 12;
/** Type declarations quoted at most, and their size each. */
const MAX_TYPES = 4;
const MAX_TYPE_CHARS = 1_200;

const SYSTEM = [
  'You fix one diagnosed problem in a TypeScript or JavaScript file with the smallest correct change.',
  'Answer with JSON: {"candidates":[{"reason":"...","edits":[{"startLine":N,"endLine":M,"replacement":"..."}]}]}',
  'Lines are 1-based and endLine is inclusive; replacement is the full new text of those lines (no trailing newline).',
  'Offer one to three alternative candidates. Do not change unrelated code. Do not add comments explaining the fix.',
  'If you cannot answer in JSON, answer with a unified diff of the file instead, preceded by one line giving the reason.',
].join('\n');

function numbered(lines: readonly string[], from: number, to: number): string {
  const out: string[] = [];
  for (let line = from; line <= to; line++) out.push(`${String(line + 1).padStart(5)}| ${lines[line] ?? ''}`);
  return out.join('\n');
}

/**
 * The declarations of the types, interfaces, classes and enums that the code around the finding
 * names, found syntactically in the same file (cheap, no type checker, nothing else loaded).
 */
export function typesTouched(file: string, text: string, fromLine: number, toLine: number): string[] {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  const source = project.createSourceFile(file.replace(/^.*[\\/]/, '/'), text, { overwrite: true });
  const lines = text.split('\n');
  const window = lines.slice(fromLine, toLine + 1).join('\n');
  const names = new Set(window.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const found: string[] = [];
  for (const statement of source.getStatements()) {
    if (found.length >= MAX_TYPES) break;
    const kind = statement.getKind();
    if (![ts.SyntaxKind.InterfaceDeclaration, ts.SyntaxKind.TypeAliasDeclaration, ts.SyntaxKind.ClassDeclaration, ts.SyntaxKind.EnumDeclaration].includes(kind)) continue;
    const name = (statement as unknown as { getName?: () => string | undefined }).getName?.();
    if (!name || !names.has(name)) continue;
    const start = statement.getStartLineNumber() - 1;
    const end = statement.getEndLineNumber() - 1;
    // Declarations already inside the quoted window need no second copy.
    if (start >= fromLine && end <= toLine) continue;
    found.push(statement.getText().slice(0, MAX_TYPE_CHARS));
  }
  return found;
}

/** What the prompt is built from. */
export interface FixPromptInput {
  finding: Finding;
  text: string;
  examples: readonly FixOutcome[];
  /** Why earlier candidates were refused, fed back on retries. */
  failures: readonly string[];
}

/** Builds the chat messages that ask for candidate fixes of one finding. */
export function buildFixPrompt(input: FixPromptInput): ChatMessage[] {
  const { finding, text } = input;
  const lines = text.split('\n');
  const from = Math.max(0, finding.range.start.line - CONTEXT_LINES);
  const to = Math.min(lines.length - 1, finding.range.end.line + CONTEXT_LINES);
  const parts: string[] = [
    `File: ${finding.file.replace(/^.*[\\/]/, '')} (${lines.length} lines)`,
    `Problem (${finding.ruleId}${finding.code ? ` ${finding.code}` : ''}, ${finding.severity}) at line ${finding.range.start.line + 1}: ${finding.message}`,
  ];
  if (finding.suggestion) parts.push(`Hint: ${finding.suggestion}`);
  parts.push('', `Code around it (lines ${from + 1}-${to + 1}):`, numbered(lines, from, to));
  const types = typesTouched(finding.file, text, from, to);
  if (types.length > 0) parts.push('', 'Types it touches:', ...types);
  if (input.examples.length > 0) {
    parts.push('', 'Fixes of the same rule the user accepted before:');
    for (const example of input.examples) parts.push(`- ${example.message}\n  before:\n${indent(example.before)}\n  after:\n${indent(example.after)}`);
  }
  if (input.failures.length > 0) {
    parts.push('', 'Earlier answers were refused:');
    for (const failure of input.failures) parts.push(`- ${failure}`);
    parts.push('Propose different fixes that avoid these problems.');
  }
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: parts.join('\n') },
  ];
}

function indent(text: string): string {
  return text.split('\n').map((line) => `    ${line}`).join('\n');
}
