import { Node, SyntaxKind } from 'ts-morph';
import { calleeName, isFunctionLike } from './syntax-index';
import { initializerOf, isUserInput, unwrap } from './value-flow';

/** Methods of the input itself that inspect it: `name.includes('..')`, `full.startsWith(root)`. */
const INSPECTING_METHODS = new Set(['includes', 'startsWith', 'endsWith', 'match', 'search', 'indexOf']);
/** Regular expression methods that test their argument: `SAFE_NAME.test(name)`. */
const TESTING_METHODS = new Set(['test', 'exec']);
/** Functions that judge their argument by name: `isSafePath(p)`, `assertInside(root, p)`, `validateName(n)`. */
const JUDGING_FUNCTION = /^(is|has|assert|validate|check|ensure|verify)([A-Z_]|$)/;

/**
 * True when the user input in `argument` (the path given to `use`) is checked before `use` runs: an
 * `if` earlier in an enclosing block tests it and leaves (`if (!FILE_NAME.test(name)) return
 * reply.code(404)`, `if (full.startsWith(root) === false) throw …`), or `use` sits in the branch of an
 * `if` that tests it. Found on this repository's web console route, which serves a file only after
 * matching its name against an allow-list pattern. What the test accepts is not judged: a check
 * that is there is the author's decision, and the finding would be noise on every guarded route.
 */
export function isValidatedInput(use: Node, argument: Node): boolean {
  const names = inputNames(argument);
  if (names.size === 0) return false;
  let child: Node = use;
  for (const ancestor of use.getAncestors()) {
    if (Node.isIfStatement(ancestor) && ancestor.getThenStatement() === child && validates(ancestor.getExpression(), names)) return true;
    if (Node.isBlock(ancestor) || Node.isSourceFile(ancestor) || Node.isCaseClause(ancestor) || Node.isDefaultClause(ancestor)) {
      for (const statement of ancestor.getStatements()) {
        if (statement === child) break;
        if (Node.isIfStatement(statement) && exits(statement.getThenStatement()) && validates(statement.getExpression(), names)) return true;
      }
    }
    // Checks in the callers are not followed: the function may be called from elsewhere.
    if (isFunctionLike(ancestor)) break;
    child = ancestor;
  }
  return false;
}

/** The variables in `argument`, and in the initializers of those, that hold user input. */
function inputNames(argument: Node): Set<string> {
  const names = new Set<string>();
  const visit = (node: Node, depth: number): void => {
    const value = unwrap(node);
    const identifiers = Node.isIdentifier(value) ? [value] : value.getDescendantsOfKind(SyntaxKind.Identifier);
    for (const identifier of identifiers) {
      if (names.has(identifier.getText()) || !isUserInput(identifier)) continue;
      names.add(identifier.getText());
      // `const full = join(root, name)`: a check of `name` guards `full` too.
      const initializer = initializerOf(identifier);
      if (initializer && depth < 2) visit(initializer, depth + 1);
    }
  };
  visit(argument, 0);
  return names;
}

/** True when the condition inspects one of the named variables. */
function validates(condition: Node, names: ReadonlySet<string>): boolean {
  const calls = Node.isCallExpression(condition) ? [condition] : [];
  calls.push(...condition.getDescendantsOfKind(SyntaxKind.CallExpression));
  const named = (node: Node | undefined): boolean => node !== undefined && Node.isIdentifier(unwrap(node)) && names.has(unwrap(node).getText());
  return calls.some((call) => {
    const callee = call.getExpression();
    const name = calleeName(callee);
    if (!name) return false;
    if (Node.isPropertyAccessExpression(callee) && INSPECTING_METHODS.has(name) && named(callee.getExpression())) return true;
    if (Node.isPropertyAccessExpression(callee) && TESTING_METHODS.has(name)) return call.getArguments().some(named);
    return JUDGING_FUNCTION.test(name) && call.getArguments().some(named);
  });
}

/** True when a statement always leaves the block: `return`, `throw`, `continue`, `break`, or a block ending in one. */
function exits(statement: Node): boolean {
  if (Node.isReturnStatement(statement) || Node.isThrowStatement(statement) || Node.isContinueStatement(statement) || Node.isBreakStatement(statement)) return true;
  if (Node.isBlock(statement)) {
    const last = statement.getStatements().at(-1);
    return last !== undefined && exits(last);
  }
  return false;
}
