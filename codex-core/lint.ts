import type { ESLint, Linter } from 'eslint';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FileReporter, OffsetEdit } from './reporter';

const PROJECT_CONFIG_NAMES = ['eslint.config.js', 'eslint.config.mjs', 'eslint.config.cjs', 'eslint.config.ts', 'eslint.config.mts', 'eslint.config.cts'];

/**
 * The built-in rule set for projects without a flat config: typescript-eslint's recommended rules,
 * eslint-plugin-security's recommended rules without its two noisiest ones (the codex's own security
 * rules follow values instead), and a few fixable core and @stylistic rules.
 */
export async function builtInConfig(root?: string): Promise<Linter.Config[]> {
  // Loaded on first use: a host that lints in a worker (or not at all) never pays for ESLint's plugins.
  const [{ default: stylistic }, { default: security }, { configs }] = await Promise.all([
    import('@stylistic/eslint-plugin'),
    import('eslint-plugin-security'),
    import('typescript-eslint'),
  ]);
  return [
    { files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'] },
    ...(configs.recommended as Linter.Config[]),
    security.configs.recommended,
    {
      plugins: { '@stylistic': stylistic as unknown as ESLint.Plugin },
      rules: {
        'security/detect-object-injection': 'off',
        'security/detect-non-literal-fs-filename': 'off',
        'no-debugger': 'error',
        'no-dupe-keys': 'error',
        'no-unsafe-finally': 'error',
        'no-self-assign': 'error',
        'no-var': 'warn',
        'prefer-const': 'warn',
        '@stylistic/no-extra-semi': 'warn',
        '@stylistic/no-trailing-spaces': 'warn',
        '@stylistic/no-mixed-spaces-and-tabs': 'warn',
      },
    },
    {
      // CommonJS loads modules with require(): typescript-eslint's rule against it is meant for ES
      // modules and TypeScript, and reported every import of a CommonJS package (953 times on fastify).
      files: ['**/*.cjs', ...(root !== undefined && isCommonJsPackage(root) ? ['**/*.js'] : [])],
      rules: { '@typescript-eslint/no-require-imports': 'off' },
    },
  ];
}

/** True when the package at `root` is CommonJS: its package.json does not say `"type": "module"`. */
function isCommonJsPackage(root: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { type?: unknown }).type !== 'module';
  } catch {
    // No package.json (or an unreadable one): Node treats .js as CommonJS.
    return true;
  }
}

/** ESLint instances are expensive to create (plugins, config); one per root lives for the process. */
const instances = new Map<string, Promise<ESLint>>();

/** A project's own ESLint config that could not be loaded, so the built-in set linted instead. */
export interface LintConfigProblem {
  /** The config file. */
  file: string;
  message: string;
}

/** The config problem of each root whose ESLint instance fell back to the built-in set. */
const configProblems = new Map<string, LintConfigProblem>();

/** Roots linted with the built-in set (no usable config of their own). */
const builtInRoots = new Set<string>();

/**
 * ESLint's complaint about a disable comment that names a rule the config does not have. Under the
 * built-in set that is the project's own plugin (`// eslint-disable-next-line react-compiler/…` in
 * @tanstack/react-query), not a mistake in the code.
 */
const UNKNOWN_RULE = /^Definition for rule '.+' was not found\.?$/;

/** Why the project's own ESLint config was not used, once linting under `root` has started; undefined when it was (or there is none). */
export function lintConfigProblem(root: string): LintConfigProblem | undefined {
  return configProblems.get(root);
}

/** The project's own flat config file, if it has one. */
export function projectEslintConfig(root: string): string | undefined {
  return PROJECT_CONFIG_NAMES.map((name) => join(root, name)).find((path) => existsSync(path));
}

async function eslintFor(root: string): Promise<ESLint> {
  let pending = instances.get(root);
  if (!pending) {
    pending = (async () => {
      const { ESLint } = await import('eslint');
      configProblems.delete(root);
      builtInRoots.delete(root);
      const config = projectEslintConfig(root);
      if (config) {
        const own = new ESLint({ cwd: root });
        try {
          // Loading the config up front surfaces a broken or uninstallable config now, not per file.
          await own.calculateConfigForFile(join(root, 'index.ts'));
          return own;
        } catch (error) {
          // Fall back to the built-in set (a broken config must not switch linting off), and say so.
          const reason = ((error as Error).message ?? String(error)).split('\n')[0];
          configProblems.set(root, { file: config, message: `${basename(config)} could not be loaded (${reason}); the built-in rule set linted instead` });
        }
      }
      builtInRoots.add(root);
      return new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: await builtInConfig(root) });
    })();
    instances.set(root, pending);
  }
  return pending;
}

/** Forgets cached ESLint instances (after the project's config file changed). */
export function resetLintCache(root?: string): void {
  if (root === undefined) {
    instances.clear();
    configProblems.clear();
    builtInRoots.clear();
  } else {
    instances.delete(root);
    configProblems.delete(root);
    builtInRoots.delete(root);
  }
}

/** What the codex keeps of an ESLint message: plain data, so it can cross a worker boundary. */
export interface LintMessage {
  ruleId: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  message: string;
  severity: number;
  fix?: { range: [number, number]; text: string };
  suggestions?: { desc: string; fix: { range: [number, number]; text: string } }[];
}

/** Lints `text` as `file` and returns the rule messages (parse errors are the type checker's to report). */
export async function lintMessages(root: string, file: string, text: string): Promise<LintMessage[]> {
  const eslint = await eslintFor(root);
  const [result] = await eslint.lintText(text, { filePath: file, warnIgnored: false });
  const messages: LintMessage[] = [];
  for (const message of result?.messages ?? []) {
    // Parse errors (no rule id) are reported by type-check already; ignored-file notices are noise.
    if (!message.ruleId) continue;
    if (builtInRoots.has(root) && UNKNOWN_RULE.test(message.message)) continue;
    messages.push({
      ruleId: message.ruleId,
      line: message.line,
      column: message.column,
      ...(message.endLine !== undefined ? { endLine: message.endLine, endColumn: message.endColumn ?? 1 } : {}),
      message: message.message,
      severity: message.severity,
      ...(message.fix ? { fix: { range: message.fix.range, text: message.fix.text } } : {}),
      ...(message.suggestions?.length ? { suggestions: message.suggestions.map((suggestion) => ({ desc: suggestion.desc, fix: { range: suggestion.fix.range, text: suggestion.fix.text } })) } : {}),
    });
  }
  return messages;
}

/** The cached lint messages of a file, under the key they were computed for (see check-cache.ts). */
export interface CachedLintResult {
  key: string;
  messages: LintMessage[];
}

/** The key of a file's lint messages: its text, the ESLint config computed for it, and the host's salt. */
export function lintKey(text: string, configFingerprint: string, salt: string): string {
  return createHash('sha1').update(`${salt}\0${configFingerprint}\0${text}`).digest('hex');
}

/** ESLint's serialisation of each computed config, by config object (files sharing a config share the object). */
const fingerprints = new WeakMap<object, string>();

/**
 * What decides the lint messages of `file` besides its text: ESLint's version and the config it
 * computes for the file (rules and options, plugin and parser names with their versions), serialised
 * as ESLint serialises it for its own cache.
 */
export async function lintConfigFingerprint(root: string, file: string): Promise<string> {
  const eslint = await eslintFor(root);
  const config = await eslint.calculateConfigForFile(file) as object | undefined;
  if (!config) return 'ignored';
  let fingerprint = fingerprints.get(config);
  if (fingerprint === undefined) {
    const { ESLint } = await import('eslint');
    fingerprint = `${ESLint.version}\0${builtInRoots.has(root) ? 'built-in' : 'project'}\0${JSON.stringify(config)}`;
    fingerprints.set(config, fingerprint);
  }
  return fingerprint;
}

/**
 * The lint messages of `text` as `file`, taken from `previous` when it was stored under the same key
 * (see check-cache.ts); `hit` says which. The returned result is what to store.
 */
export async function cachedLintMessages(root: string, file: string, text: string, salt: string, previous: CachedLintResult | undefined): Promise<{ result: CachedLintResult; hit: boolean }> {
  const key = lintKey(text, await lintConfigFingerprint(root, file), salt);
  if (previous?.key === key) return { result: previous, hit: true };
  return { result: { key, messages: await lintMessages(root, file, text) }, hit: false };
}

/**
 * Reports lint messages of `reporter.file`: each ESLint fixer becomes a trivial fix, each suggestion a
 * suggested one; and the names in its `plugin-codex-disable…` comments that are no rule or category.
 */
export function reportLintMessages(reporter: FileReporter, messages: readonly LintMessage[]): void {
  if (!reporter.wants('lint')) return;
  // Wherever ESLint's messages for a file are reported, so are the file's unknown directive names: once per file and layer.
  reporter.reportDirectiveProblems();
  for (const message of messages) {
    const start = reporter.lines.offset({ line: message.line - 1, character: message.column - 1 });
    const end = message.endLine === undefined
      ? start
      : reporter.lines.offset({ line: message.endLine - 1, character: (message.endColumn ?? 1) - 1 });
    const fixes: { title: string; kind: 'trivial' | 'suggestion'; edits: OffsetEdit[] }[] = [];
    if (message.fix) {
      fixes.push({ title: `Fix: ${message.ruleId}`, kind: 'trivial', edits: [{ start: message.fix.range[0], end: message.fix.range[1], newText: message.fix.text }] });
    }
    for (const suggestion of message.suggestions ?? []) {
      fixes.push({ title: suggestion.desc, kind: 'suggestion', edits: [{ start: suggestion.fix.range[0], end: suggestion.fix.range[1], newText: suggestion.fix.text }] });
    }
    reporter.report({
      ruleId: 'lint',
      start,
      end,
      code: message.ruleId,
      severity: message.severity === 2 ? 'error' : 'warning',
      message: `${message.message} (${message.ruleId})`,
      fixes,
    });
  }
}

/** Lints `text` as `reporter.file` and reports the messages. */
export async function lintFile(root: string, text: string, reporter: FileReporter): Promise<void> {
  if (!reporter.wants('lint')) return;
  reportLintMessages(reporter, await lintMessages(root, reporter.file, text));
}
