import { Node, SyntaxKind, type SourceFile } from 'ts-morph';

/**
 * Every node of one source file grouped by kind, collected in one walk so that the rules of a file
 * share a single traversal instead of each walking the tree again.
 */
export class SyntaxIndex {
  private readonly byKind = new Map<SyntaxKind, Node[]>();

  constructor(readonly source: SourceFile) {
    source.forEachDescendant((node) => {
      const kind = node.getKind();
      let list = this.byKind.get(kind);
      if (!list) this.byKind.set(kind, (list = []));
      list.push(node);
    });
  }

  of<K extends SyntaxKind>(kind: K): import('ts-morph').KindToNodeMappings[K][] {
    return (this.byKind.get(kind) ?? []) as import('ts-morph').KindToNodeMappings[K][];
  }
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

/**
 * The module an identifier was imported from (`child_process` for `import { exec } from
 * 'node:child_process'`, also for `const cp = require('child_process')`), without the `node:` prefix.
 */
export function importedFrom(identifier: Node): string | undefined {
  if (!Node.isIdentifier(identifier)) return undefined;
  const name = identifier.getText();
  const source = identifier.getSourceFile();
  for (const declaration of source.getImportDeclarations()) {
    const module = declaration.getModuleSpecifierValue().replace(/^node:/, '');
    if (declaration.getDefaultImport()?.getText() === name) return module;
    if (declaration.getNamespaceImport()?.getText() === name) return module;
    for (const specifier of declaration.getNamedImports()) {
      if ((specifier.getAliasNode()?.getText() ?? specifier.getName()) === name) return module;
    }
  }
  for (const declaration of source.getVariableStatements().flatMap((statement) => statement.getDeclarations())) {
    const initializer = declaration.getInitializer();
    if (!initializer || !Node.isCallExpression(initializer) || initializer.getExpression().getText() !== 'require') continue;
    const argument = initializer.getArguments()[0];
    if (!argument || !Node.isStringLiteral(argument)) continue;
    const nameNode = declaration.getNameNode();
    const names = Node.isIdentifier(nameNode) ? [nameNode.getText()] : nameNode.getDescendantsOfKind(SyntaxKind.Identifier).map((id) => id.getText());
    if (names.includes(name)) return argument.getLiteralValue().replace(/^node:/, '');
  }
  return undefined;
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
