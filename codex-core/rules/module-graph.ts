import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Node, SyntaxKind, ts, type SourceFile } from 'ts-morph';

/** One module specifier written in a file, with what the file takes from it. */
export interface ImportEdge {
  specifier: string;
  /** The imported names (`default`, `*` for a namespace or side-effect-free whole-module use). */
  names: string[];
  /** `export ... from`: the names are passed on, not used here. */
  reexport: boolean;
  /** Re-exported as `export * from`. */
  reexportAll: boolean;
  /** Only types are taken (`import type`), so nothing is loaded at run time. */
  typeOnly: boolean;
  /** Where the specifier is written (offsets in the file). */
  start: number;
  end: number;
}

const edgeCache = new WeakMap<object, ImportEdge[]>();
const prefixCache = new WeakMap<object, string[]>();

/** The literal text a computed specifier starts with: `"./" + name` and `` `./locales/${lang}.js` `` give `./` and `./locales/`. */
function literalPrefixOf(node: ts.Expression): string | undefined {
  if (ts.isTemplateExpression(node)) return node.head.text;
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === SyntaxKind.PlusToken) {
    const left = node.left;
    return ts.isStringLiteral(left) || ts.isNoSubstitutionTemplateLiteral(left) ? left.text : literalPrefixOf(left);
  }
  if (ts.isParenthesizedExpression(node)) return literalPrefixOf(node.expression);
  return undefined;
}

/** True for `require(x)`, `import(x)` and `require.resolve(x)`. */
function isLoaderCall(node: ts.CallExpression): boolean {
  const callee = node.expression;
  return callee.kind === SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')
    || (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'require' && callee.name.text === 'resolve');
}

/**
 * The relative prefixes of the computed specifiers a file loads (`require("./" + plugin.module)`,
 * `` import(`./locales/${lang}.js`) ``): any project file under such a prefix may be loaded at run time.
 */
export function loadPrefixesOf(source: SourceFile): string[] {
  const cached = prefixCache.get(source.compilerNode);
  if (cached) return cached;
  const prefixes: string[] = [];
  prefixCache.set(source.compilerNode, prefixes);
  const compiler = source.compilerNode;
  // A file with no computed loader call needs no walk.
  if (!/\b(require|import)\s*\(\s*[^'"\s)]/.test(compiler.text) && !/\b(require|import)\s*\(\s*['"`][^'"`]*['"`]\s*\+/.test(compiler.text)) return prefixes;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.arguments[0] && isLoaderCall(node)) {
      const prefix = literalPrefixOf(node.arguments[0]);
      if (prefix !== undefined && (prefix.startsWith('./') || prefix.startsWith('../'))) prefixes.push(prefix);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(compiler, visit);
  return prefixes;
}

/** Every import, re-export, `require()` and `import()` of a file with a literal specifier (cached per parse). */
export function importsOf(source: SourceFile): ImportEdge[] {
  const cached = edgeCache.get(source.compilerNode);
  if (cached) return cached;
  const edges: ImportEdge[] = [];
  edgeCache.set(source.compilerNode, edges);
  for (const declaration of source.getImportDeclarations()) {
    const names: string[] = [];
    if (declaration.getDefaultImport()) names.push('default');
    if (declaration.getNamespaceImport()) names.push('*');
    for (const specifier of declaration.getNamedImports()) names.push(specifier.getName());
    const literal = declaration.getModuleSpecifier();
    const typeOnly = declaration.isTypeOnly() || (names.length > 0 && declaration.getNamedImports().length > 0 && !declaration.getDefaultImport()
      && !declaration.getNamespaceImport() && declaration.getNamedImports().every((specifier) => specifier.isTypeOnly()));
    edges.push({ specifier: declaration.getModuleSpecifierValue(), names, reexport: false, reexportAll: false, typeOnly, start: literal.getStart(), end: literal.getEnd() });
  }
  for (const declaration of source.getExportDeclarations()) {
    const literal = declaration.getModuleSpecifier();
    if (!literal) continue;
    const all = !declaration.hasNamedExports();
    const names = all ? (declaration.getNamespaceExport() ? ['*'] : []) : declaration.getNamedExports().map((specifier) => specifier.getName());
    edges.push({
      specifier: declaration.getModuleSpecifierValue() ?? '', names, reexport: true, reexportAll: all && !declaration.getNamespaceExport(),
      typeOnly: declaration.isTypeOnly(), start: literal.getStart(), end: literal.getEnd(),
    });
  }
  // require(), import() and import("x").T found on the compiler's tree: wrapping every call of every
  // file in ts-morph nodes just to find these few costs more than the rest of the project rules.
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const argument = node.arguments[0];
      if (isLoaderCall(node) && argument && (ts.isStringLiteral(argument) || ts.isNoSubstitutionTemplateLiteral(argument))) {
        edges.push({ specifier: argument.text, names: ['*'], reexport: false, reexportAll: false, typeOnly: false, start: argument.getStart(compiler), end: argument.end });
      }
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      const literal = node.argument.literal;
      edges.push({ specifier: literal.text, names: ['*'], reexport: false, reexportAll: false, typeOnly: true, start: literal.getStart(compiler), end: literal.end });
    }
    ts.forEachChild(node, visit);
  };
  const compiler = source.compilerNode;
  ts.forEachChild(compiler, visit);
  return edges;
}

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.d.ts', '.js', '.jsx', '.mjs', '.cjs'];

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Resolves a relative specifier the way bundlers and `moduleResolution: bundler` do: the exact file,
 * the `.js` name of a `.ts` file, an added extension, or a folder's index. `known` lets unsaved files
 * resolve too. Returns `undefined` for package names and unresolvable paths.
 */
export function resolveRelative(fromFile: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return undefined;
  const base = resolve(dirname(fromFile), specifier);
  const exists = (path: string): boolean => known.has(path) || isFile(path);
  const candidates = [base];
  const swapped = base.replace(/\.(m|c)?jsx?$/, '');
  if (swapped !== base) for (const extension of EXTENSIONS) candidates.push(swapped + extension);
  for (const extension of EXTENSIONS) candidates.push(base + extension);
  for (const extension of EXTENSIONS) candidates.push(join(base, `index${extension}`));
  return candidates.find((candidate) => exists(candidate) && !(existsSync(candidate) && !isFile(candidate)));
}

/** The package a bare specifier names: `@scope/name` or `name`; `undefined` for relative paths, URLs and node builtins. */
export function packageOf(specifier: string, builtins: ReadonlySet<string>): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#') || specifier.startsWith('node:') || /^[a-z]+:/.test(specifier)) return undefined;
  if (specifier.startsWith('~') || specifier.startsWith('@/')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  if (!name || builtins.has(specifier)) return undefined;
  // A builtin's name with a path that is no builtin (`punycode/`, `punycode/punycode.js`) reaches the
  // npm package of that name: Node resolves only the bare name (and `fs/promises` & co.) to its own.
  if (builtins.has(name) && parts.length === 1) return undefined;
  return name;
}

/** The names a file exports itself (not re-exports), with their name nodes. */
function ownExports(source: SourceFile): Map<string, Node> {
  const exports = new Map<string, Node>();
  for (const statement of source.getStatements()) {
    if (Node.isExportAssignment(statement)) exports.set('default', statement);
    if (Node.isExportDeclaration(statement) && !statement.getModuleSpecifier()) {
      for (const specifier of statement.getNamedExports()) exports.set(specifier.getAliasNode()?.getText() ?? specifier.getName(), specifier);
    }
    if (!Node.isExportable(statement) || !statement.isExported()) continue;
    if (statement.isDefaultExport()) {
      exports.set('default', statement);
    } else if (Node.isVariableStatement(statement)) {
      for (const declaration of statement.getDeclarations()) {
        const name = declaration.getNameNode();
        for (const identifier of Node.isIdentifier(name) ? [name] : name.getDescendantsOfKind(SyntaxKind.Identifier)) exports.set(identifier.getText(), identifier);
      }
    } else if (Node.hasName(statement) && !(Node.isModuleDeclaration(statement) && statement.hasDeclareKeyword())) {
      exports.set(statement.getName(), statement.getNameNode());
    }
  }
  return exports;
}

/**
 * What the project rules (dependencies, unused exports and files) need of one file, as plain data:
 * the file's tree can go as soon as this is taken, so a project of any size is read one file at a time.
 */
export interface ModuleFacts {
  path: string;
  edges: ImportEdge[];
  /** The names the file exports itself (not re-exports), where each is written. */
  exports: { name: string; start: number; end: number }[];
  /** Relative prefixes of computed specifiers it loads (see {@link loadPrefixesOf}). */
  loadPrefixes: string[];
}

export function moduleFactsOf(source: SourceFile): ModuleFacts {
  return {
    path: source.getFilePath() as string,
    edges: importsOf(source),
    exports: [...ownExports(source)].map(([name, node]) => ({ name, start: node.getStart(), end: node.getEnd() })),
    loadPrefixes: loadPrefixesOf(source),
  };
}
