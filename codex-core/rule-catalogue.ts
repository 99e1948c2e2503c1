import type { Category, RuleDescription, Severity } from '../protocol/findings';

function rule(id: string, category: Category, defaultSeverity: Severity, description: string): RuleDescription {
  return { id, category, defaultSeverity, description, docsPath: `docs/rules/${id}.md` };
}

/** Every rule the codex knows, in report order. Each has a page in docs/rules/<id>.md. */
export const RULES: readonly RuleDescription[] = [
  rule('type-check', 'type', 'error', 'TypeScript syntactic and semantic diagnostics, with the project\'s tsconfig.'),
  rule('lint', 'lint', 'warning', 'ESLint with the project\'s flat config, or a built-in recommended set.'),

  rule('dep-undeclared', 'dependency', 'error', 'A package is imported but not declared in package.json.'),
  rule('dep-unused', 'dependency', 'warning', 'A declared dependency is never imported.'),
  rule('dep-version-mismatch', 'dependency', 'error', 'The installed version does not satisfy the declared range.'),
  rule('dep-dev-at-runtime', 'dependency', 'error', 'Runtime code imports a package declared only in devDependencies.'),
  rule('dep-types-mismatch', 'dependency', 'warning', 'An @types package\'s major version does not match its package.'),
  rule('dep-duplicate', 'dependency', 'warning', 'The same package is declared in several dependency sections.'),
  rule('dep-peer-unmet', 'dependency', 'warning', 'A dependency\'s peer dependency is missing or out of range.'),

  rule('security-dynamic-code', 'security', 'error', 'eval, new Function or vm runs code built from non-literal input.'),
  rule('security-shell-injection', 'security', 'error', 'A shell command is built from interpolated strings.'),
  rule('security-sql-injection', 'security', 'error', 'SQL built by concatenation or template interpolation is passed to a query call.'),
  rule('security-hardcoded-secret', 'security', 'error', 'A secret (known key format, or a high-entropy literal with a secret-like name) is in the source.'),
  rule('security-tls-disabled', 'security', 'error', 'TLS certificate verification is turned off.'),
  rule('security-insecure-random', 'security', 'warning', 'Math.random produces a token, id or secret.'),
  rule('security-path-traversal', 'security', 'error', 'User input flows into a file path.'),
  rule('security-prototype-pollution', 'security', 'error', 'An untrusted object is merged into another object.'),
  rule('security-redos', 'security', 'warning', 'A regular expression is prone to catastrophic backtracking.'),

  rule('perf-await-in-loop', 'performance', 'warning', 'await inside a loop over independent items serialises the work.'),
  rule('perf-sync-in-handler', 'performance', 'warning', 'Synchronous fs, zlib or crypto call inside an async request handler.'),
  rule('perf-query-in-loop', 'performance', 'warning', 'A database query inside a loop (N+1 queries).'),
  rule('perf-invariant-in-loop', 'performance', 'info', 'JSON.parse/stringify or RegExp construction on loop-invariant input inside a loop.'),
  rule('perf-quadratic-lookup', 'performance', 'info', 'includes/find/indexOf over an array inside a loop (O(n²)).'),
  rule('perf-unbounded-collection', 'performance', 'warning', 'A module-level collection grows and is never pruned.'),

  rule('dead-unused-export', 'dead-zone', 'info', 'An export no other file of the project imports.'),
  rule('dead-unused-file', 'dead-zone', 'info', 'A source file nothing imports and that is no entry point.'),
  rule('dead-unreachable-code', 'dead-zone', 'warning', 'Statements after return, throw, break or continue.'),
  rule('dead-exported-any', 'dead-zone', 'warning', '`any` in the signature of an exported declaration.'),
  rule('dead-tool-undocumented', 'dead-zone', 'warning', 'An AI tool definition without a description or an input schema.'),

  rule('schema-drift', 'schema-drift', 'warning', 'The live database differs from what the SQL migrations define.'),
];

const byId = new Map(RULES.map((entry) => [entry.id, entry]));

/** The catalogue entry of `id`; throws for an unknown id because that is a bug in a rule. */
/** True when `id` names a rule of the catalogue. */
export function isRuleId(id: string): boolean {
  return byId.has(id);
}

export function ruleById(id: string): RuleDescription {
  const found = byId.get(id);
  if (!found) throw new Error(`unknown codex rule ${id}`);
  return found;
}
