import { Node, SyntaxKind, TypeFlags, ts, type Type } from 'ts-morph';
import { calleeName, isFunctionLike, wrapCompilerNode } from './syntax-index';
import { ELEMENT_WRITERS, isConstant, isWrittenInto, unwrap } from './value-flow';

/**
 * "Trusted text": a string (or an array of strings) that holds only what the program itself wrote —
 * literals, numbers, values of a closed set of literal types, and the output of quoting functions —
 * however it was assembled. SQL built that way (a query builder that appends `$1` placeholders and
 * column names from a table of constants) cannot carry input into the statement, so the
 * SQL-injection rule leaves it alone. Found on this repository's own registry queries, where every
 * interpolation was a placeholder, a quoted identifier or a sort expression from a switch.
 */

/** Variables, functions and callbacks followed from the expression asked about: enough for a query builder. */
const MAX_HOPS = 6;

/**
 * Calls that quote or escape their argument for SQL: pg's `escapeIdentifier`/`escapeLiteral`,
 * mysql's `escape`/`escapeId`, a project's `quote`, `quoteIdent` or `quote_literal`.
 */
const SQL_ESCAPER = /^(quote|escape)([A-Z_]\w*)?$/;

/** String methods whose result holds only text of their receiver and arguments. */
const TEXT_METHODS = new Set(['replace', 'replaceAll', 'trim', 'trimStart', 'trimEnd', 'toLowerCase', 'toUpperCase', 'slice',
  'substring', 'padStart', 'padEnd', 'repeat', 'concat', 'toString', 'toFixed', 'at', 'charAt']);

/** Array methods whose result holds only elements of the receiver. */
const ELEMENT_KEEPING = new Set(['filter', 'slice', 'concat', 'sort', 'toSorted', 'reverse', 'toReversed', 'flat']);
/** Of those, the ones whose argument is a callback that chooses or orders elements and adds none. */
const CHOOSING = new Set(['filter', 'sort', 'toSorted']);

/** Iterating methods whose callback's first parameter is an element of the receiver. */
const ELEMENT_CALLBACKS = new Set(['map', 'flatMap', 'forEach', 'filter', 'some', 'every', 'find']);

/** Type flags of values whose text cannot be chosen from outside: numbers, booleans, string literal types, enums, nothing. */
const CLOSED_FLAGS = TypeFlags.NumberLike | TypeFlags.BigIntLike | TypeFlags.BooleanLike | TypeFlags.StringLiteral
  | TypeFlags.EnumLiteral | TypeFlags.Null | TypeFlags.Undefined | TypeFlags.Void;

/** True when `node` evaluates to text (or an array of texts) that only the program's own source chose. */
export function isTrustedText(node: Node): boolean {
  return trusted(node, 0, new Set());
}

function trusted(node: Node, hops: number, path: Set<Node>): boolean {
  const value = unwrap(node);
  // A value that reaches itself (a recursive function, a self-referencing loop) is not proven.
  if (hops > MAX_HOPS || path.has(value)) return false;
  path.add(value);
  try {
    return trustedValue(value, hops, path);
  } finally {
    path.delete(value);
  }
}

function trustedValue(value: Node, hops: number, path: Set<Node>): boolean {
  if (isConstant(value)) return true;
  if (trustedByShape(value, hops, path)) return true;
  // Last, as it makes the checker work: a number, a boolean, a union of string literals.
  return hasClosedType(value);
}

/** True when how `value` is built shows it holds only trusted text. */
function trustedByShape(value: Node, hops: number, path: Set<Node>): boolean {
  if (Node.isTemplateExpression(value)) return value.getTemplateSpans().every((span) => trusted(span.getExpression(), hops, path));
  if (Node.isBinaryExpression(value)) {
    const operator = value.getOperatorToken().getKind();
    const combines = operator === SyntaxKind.PlusToken || operator === SyntaxKind.BarBarToken
      || operator === SyntaxKind.QuestionQuestionToken || operator === SyntaxKind.AmpersandAmpersandToken;
    return combines && trusted(value.getLeft(), hops, path) && trusted(value.getRight(), hops, path);
  }
  if (Node.isConditionalExpression(value)) return trusted(value.getWhenTrue(), hops, path) && trusted(value.getWhenFalse(), hops, path);
  if (Node.isArrayLiteralExpression(value)) {
    return value.getElements().every((element) => trusted(Node.isSpreadElement(element) ? element.getExpression() : element, hops, path));
  }
  if (Node.isCallExpression(value)) return trustedCall(value, hops, path);
  if (Node.isIdentifier(value)) return trustedVariable(value, hops, path);
  if (Node.isPropertyAccessExpression(value) || Node.isElementAccessExpression(value)) return trustedMember(value, hops, path);
  return false;
}

/** True for a number, a boolean, a union of string literals or an array of those. */
function hasClosedType(node: Node): boolean {
  let type: Type;
  try {
    type = node.getType();
  } catch {
    return false;
  }
  return isClosedType(type, 0);
}

function isClosedType(type: Type, depth: number): boolean {
  if (depth > 2) return false;
  if ((type.getFlags() & CLOSED_FLAGS) !== 0) return true;
  if (type.isUnion()) return type.getUnionTypes().every((member) => isClosedType(member, depth + 1));
  const element = type.getArrayElementType();
  if (element) return isClosedType(element, depth + 1);
  if (type.isTuple()) return type.getTupleElements().every((member) => isClosedType(member, depth + 1));
  return false;
}

function trustedCall(call: import('ts-morph').CallExpression, hops: number, path: Set<Node>): boolean {
  const callee = call.getExpression();
  const name = calleeName(callee);
  const args = call.getArguments();
  if (name && SQL_ESCAPER.test(name)) return true;
  if (Node.isPropertyAccessExpression(callee) && name) {
    const receiver = callee.getExpression();
    if (name === 'join') return trusted(receiver, hops, path) && args.every((argument) => trusted(argument, hops, path));
    if (TEXT_METHODS.has(name) || ELEMENT_KEEPING.has(name)) {
      // `filter(predicate)`, `sort(compare)`: the callback chooses or orders elements, it adds none.
      const added = CHOOSING.has(name) ? [] : args;
      return trusted(receiver, hops, path) && added.every((argument) => trusted(argument, hops, path));
    }
    if (name === 'map' || name === 'flatMap') {
      const callback = args[0];
      return callback !== undefined && callbackReturnsTrusted(callback, hops, path);
    }
  }
  if (name === 'String' && Node.isIdentifier(callee)) return args.every((argument) => trusted(argument, hops, path));
  // A function of the program: trusted when everything it returns is.
  const returned = returnedExpressions(callee);
  return returned !== undefined && returned.every((expression) => trusted(expression, hops + 1, path));
}

/** True when a `map` callback returns trusted text: an escaper passed by name, or a function whose returns are trusted. */
function callbackReturnsTrusted(callback: Node, hops: number, path: Set<Node>): boolean {
  const name = calleeName(unwrap(callback));
  if (name && SQL_ESCAPER.test(name)) return true;
  const returned = returnedExpressions(callback);
  return returned !== undefined && returned.every((expression) => trusted(expression, hops + 1, path));
}

/** The function `node` is or names (an arrow, a function expression or declaration of the program), if any. */
function functionOf(node: Node): Node | undefined {
  const value = unwrap(node);
  if (Node.isArrowFunction(value) || Node.isFunctionExpression(value)) return value;
  if (!Node.isIdentifier(value)) return undefined;
  const symbol = value.getSymbol();
  const declaration = (symbol?.getAliasedSymbol() ?? symbol)?.getDeclarations()[0];
  if (!declaration) return undefined;
  if (Node.isFunctionDeclaration(declaration)) return declaration;
  if (Node.isVariableDeclaration(declaration)) {
    const initializer = declaration.getInitializer();
    if (initializer && (Node.isArrowFunction(initializer) || Node.isFunctionExpression(initializer))) return unwrap(initializer);
  }
  return undefined;
}

/** What a function returns: its expression body, or the expressions of its own `return`s. */
function returnedExpressions(node: Node): Node[] | undefined {
  const fn = functionOf(node);
  if (!fn) return undefined;
  if (Node.isArrowFunction(fn)) {
    const body = fn.getBody();
    if (!Node.isBlock(body)) return [body];
  }
  const returns = fn.getDescendantsOfKind(SyntaxKind.ReturnStatement).filter((statement) => statement.getFirstAncestor(isFunctionLike) === fn);
  if (returns.length === 0) return undefined;
  return returns.flatMap((statement) => statement.getExpression() ?? []);
}

function trustedVariable(identifier: Node, hops: number, path: Set<Node>): boolean {
  const symbol = identifier.getSymbol();
  const declaration = (symbol?.getAliasedSymbol() ?? symbol)?.getDeclarations()[0];
  if (!declaration) return false;
  if (Node.isParameterDeclaration(declaration)) return trustedElementParameter(declaration, hops, path);
  if (!Node.isVariableDeclaration(declaration) || !Node.isIdentifier(declaration.getNameNode())) return false;
  const initializer = declaration.getInitializer();
  if (!initializer || !trusted(initializer, hops + 1, path)) return false;
  // Everything later written into the variable, or added to the array it holds, must be trusted too.
  const scope = declaration.getFirstAncestor(isFunctionLike) ?? declaration.getSourceFile();
  return writesInto(scope, declaration.getName()).every((written) => trusted(written, hops + 1, path));
}

/**
 * What `scope` writes into the variable spelt `name`: right sides of `name = …`, `name += …` and
 * `name[i] = …`, and what `name.push(…)` and the other adding methods add. Found on the compiler's
 * tree, so only the matches get ts-morph wrappers (a module scope holds the whole file).
 */
function writesInto(scope: Node, name: string): Node[] {
  const found: ts.Node[] = [];
  const named = (node: ts.Node): boolean => {
    let current = node;
    while (ts.isParenthesizedExpression(current) || ts.isNonNullExpression(current) || ts.isAsExpression(current)) current = current.expression;
    return ts.isIdentifier(current) && current.text === name;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const target = node.left;
      if (named(target) || (ts.isElementAccessExpression(target) && named(target.expression))) found.push(node.right);
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ELEMENT_WRITERS.has(node.expression.name.text) && named(node.expression.expression)) {
      found.push(...(node.expression.name.text === 'splice' ? node.arguments.slice(2) : node.arguments));
    }
    ts.forEachChild(node, visit);
  };
  visit(scope.compilerNode);
  const source = scope.getSourceFile();
  return found.map((node) => wrapCompilerNode(source, node));
}

/** A callback's element parameter (`columns.map((column) => …)`) is trusted when the array it iterates is. */
function trustedElementParameter(parameter: import('ts-morph').ParameterDeclaration, hops: number, path: Set<Node>): boolean {
  const fn = parameter.getParent();
  if (!(Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) || fn.getParameters()[0] !== parameter || !Node.isIdentifier(parameter.getNameNode())) return false;
  const call = fn.getParent();
  if (!call || !Node.isCallExpression(call) || call.getArguments()[0] !== fn) return false;
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || !ELEMENT_CALLBACKS.has(callee.getName())) return false;
  return trusted(callee.getExpression(), hops + 1, path);
}

/** `key.expr`, `TABLE[name]`: trusted when every object the receiver can be holds trusted text there. */
function trustedMember(member: import('ts-morph').PropertyAccessExpression | import('ts-morph').ElementAccessExpression, hops: number, path: Set<Node>): boolean {
  const objects = objectSources(member.getExpression(), hops + 1, path);
  if (!objects || objects.length === 0) return false;
  const property = Node.isPropertyAccessExpression(member) ? member.getName() : undefined;
  return objects.every((object) => {
    if (Node.isArrayLiteralExpression(object)) return trusted(object, hops + 1, path);
    const properties = object.getProperties();
    const chosen = property === undefined ? properties : properties.filter((candidate) =>
      (Node.isPropertyAssignment(candidate) || Node.isShorthandPropertyAssignment(candidate)) && candidate.getName() === property);
    if (chosen.length === 0) return false;
    return chosen.every((candidate) => {
      if (Node.isPropertyAssignment(candidate)) {
        const initializer = candidate.getInitializer();
        return initializer !== undefined && trusted(initializer, hops + 1, path);
      }
      if (Node.isShorthandPropertyAssignment(candidate)) return trusted(candidate.getNameNode(), hops + 1, path);
      return false;
    });
  });
}

/**
 * The object or array literals an expression can evaluate to: a constant table, the initializer of a
 * variable never reassigned, or what a function of the program returns (`sortKey(sort)` returning
 * one literal per case). Undefined when any of them is something else.
 */
function objectSources(node: Node, hops: number, path: Set<Node>): (import('ts-morph').ObjectLiteralExpression | import('ts-morph').ArrayLiteralExpression)[] | undefined {
  if (hops > MAX_HOPS) return undefined;
  const value = unwrap(node);
  if (Node.isObjectLiteralExpression(value) || Node.isArrayLiteralExpression(value)) return [value];
  if (Node.isConditionalExpression(value)) {
    const whenTrue = objectSources(value.getWhenTrue(), hops, path);
    const whenFalse = objectSources(value.getWhenFalse(), hops, path);
    return whenTrue && whenFalse ? [...whenTrue, ...whenFalse] : undefined;
  }
  if (Node.isCallExpression(value)) {
    const returned = returnedExpressions(value.getExpression());
    if (!returned) return undefined;
    const sources = returned.map((expression) => objectSources(expression, hops + 1, path));
    return sources.every((source) => source !== undefined) ? sources.flat() as ReturnType<typeof objectSources> : undefined;
  }
  if (Node.isIdentifier(value)) {
    const symbol = value.getSymbol();
    const declaration = (symbol?.getAliasedSymbol() ?? symbol)?.getDeclarations()[0];
    if (!declaration || !Node.isVariableDeclaration(declaration)) return undefined;
    if (declaration.getVariableStatement()?.getDeclarationKind() !== 'const') return undefined;
    const initializer = declaration.getInitializer();
    // A table filled or changed later is not the literal it started as.
    if (!initializer || isWrittenInto(declaration)) return undefined;
    return objectSources(initializer, hops + 1, path);
  }
  return undefined;
}
