import { html, type TemplateResult } from 'lit';

/** A token class the code view colours. */
export type TokenKind = 'comment' | 'string' | 'number' | 'keyword' | 'literal' | 'punctuation' | 'plain';

/** A run of text and its class. */
export interface Token {
  kind: TokenKind;
  text: string;
}

const KEYWORDS = new Set([
  'async', 'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'default', 'delete', 'do', 'else', 'export', 'extends',
  'finally', 'for', 'from', 'function', 'if', 'import', 'in', 'instanceof', 'let', 'new', 'of', 'return', 'static', 'switch',
  'throw', 'try', 'typeof', 'var', 'void', 'while', 'yield', 'interface', 'type', 'CREATE', 'TABLE', 'SELECT', 'INSERT', 'INTO',
  'VALUES', 'UPDATE', 'DELETE', 'DROP', 'WHERE', 'FROM', 'PRIMARY', 'KEY', 'NOT', 'NULL',
]);
const LITERALS = new Set(['true', 'false', 'null', 'undefined', 'this']);

const PATTERN = /(\/\/[^\n]*|\/\*[\s\S]*?\*\/|<!--[\s\S]*?-->|#[^\n]*)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|(\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b)|([A-Za-z_$][\w$]*)|([{}()[\];,.<>=+\-*/%!&|?:]+)/g;

/**
 * Splits source text into tokens for highlighting: a deliberately small lexer that is right for
 * JavaScript, JSON, CSS, HTML and SQL in the common cases and never loses text (joining the
 * tokens gives the input back). `#` comments are only recognised in shell-like and Markdown files.
 */
export function tokenize(source: string, language = 'js'): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  const hashComments = language === 'sh' || language === 'yaml' || language === 'py';
  for (const match of source.matchAll(PATTERN)) {
    const start = match.index;
    if (start > last) tokens.push({ kind: 'plain', text: source.slice(last, start) });
    const [text, comment, string, number, word] = match;
    let kind: TokenKind = 'punctuation';
    if (comment !== undefined) kind = comment.startsWith('#') && !hashComments ? 'plain' : 'comment';
    else if (string !== undefined) kind = 'string';
    else if (number !== undefined) kind = 'number';
    else if (word !== undefined) kind = KEYWORDS.has(word) ? 'keyword' : LITERALS.has(word) ? 'literal' : 'plain';
    tokens.push({ kind, text });
    last = start + text.length;
  }
  if (last < source.length) tokens.push({ kind: 'plain', text: source.slice(last) });
  return tokens;
}

/** The language of a file from its extension. */
export function languageOf(path: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  return ({ mjs: 'js', cjs: 'js', ts: 'js', json: 'json', md: 'md', sql: 'sql', css: 'css', html: 'html', sh: 'sh', yml: 'yaml', yaml: 'yaml', py: 'py' } as Record<string, string>)[extension] ?? 'js';
}

/** Highlighted source as a template of spans (text bound as text, so nothing is interpreted). */
export function highlight(source: string, language = 'js'): TemplateResult {
  return html`${tokenize(source, language).map((token) => token.kind === 'plain' ? token.text : html`<span class="tok-${token.kind}">${token.text}</span>`)}`;
}
