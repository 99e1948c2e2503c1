import { Node, SyntaxKind, ts, type KindToNodeMappings, type SourceFile } from 'ts-morph';

/**
 * Calls the rules look at, by the name they are made through. Everything else is skipped while
 * indexing, which keeps ts-morph from wrapping the many calls no rule cares about. A rule that looks
 * at other calls adds their names here (names ending in `Sync` are always indexed).
 */
const INDEXED_CALLEES = new Set([
  'eval', 'Function', 'runInNewContext', 'runInThisContext', 'runInContext', 'compileFunction', 'Script',
  'exec', 'execSync', 'spawn', 'spawnSync', 'execFile', 'execFileSync',
  'query', 'execute', 'raw', 'unsafe', 'run', 'all', 'get', 'prepare', '$queryRawUnsafe', '$executeRawUnsafe', 'queryRawUnsafe', 'executeRawUnsafe',
  'many', 'one', 'none', 'any', 'oneOrNone', 'manyOrNone', 'findOne', 'findUnique', 'findFirst', 'findMany', 'findById', 'findByPk', 'findAll', 'findOneBy',
  'findBy', '$queryRaw', '$executeRaw', 'count', 'aggregate', 'insertOne', 'updateOne', 'deleteOne', 'selectFrom', 'insertInto',
  'readFile', 'writeFile', 'appendFile', 'createReadStream', 'createWriteStream', 'unlink', 'rm', 'readdir', 'open', 'stat', 'access', 'sendFile', 'download',
  'copyFile', 'rename', 'mkdir', 'assign', 'merge', 'mergeWith', 'defaultsDeep', 'deepMerge', 'extend', 'deepExtend', 'assignDeep', 'mergeDeep',
  'random', 'RegExp', 'parse', 'stringify', 'includes', 'indexOf', 'lastIndexOf', 'find', 'findIndex', 'findLast', 'findLastIndex', 'registerTool', 'tool',
]);
const TLS_PROPERTIES = new Set(['rejectUnauthorized', 'strictSSL', 'verifySsl', 'verify']);

function propertyNameText(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

function calleeText(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  if (ts.isElementAccessExpression(expression) && ts.isStringLiteral(expression.argumentExpression)) return expression.argumentExpression.text;
  return undefined;
}

function endsFlowEarly(statements: ts.NodeArray<ts.Statement>): boolean {
  return statements.some((statement, index) => index < statements.length - 1 && (ts.isReturnStatement(statement) || ts.isThrowStatement(statement)
    || ts.isBreakStatement(statement) || ts.isContinueStatement(statement)));
}

/** Which compiler nodes the rules look at; the rest are walked but never wrapped. */
function isIndexed(node: ts.Node, text: string): boolean {
  switch (node.kind) {
    case SyntaxKind.CallExpression:
    case SyntaxKind.NewExpression: {
      const name = calleeText((node as ts.CallExpression).expression);
      return name !== undefined && (INDEXED_CALLEES.has(name) || name.endsWith('Sync'));
    }
    case SyntaxKind.StringLiteral:
    case SyntaxKind.NoSubstitutionTemplateLiteral:
      return node.end - node.pos >= 16;
    case SyntaxKind.PropertyAssignment: {
      const name = propertyNameText((node as ts.PropertyAssignment).name);
      return name !== undefined && TLS_PROPERTIES.has(name);
    }
    case SyntaxKind.BinaryExpression: {
      const binary = node as ts.BinaryExpression;
      return binary.operatorToken.kind === SyntaxKind.EqualsToken && text.slice(binary.left.pos, binary.left.end).includes('NODE_TLS_REJECT_UNAUTHORIZED');
    }
    case SyntaxKind.Block:
    case SyntaxKind.CaseClause:
    case SyntaxKind.DefaultClause:
      return endsFlowEarly((node as ts.Block).statements);
    case SyntaxKind.ObjectLiteralExpression:
      return (node as ts.ObjectLiteralExpression).properties.some((property) => property.name !== undefined && propertyNameText(property.name) === 'function');
    case SyntaxKind.AwaitExpression:
    case SyntaxKind.RegularExpressionLiteral:
    case SyntaxKind.ForInStatement:
    case SyntaxKind.AnyKeyword:
      return true;
    default:
      return false;
  }
}

/**
 * The nodes of one source file that the file rules look at, grouped by kind, collected in one walk
 * over the compiler's tree. Only those nodes get ts-morph wrappers: wrapping every node of a large
 * file costs more than all the rules together.
 */
export class SyntaxIndex {
  private readonly byKind = new Map<SyntaxKind, ts.Node[]>();

  constructor(readonly source: SourceFile) {
    const text = source.getFullText();
    const visit = (node: ts.Node): void => {
      if (isIndexed(node, text)) {
        let list = this.byKind.get(node.kind);
        if (!list) this.byKind.set(node.kind, (list = []));
        list.push(node);
      }
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(source.compilerNode, visit);
  }

  of<K extends SyntaxKind>(kind: K): KindToNodeMappings[K][] {
    return (this.byKind.get(kind) ?? []).map((node) => this.wrap(node)) as KindToNodeMappings[K][];
  }

  /** Every identifier of the file spelt `name`, found without wrapping the others. */
  identifiersNamed(name: string): Node[] {
    const found: ts.Node[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && node.text === name) found.push(node);
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(this.source.compilerNode, visit);
    return found.map((node) => this.wrap(node));
  }

  private wrap(node: ts.Node): Node {
    return wrapCompilerNode(this.source, node);
  }
}

/** The ts-morph wrapper of a compiler node of `source`, made only when asked for. */
export function wrapCompilerNode(source: SourceFile, node: ts.Node): Node {
  // ts-morph's own accessor from compiler node to wrapper (internal, but what every getter uses).
  return (source as unknown as { _getNodeFromCompilerNode(node: ts.Node): Node })._getNodeFromCompilerNode(node);
}

/** The name a call is made through: `exec` for `exec(...)` and `cp.exec(...)`. */
export function calleeName(node: Node): string | undefined {
  if (Node.isIdentifier(node)) return node.getText();
  if (Node.isPropertyAccessExpression(node)) return node.getName();
  if (Node.isElementAccessExpression(node)) {
    const argument = node.getArgumentExpression();
    if (argument && Node.isStringLiteral(argument)) return argument.getLiteralValue();
  }
  return undefined;
}

/** The receiver's text of a method call: `cp` for `cp.exec(...)`, `undefined` for plain calls. */
export function receiverText(node: Node): string | undefined {
  if (Node.isPropertyAccessExpression(node) || Node.isElementAccessExpression(node)) return node.getExpression().getText();
  return undefined;
}

/** Local name → module, per parsed file (keyed by the compiler's node, which outlives ts-morph wrappers). */
const importMaps = new WeakMap<object, Map<string, string>>();

function importMapOf(source: SourceFile): Map<string, string> {
  const key = source.compilerNode;
  let map = importMaps.get(key);
  if (map) return map;
  map = new Map();
  for (const declaration of source.getImportDeclarations()) {
    const module = declaration.getModuleSpecifierValue().replace(/^node:/, '');
    const add = (name: string | undefined): void => {
      if (name) map!.set(name, module);
    };
    add(declaration.getDefaultImport()?.getText());
    add(declaration.getNamespaceImport()?.getText());
    for (const specifier of declaration.getNamedImports()) add(specifier.getAliasNode()?.getText() ?? specifier.getName());
  }
  for (const declaration of source.getVariableStatements().flatMap((statement) => statement.getDeclarations())) {
    const initializer = declaration.getInitializer();
    if (!initializer || !Node.isCallExpression(initializer) || initializer.getExpression().getText() !== 'require') continue;
    const argument = initializer.getArguments()[0];
    if (!argument || !Node.isStringLiteral(argument)) continue;
    const module = argument.getLiteralValue().replace(/^node:/, '');
    const nameNode = declaration.getNameNode();
    const names = Node.isIdentifier(nameNode) ? [nameNode.getText()] : nameNode.getDescendantsOfKind(SyntaxKind.Identifier).map((id) => id.getText());
    for (const name of names) map.set(name, module);
  }
  importMaps.set(key, map);
  return map;
}

/**
 * The module an identifier was imported from (`child_process` for `import { exec } from
 * 'node:child_process'`, also for `const cp = require('child_process')`), without the `node:` prefix.
 */
export function importedFrom(identifier: Node): string | undefined {
  if (!Node.isIdentifier(identifier)) return undefined;
  return importMapOf(identifier.getSourceFile()).get(identifier.getText());
}

/** The module a call's callee comes from: `exec(...)` or `cp.exec(...)` with either imported from it. */
export function calleeModule(call: Node): string | undefined {
  if (!Node.isCallExpression(call) && !Node.isNewExpression(call)) return undefined;
  const callee = call.getExpression();
  if (Node.isIdentifier(callee)) return importedFrom(callee);
  if (Node.isPropertyAccessExpression(callee)) {
    const receiver = callee.getExpression();
    if (Node.isIdentifier(receiver)) return importedFrom(receiver) ?? (['fs', 'zlib', 'crypto', 'vm', 'child_process'].includes(receiver.getText()) ? receiver.getText() : undefined);
  }
  return undefined;
}

/** True when `node` is inside a function (arrow, expression, declaration or method). */
export function isFunctionLike(node: Node): boolean {
  return Node.isArrowFunction(node) || Node.isFunctionExpression(node) || Node.isFunctionDeclaration(node)
    || Node.isMethodDeclaration(node) || Node.isConstructorDeclaration(node) || Node.isGetAccessorDeclaration(node)
    || Node.isSetAccessorDeclaration(node);
}

const ITERATING_METHODS = new Set(['forEach', 'map', 'flatMap', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex']);

/** True for a statement that repeats its body. */
export function isLoopStatement(node: Node): boolean {
  return Node.isForStatement(node) || Node.isForOfStatement(node) || Node.isForInStatement(node)
    || Node.isWhileStatement(node) || Node.isDoStatement(node);
}

/** The callback's iterating call (`items.forEach`), when `fn` is the callback of one. */
export function iteratingCallOf(fn: Node): Node | undefined {
  const parent = fn.getParent();
  if (parent && Node.isCallExpression(parent) && parent.getArguments().includes(fn as never)) {
    const name = calleeName(parent.getExpression());
    if (name && ITERATING_METHODS.has(name)) return parent;
  }
  return undefined;
}

/**
 * The innermost loop whose body contains `node` without crossing a function boundary; with
 * `callbacks`, the callback of `forEach`/`map`/... counts as the body of a loop too. Only the body
 * counts: the iterated expression of `for (x of list())` runs once.
 */
export function enclosingLoop(node: Node, callbacks: boolean): Node | undefined {
  let child = node;
  for (let current = node.getParent(); current; child = current, current = current.getParent()) {
    if (isLoopStatement(current)) {
      const body = (current as unknown as { getStatement(): Node }).getStatement();
      if (body === child || (Node.isForStatement(current) && current.getIncrementor() === child) || (Node.isWhileStatement(current) && current.getExpression() === child)) return current;
      continue;
    }
    if (isFunctionLike(current)) {
      if (callbacks) {
        const iterating = iteratingCallOf(current);
        if (iterating) return iterating;
      }
      return undefined;
    }
  }
  return undefined;
}

/** Words of an identifier: `apiKeySecret` → `api`, `key`, `secret`; `session_id` → `session`, `id`. */
export function identifierWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/** The name a value is given: the variable, property or assignment target it is the initializer of. */
export function assignedName(node: Node): string | undefined {
  let current: Node = node;
  for (let parent = current.getParent(); parent; current = parent, parent = parent.getParent()) {
    if (Node.isVariableDeclaration(parent) && parent.getInitializer() === current) return parent.getName();
    if (Node.isPropertyAssignment(parent) && parent.getInitializer() === current) return parent.getName();
    if (Node.isPropertyDeclaration(parent) && parent.getInitializer() === current) return parent.getName();
    if (Node.isBinaryExpression(parent) && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken && parent.getRight() === current) {
      const left = parent.getLeft();
      return Node.isPropertyAccessExpression(left) ? left.getName() : left.getText();
    }
    if (Node.isReturnStatement(parent)) {
      const fn = parent.getFirstAncestor(isFunctionLike);
      if (fn && (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn))) return fn.getName();
      return undefined;
    }
    if (Node.isArrowFunction(parent) && parent.getBody() === current) {
      const holder = parent.getParent();
      if (holder && Node.isVariableDeclaration(holder)) return holder.getName();
      return undefined;
    }
    if (Node.isStatement(parent) || isFunctionLike(parent)) return undefined;
  }
  return undefined;
}

/**
 * Tests (with their fixtures and support code) and benchmarks, by their path inside the project:
 * code that does not ship. Their loops run in order on purpose (a benchmark times one call after
 * another; a test creates records whose order it asserts) and they hold sample secrets.
 */
const TEST_OR_BENCHMARK = /(\.|\/|^)(test|spec|bench)\.[cm]?[jt]sx?$|(^|\/)(tests?|__tests__|__mocks__|fixtures|e2e|bench|benchmarks?)\//;

export function isTestOrBenchmark(relativeFile: string): boolean {
  return TEST_OR_BENCHMARK.test(relativeFile);
}
