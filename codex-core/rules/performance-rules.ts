import { Node, SyntaxKind, type ObjectLiteralExpression } from 'ts-morph';
import type { FileReporter } from '../reporter';
import { calleeModule, calleeName, enclosingLoop, identifierWords, isFunctionLike, isTestOrBenchmark, iteratingCallOf, type SyntaxIndex } from './syntax-index';
import { ELEMENT_WRITERS, variableInitializerOf, isConstant, isWrittenInto, unwrap } from './value-flow';

const HANDLER_REGISTRARS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'use', 'route', 'head', 'options', 'handle', 'on', 'addHook', 'createServer']);
const HANDLER_PARAMS = /^(req|request|res|reply|response|ctx|context|event)$/;
const QUERY_CALLS = new Set(['query', 'execute', 'findOne', 'findUnique', 'findFirst', 'findMany', 'findById', 'findByPk', 'findAll', 'findOneBy', 'findBy',
  '$queryRaw', '$executeRaw', 'raw', 'count', 'aggregate', 'insertOne', 'updateOne', 'deleteOne', 'selectFrom', 'insertInto', 'oneOrNone', 'manyOrNone']);
const DB_RECEIVER = /^(db|database|pool|client|conn|connection|tx|trx|knex|prisma|sql|repo|repository|model|collection|em|manager|queryRunner|supabase|\w*Repository|\w*Repo|\w*Model|\w*Db|\w*Client|\w*Pool)$/i;
/** Calls that build a query (knex's `raw`, Kysely's `selectFrom`): it runs only when awaited or executed. */
const QUERY_BUILDERS = new Set(['raw', 'selectFrom', 'insertInto']);
/** Methods that run a built query. */
const EXECUTING = /^(execute\w*|then|catch|finally|stream|pipe)$/;
const PROMISE_COMBINATORS = new Set(['all', 'allSettled', 'race', 'any']);
const LOOKUPS = new Set(['includes', 'indexOf', 'lastIndexOf', 'find', 'findIndex', 'findLast', 'findLastIndex']);
const GROW = new Set(['set', 'push', 'add', 'unshift']);
const SHRINK = /\.(delete|clear|splice|shift|pop|length\s*=)|\.size\s*[<>]=?|\.length\s*[<>]=?|^\s*$/;

/** True when `fn` handles HTTP requests: registered as a route handler, or taking request-like parameters. */
function isRequestHandler(fn: Node): boolean {
  const parent = fn.getParent();
  if (parent && Node.isCallExpression(parent) && parent.getArguments().includes(fn as never)) {
    const name = calleeName(parent.getExpression());
    if (name && HANDLER_REGISTRARS.has(name)) return true;
  }
  const parameters = (fn as unknown as { getParameters?(): { getName(): string }[] }).getParameters?.() ?? [];
  return parameters.some((parameter) => HANDLER_PARAMS.test(parameter.getName()));
}

/** Awaited calls that wait for something on purpose: polling helpers and the steps of a UI test. */
const ORDERED_AWAITS = /^(wait([A-Z]\w*)?|act|click|dblclick|press|fill|hover|type|goto)$/;

/**
 * True when the body of `loop` reads an element next to the current one (`items[index - 1]`,
 * `xs[i + 1]`): each iteration builds on its neighbour's (a parent route's context, the previous
 * step's output), so the awaits inside are ordered on purpose. Found in @tanstack/react-router's
 * `loadMatches`, which awaits each route's `beforeLoad` after its parent's.
 */
function readsNeighbour(loop: Node): boolean {
  const counters = new Set<string>();
  if (Node.isForStatement(loop)) {
    const initializer = loop.getInitializer();
    if (initializer && Node.isVariableDeclarationList(initializer)) for (const declaration of initializer.getDeclarations()) counters.add(declaration.getName());
  } else if (Node.isForOfStatement(loop)) {
    // `for (const [index, item] of items.entries())`
    const initializer = loop.getInitializer();
    const declaration = Node.isVariableDeclarationList(initializer) ? initializer.getDeclarations()[0] : undefined;
    const name = declaration?.getNameNode();
    const first = name && Node.isArrayBindingPattern(name) ? name.getElements()[0] : undefined;
    if (first && Node.isBindingElement(first)) counters.add(first.getName());
  }
  if (counters.size === 0) return false;
  return loop.getDescendantsOfKind(SyntaxKind.ElementAccessExpression).some((access) => {
    const argument = access.getArgumentExpression();
    if (!argument || !Node.isBinaryExpression(argument)) return false;
    const operator = argument.getOperatorToken().getKind();
    if (operator !== SyntaxKind.MinusToken && operator !== SyntaxKind.PlusToken) return false;
    const [left, right] = [argument.getLeft(), argument.getRight()];
    return (Node.isIdentifier(left) && counters.has(left.getText()) && Node.isNumericLiteral(right))
      || (Node.isIdentifier(right) && counters.has(right.getText()) && Node.isNumericLiteral(left));
  });
}

/**
 * Names of lists whose order is the point: each step after the one before; and lists of chunks,
 * batches or pages, which are how code limits its own concurrency (Ghost updates members 998 ids
 * at a time, one chunk after another).
 */
const SEQUENCE_WORDS = new Set(['order', 'ordered', 'sequence', 'steps', 'stages', 'chain', 'pipeline', 'migrations', 'middleware', 'middlewares', 'queue',
  'chunk', 'chunks', 'chunked', 'batch', 'batches', 'batched']);
/** Database migrations and seeds (Ghost's `data/migrations`, knex's `seeds/`). */
const ONE_OFF_FILE = /(^|\/)(migrations?|seeds?|seeders)\//;
/** An awaited call bound to a transaction (`.transacting(trx)`, `{ transacting }`, `tx.user.update`) or to TypeORM's single-connection `queryRunner`. */
const ONE_CONNECTION = /\btransacting\b|\b(trx|tx|transaction|queryRunner)\b/;
/** Classes whose methods all talk over one connection (TypeORM's `PostgresQueryRunner`, a `Transaction`). */
const ONE_CONNECTION_CLASS = /(QueryRunner|Transaction|Connection|Session)$/;
/** SQL that changes the schema or the session: one statement per item is the only way. */
const COMMAND_SQL = /^\s*(ATTACH|DETACH|CREATE|ALTER|DROP|TRUNCATE|GRANT|REVOKE|SET|PRAGMA|VACUUM|ANALYZE|COMMENT ON|REFRESH)\b/i;

/**
 * True when the awaited call runs on one database connection: bound to a transaction or query
 * runner, or a method of a class that is one (`this.addColumn(…)` in TypeORM's query runners, where
 * each schema change waits for the one before anyway).
 */
function onOneConnection(awaited: Node): boolean {
  if (ONE_CONNECTION.test(awaited.getText())) return true;
  const callee = Node.isCallExpression(awaited) ? awaited.getExpression() : undefined;
  if (!callee || !Node.isPropertyAccessExpression(callee) || !Node.isThisExpression(callee.getExpression())) return false;
  const owner = awaited.getFirstAncestor((node) => Node.isClassDeclaration(node) || Node.isClassExpression(node));
  const name = owner && (Node.isClassDeclaration(owner) || Node.isClassExpression(owner)) ? owner.getName() : undefined;
  return name !== undefined && ONE_CONNECTION_CLASS.test(name);
}

/**
 * True when the loop walks a list whose name says its order matters (`groupOrder`, `migrations`,
 * `steps`): Node-RED starts `this.groupOrder` one group after another so each finds its parent
 * started. `for (const x of list)` and `for (let i = 0; i < list.length; i++)` both count.
 */
function iteratesSequence(loop: Node): boolean {
  let list: Node | undefined;
  if (Node.isForOfStatement(loop) || Node.isForInStatement(loop)) list = loop.getExpression();
  else if (Node.isForStatement(loop)) {
    const condition = loop.getCondition();
    const bound = condition && Node.isBinaryExpression(condition) ? condition.getRight() : undefined;
    if (bound && Node.isPropertyAccessExpression(bound) && bound.getName() === 'length') list = bound.getExpression();
  }
  if (!list) return false;
  const name = Node.isPropertyAccessExpression(list) ? list.getName() : Node.isIdentifier(list) ? list.getText() : undefined;
  return name !== undefined && identifierWords(name).some((word) => SEQUENCE_WORDS.has(word));
}

/** Methods that change the collection they are called on. */
const COLLECTION_WRITERS = new Set(['push', 'unshift', 'splice', 'pop', 'shift', 'set', 'add', 'delete', 'clear']);

/**
 * True when the awaited call reads a variable, declared outside the loop, that the loop body changes
 * (`if (await trial([...accepted, fix])) accepted.push(fix)`): each iteration needs the one before.
 * Found on this repository's fix verification, which keeps a fix only if it passes with the ones
 * kept so far.
 */
function readsWhatTheLoopWrites(awaited: Node, loop: Node): boolean {
  const inside = perIterationBindings(loop);
  const written = new Set<string>();
  // Only writes that follow from an awaited result carry it on: `offset = offset + lengths[i]`
  // beside the await is bookkeeping, and the iterations stay independent (found in knex's oracledb dialect).
  for (const binary of loop.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
    if (isAssignment(binary) && followsAnAwait(binary, loop)) written.add(rootIdentifierOf(binary.getLeft()) ?? '');
  }
  for (const call of loop.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    if (Node.isPropertyAccessExpression(callee) && COLLECTION_WRITERS.has(callee.getName()) && !awaited.containsRange(call.getPos(), call.getEnd()) && followsAnAwait(call, loop)) {
      written.add(rootIdentifierOf(callee.getExpression()) ?? '');
    }
  }
  const read = Node.isIdentifier(awaited) ? [awaited] : awaited.getDescendantsOfKind(SyntaxKind.Identifier);
  return read.some((identifier) => {
    const name = identifier.getText();
    return written.has(name) && !inside.has(name);
  });
}

/**
 * True when a write inside `loop` depends on an awaited result: it holds an await itself
 * (`seen.add(await key(x))`), or sits under a condition that does (`if (await passes(x)) kept.push(x)`,
 * also through a variable of the loop: `const ok = await passes(x); if (ok) …`).
 */
function followsAnAwait(write: Node, loop: Node): boolean {
  const awaits = (node: Node): boolean => Node.isAwaitExpression(node) || node.getDescendantsOfKind(SyntaxKind.AwaitExpression).length > 0;
  const awaitedValue = (condition: Node): boolean => awaits(condition) || (Node.isIdentifier(condition) ? [condition] : condition.getDescendantsOfKind(SyntaxKind.Identifier)).some((identifier) => {
    const declaration = identifier.getSymbol()?.getDeclarations()[0];
    const initializer = declaration && Node.isVariableDeclaration(declaration) && loop.containsRange(declaration.getPos(), declaration.getEnd()) ? declaration.getInitializer() : undefined;
    return initializer !== undefined && awaits(initializer);
  });
  if (awaits(write)) return true;
  for (let node = write.getParent(); node && node !== loop; node = node.getParent()) {
    if (Node.isIfStatement(node) && awaitedValue(node.getExpression())) return true;
    if (Node.isConditionalExpression(node) && awaitedValue(node.getCondition())) return true;
  }
  return false;
}

/** Array methods whose result still holds the list they are called on. */
const LIST_KEEPING = new Set(['concat', 'slice', 'filter', 'map', 'sort', 'toSorted', 'reverse', 'toReversed', 'flat', 'flatMap', 'with']);

/**
 * The variables a loop moves on to something new each time (`current = current.children.find(…)`
 * while descending a tree), not counting a list it rebuilds from itself (`columns =
 * columns.concat(key).sort()` still holds every earlier element: found in knex's query compiler).
 */
function movedOnNames(loop: Node): Set<string> {
  const fresh = perIterationBindings(loop);
  const names = new Set(fresh);
  const kept = new Set<string>();
  for (const binary of loop.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
    if (!isAssignment(binary) || !Node.isIdentifier(binary.getLeft())) continue;
    const name = binary.getLeft().getText();
    const right = binary.getRight();
    const keepsItself = binary.getOperatorToken().getKind() !== SyntaxKind.EqualsToken
      || right.getDescendantsOfKind(SyntaxKind.SpreadElement).some((spread) => spread.getExpression().getText() === name)
      || [right, ...right.getDescendantsOfKind(SyntaxKind.CallExpression)].some((call) => {
        if (!Node.isCallExpression(call)) return false;
        const callee = call.getExpression();
        return Node.isPropertyAccessExpression(callee) && LIST_KEEPING.has(callee.getName()) && rootIdentifierOf(callee.getExpression()) === name;
      });
    if (keepsItself) kept.add(name);
    else names.add(name);
  }
  // A list declared before the loop that the loop also pushes into grows between its resets.
  for (const call of loop.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    const root = Node.isPropertyAccessExpression(callee) && ELEMENT_WRITERS.has(callee.getName()) ? rootIdentifierOf(callee.getExpression()) : undefined;
    if (root && !fresh.has(root)) kept.add(root);
  }
  for (const name of kept) if (!fresh.has(name)) names.delete(name);
  return names;
}

function isAsync(fn: Node): boolean {
  return (fn as unknown as { isAsync?(): boolean }).isAsync?.() ?? false;
}

/**
 * The names bound afresh on every iteration of `loop`: its own variables, variables declared in its
 * body and parameters of callbacks in it (destructured names too).
 */
function perIterationBindings(loop: Node): Set<string> {
  const names = new Set<string>();
  const add = (name: Node): void => {
    for (const identifier of Node.isIdentifier(name) ? [name] : name.getDescendantsOfKind(SyntaxKind.Identifier)) names.add(identifier.getText());
  };
  // The array an iterating callback is handed (`filter((x, i, self) => …)`) is the same one every time.
  const iterated = Node.isCallExpression(loop) ? iteratedArrayParameter(loop) : undefined;
  for (const declaration of loop.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) add(declaration.getNameNode());
  for (const parameter of loop.getDescendantsOfKind(SyntaxKind.Parameter)) if (parameter !== iterated) add(parameter.getNameNode());
  return names;
}

/** The parameter of an iterating call's callback that receives the array itself (the third; the fourth for `reduce`). */
function iteratedArrayParameter(call: import('ts-morph').CallExpression): Node | undefined {
  const callback = call.getArguments()[0];
  if (!callback || !(Node.isArrowFunction(callback) || Node.isFunctionExpression(callback))) return undefined;
  const name = calleeName(call.getExpression());
  return callback.getParameters()[name === 'reduce' || name === 'reduceRight' ? 3 : 2];
}

/**
 * The names whose value may differ from one iteration to the next: {@link perIterationBindings},
 * plus variables the loop assigns (`x = …`, `i++`, `var key; for (key in o)`) and objects it writes
 * into (`state.ids[i] = id`).
 */
function loopVariantNames(loop: Node): Set<string> {
  const names = perIterationBindings(loop);
  const rootOf = (text: string): string => text.split(/[.[]/)[0] ?? '';
  // `var cred; for (cred in creds)` assigns a variable declared before the loop on every iteration.
  const iterations = [...(Node.isForInStatement(loop) || Node.isForOfStatement(loop) ? [loop] : []), ...loop.getDescendantsOfKind(SyntaxKind.ForInStatement), ...loop.getDescendantsOfKind(SyntaxKind.ForOfStatement)];
  for (const iteration of iterations) {
    const initializer = iteration.getInitializer();
    if (!Node.isVariableDeclarationList(initializer)) names.add(rootOf(initializer.getText()));
  }
  for (const binary of loop.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
    if (isAssignment(binary)) names.add(rootOf(binary.getLeft().getText()));
  }
  for (const unary of [...loop.getDescendantsOfKind(SyntaxKind.PostfixUnaryExpression), ...loop.getDescendantsOfKind(SyntaxKind.PrefixUnaryExpression)]) {
    names.add(unary.getOperand().getText());
  }
  return names;
}

/** The identifier a property chain starts from (`index` for `index.columnNames`, `(state.ids as Id[])` gives `state`); `this` chains give none. */
function rootIdentifierOf(node: Node): string | undefined {
  let current = unwrap(node);
  while (Node.isPropertyAccessExpression(current) || Node.isElementAccessExpression(current) || Node.isNonNullExpression(current) || Node.isCallExpression(current)) {
    current = unwrap(current.getExpression());
  }
  return Node.isIdentifier(current) ? current.getText() : undefined;
}

function isLoopInvariant(expression: Node, loop: Node): boolean {
  const variant = loopVariantNames(loop);
  const identifiers = Node.isIdentifier(expression) ? [expression] : expression.getDescendantsOfKind(SyntaxKind.Identifier);
  // Calls may return something new every time; only plain data counts as invariant.
  if (Node.isCallExpression(expression) || expression.getDescendantsOfKind(SyntaxKind.CallExpression).length > 0) return false;
  return identifiers.every((identifier) => !variant.has(identifier.getText()));
}

/**
 * True when the query a builder call starts runs inside `loop`: the chain is awaited or ends in an
 * executing method, or an iterating callback returns it to `Promise.all` (or to an `await`). A
 * builder whose result is kept or spliced into another query (`data[column] = knex.raw(...)`)
 * runs no query there.
 */
function runsQuery(call: Node, loop: Node): boolean {
  let top: Node = call;
  for (let parent = top.getParent(); parent && Node.isPropertyAccessExpression(parent) && parent.getExpression() === top; parent = top.getParent()) {
    if (EXECUTING.test(parent.getName())) return true;
    const chained = parent.getParent();
    if (!chained || !Node.isCallExpression(chained) || chained.getExpression() !== parent) return false;
    top = chained;
  }
  const parent = top.getParent();
  if (!parent) return false;
  if (Node.isAwaitExpression(parent) || Node.isYieldExpression(parent)) return true;
  const returned = Node.isReturnStatement(parent) || (Node.isArrowFunction(parent) && parent.getBody() === top);
  if (!returned || !Node.isCallExpression(loop)) return false;
  // The callback's results go where the iterating call's result goes.
  const consumer = loop.getParent();
  if (consumer && Node.isAwaitExpression(consumer)) return true;
  return consumer !== undefined && Node.isCallExpression(consumer) && PROMISE_COMBINATORS.has(calleeName(consumer.getExpression()) ?? '');
}

/** How far a list's value is followed through constants, conditionals and lookup tables. */
const MAX_LIST_DEPTH = 4;

/**
 * True when every value `node` can have is a non-empty array literal of constants written in the
 * source, reached through variables, conditionals and constant lookup tables
 * (`const METHODS = { query: ['GET'], mutation: ['POST'] }; METHODS[type].includes(method)`):
 * its length is bounded by the source code, so scanning it in a loop is not quadratic.
 */
function isLiteralList(node: Node, depth = 0): boolean {
  const value = unwrap(node);
  // Its elements may be anything (a table of `{ name, pattern }` records): only their number matters.
  if (Node.isArrayLiteralExpression(value)) return value.getElements().length > 0 && !value.getElements().some((element) => Node.isSpreadElement(element));
  if (depth >= MAX_LIST_DEPTH) return false;
  if (Node.isConditionalExpression(value)) return isLiteralList(value.getWhenTrue(), depth + 1) && isLiteralList(value.getWhenFalse(), depth + 1);
  if (Node.isIdentifier(value)) {
    const initializer = variableInitializerOf(value);
    const declaration = initializer?.getParent();
    // A list the file pushes into is not the literal it started as.
    return initializer !== undefined && !(declaration && Node.isVariableDeclaration(declaration) && isWrittenInto(declaration)) && isLiteralList(initializer, depth + 1);
  }
  if (Node.isPropertyAccessExpression(value) || Node.isElementAccessExpression(value)) {
    const tables = literalTablesOf(value.getExpression(), depth + 1);
    if (!tables) return false;
    // `table.name` and `table['name']` read one entry; `table[key]` may read any of them.
    const argument = Node.isElementAccessExpression(value) ? value.getArgumentExpression() : undefined;
    const name = Node.isPropertyAccessExpression(value) ? value.getName() : argument && (Node.isStringLiteral(argument) || Node.isNoSubstitutionTemplateLiteral(argument)) ? argument.getLiteralText() : undefined;
    return tables.every((table) => {
      const entries = table.getProperties().filter((property) => name === undefined || (Node.isPropertyAssignment(property) && property.getName() === name));
      return entries.length > 0 && entries.every((entry) => Node.isPropertyAssignment(entry) && isLiteralList(entry.getInitializerOrThrow(), depth + 1));
    });
  }
  return false;
}

/** The object literals `node` can be (through variables and conditionals), or undefined when it may be anything else. */
function literalTablesOf(node: Node, depth: number): ObjectLiteralExpression[] | undefined {
  const value = unwrap(node);
  if (Node.isObjectLiteralExpression(value)) return [value];
  if (depth >= MAX_LIST_DEPTH) return undefined;
  if (Node.isConditionalExpression(value)) {
    const whenTrue = literalTablesOf(value.getWhenTrue(), depth + 1);
    const whenFalse = literalTablesOf(value.getWhenFalse(), depth + 1);
    return whenTrue && whenFalse ? [...whenTrue, ...whenFalse] : undefined;
  }
  if (Node.isIdentifier(value)) {
    const initializer = variableInitializerOf(value);
    const declaration = initializer?.getParent();
    if (!initializer || (declaration && Node.isVariableDeclaration(declaration) && isWrittenInto(declaration))) return undefined;
    return literalTablesOf(initializer, depth + 1);
  }
  return undefined;
}

/** Runs every performance rule over one file. */
export function performanceRules(index: SyntaxIndex, reporter: FileReporter, relativeFile: string): void {
  // Tests and benchmarks do not ship, and their loops are sequential on purpose (found on this
  // repository: 69 of 123 performance findings were test steps and timing loops).
  if (isTestOrBenchmark(relativeFile)) return;
  const report = (ruleId: string, node: Node, message: string, suggestion: string): void =>
    reporter.report({ ruleId, start: node.getStart(), end: node.getEnd(), message, suggestion });

  // Migrations and seeds run once, one step after another, usually inside one transaction.
  if (reporter.wants('perf-await-in-loop') && !ONE_OFF_FILE.test(relativeFile)) {
    /** Loops already reported: a loop is the problem, not each of its awaits. */
    const reported = new Set<Node>();
    for (const expression of index.of(SyntaxKind.AwaitExpression)) {
      // Awaiting a promise that already runs (`await pair.value`) starts no work; only calls do.
      const awaited = expression.getExpression();
      if (!Node.isCallExpression(awaited) && !Node.isNewExpression(awaited)) continue;
      const loop = enclosingLoop(expression, false);
      if (!loop || !(Node.isForOfStatement(loop) || Node.isForInStatement(loop) || Node.isForStatement(loop))) continue;
      if (Node.isForOfStatement(loop) && loop.isAwaited()) continue;
      if (reported.has(loop)) continue;
      // Queries of one transaction run on one connection, one after another, whatever the code does.
      if (onOneConnection(awaited)) continue;
      const body = loop.getStatement();
      // Loops that stop early, or whose iterations feed each other, are sequential on purpose.
      const stopsEarly = body.getDescendants().some((node) => (Node.isBreakStatement(node) || Node.isReturnStatement(node) || Node.isThrowStatement(node))
        && enclosingLoop(node, false) === loop && node.getFirstAncestor(isFunctionLike) === loop.getFirstAncestor(isFunctionLike));
      if (stopsEarly) continue;
      const declaredInside = new Set(loop.getDescendantsOfKind(SyntaxKind.VariableDeclaration).map((declaration) => declaration.getName()));
      const carried = body.getDescendantsOfKind(SyntaxKind.BinaryExpression).some((binary) => {
        const kind = binary.getOperatorToken().getKind();
        return kind === SyntaxKind.EqualsToken && Node.isIdentifier(binary.getLeft()) && !declaredInside.has(binary.getLeft().getText())
          && binary.getRight().getDescendantsOfKind(SyntaxKind.AwaitExpression).length + (Node.isAwaitExpression(binary.getRight()) ? 1 : 0) > 0;
      });
      if (carried || readsWhatTheLoopWrites(awaited, loop) || readsNeighbour(loop) || iteratesSequence(loop)) continue;
      // A `sleep`/`delay` between iterations is throttling, not wasted latency; `waitFor(…)` and the
      // steps of a UI test (`click`, `press`, `act`) wait for the previous step on purpose.
      if (ORDERED_AWAITS.test(calleeName(awaited.getExpression()) ?? '') || /\b(sleep|delay|setTimeout|wait|throttle|lock|acquire)\b/i.test(awaited.getText())) continue;
      reported.add(loop);
      report('perf-await-in-loop', expression, 'await inside a loop runs the iterations one after another', 'Start the independent operations together and await Promise.all (with a concurrency limit for large lists).');
    }
  }

  const calls = index.of(SyntaxKind.CallExpression);

  if (reporter.wants('perf-sync-in-handler')) {
    for (const call of calls) {
      const name = calleeName(call.getExpression());
      if (!name?.endsWith('Sync')) continue;
      const module = calleeModule(call);
      if (module !== 'fs' && module !== 'zlib' && module !== 'crypto' && module !== 'child_process') continue;
      const fn = call.getFirstAncestor(isFunctionLike);
      if (!fn || !isAsync(fn) || !isRequestHandler(fn)) continue;
      report('perf-sync-in-handler', call, `${name} blocks the event loop inside an async request handler`, `Use the asynchronous ${module} API (${name.replace(/Sync$/, '')}) and await it.`);
    }
  }

  if (reporter.wants('perf-query-in-loop')) {
    // A chain (`db.selectFrom(...).where(...).execute()`) is one query: reported once, where it starts.
    const chainsReported = new Set<number>();
    for (const call of calls) {
      const callee = call.getExpression();
      const name = calleeName(callee);
      if (!name || !QUERY_CALLS.has(name) || !Node.isPropertyAccessExpression(callee)) continue;
      if (!callee.getExpression().getText().split('.').some((segment) => DB_RECEIVER.test(segment.replace(/^this$/, '')))) continue;
      const loop = enclosingLoop(call, true);
      if (!loop) continue;
      if (QUERY_BUILDERS.has(name) && !runsQuery(call, loop)) continue;
      // One statement per item is the only way for schema and session commands (`ATTACH`, `ALTER`).
      const sql = call.getArguments()[0];
      if (sql && (Node.isStringLiteral(sql) || Node.isNoSubstitutionTemplateLiteral(sql) || Node.isTemplateExpression(sql)) && COMMAND_SQL.test(sql.getText().slice(1))) continue;
      if (chainsReported.has(call.getStart())) continue;
      chainsReported.add(call.getStart());
      report('perf-query-in-loop', call, `${callee.getText()}() runs once per iteration (N+1 queries)`, 'Fetch all rows in one query (WHERE id = ANY($1), IN (...), a join) before the loop.');
    }
  }

  if (reporter.wants('perf-invariant-in-loop')) {
    const candidates = [...calls, ...index.of(SyntaxKind.NewExpression)];
    for (const call of candidates) {
      const text = call.getExpression().getText();
      if (text !== 'JSON.parse' && text !== 'JSON.stringify' && text !== 'RegExp') continue;
      const loop = enclosingLoop(call, true);
      const argument = call.getArguments()[0];
      if (!loop || !argument || !isLoopInvariant(argument, loop)) continue;
      // `cached ??= new RegExp(...)` or `if (!re) re = new RegExp(...)` builds it once and keeps it.
      const parent = call.getParent();
      const assigning = parent && Node.isBinaryExpression(parent) && parent.getRight() === call
        && [SyntaxKind.EqualsToken, SyntaxKind.QuestionQuestionEqualsToken, SyntaxKind.BarBarEqualsToken].includes(parent.getOperatorToken().getKind());
      if (assigning && Node.isBinaryExpression(parent)) {
        const target = parent.getLeft().getText();
        const declaredInLoop = loop.getDescendantsOfKind(SyntaxKind.VariableDeclaration).some((declaration) => declaration.getName() === target);
        if (!declaredInLoop) continue;
      }
      const what = text === 'RegExp' ? 'builds the same regular expression' : `${text === 'JSON.parse' ? 'parses' : 'serialises'} the same value`;
      report('perf-invariant-in-loop', call, `${text}() ${what} on every iteration`, 'Hoist it out of the loop.');
    }
  }

  if (reporter.wants('perf-quadratic-lookup')) {
    for (const call of calls) {
      const callee = call.getExpression();
      if (!Node.isPropertyAccessExpression(callee) || !LOOKUPS.has(callee.getName())) continue;
      const receiver = callee.getExpression();
      // A literal list is bounded by the source code.
      if (Node.isArrayLiteralExpression(receiver)) continue;
      const loop = enclosingLoop(call, true);
      if (!loop) continue;
      let type;
      try {
        type = receiver.getType();
      } catch {
        continue;
      }
      if (!type.isArray() && !type.isTuple()) continue;
      if (type.isTuple()) continue;
      // Looking up in the list being iterated itself is still O(n²), but `list.indexOf(item)` to get the
      // index of the current element is a different (equally slow) idiom; both are reported.
      if (isLiteralList(receiver)) continue;
      // `index.columnNames.indexOf(name)` for each `index` scans a different, per-element list:
      // the work adds up to the total of their lengths, not a product (found in TypeORM's query runners).
      // So does a list reached from a variable the loop moves on (`current = child` while descending a tree).
      const root = rootIdentifierOf(receiver);
      if (root && movedOnNames(loop).has(root)) continue;
      report('perf-quadratic-lookup', call, `${callee.getText()}() scans an array on every iteration (O(n²))`, 'Build a Set or Map of the array once, before the loop, and look up in it.');
    }
  }

  if (reporter.wants('perf-unbounded-collection')) unboundedCollections(index, report);
}

/** True for `a = b`, `a += b` and the other assignments (not `a || b`, `a + b`). */
function isAssignment(node: Node): node is import('ts-morph').BinaryExpression {
  if (!Node.isBinaryExpression(node)) return false;
  const kind = node.getOperatorToken().getKind();
  return kind >= SyntaxKind.FirstAssignment && kind <= SyntaxKind.LastAssignment;
}

/**
 * True when `node` runs on calls of a function, not only while the module loads: code in a callback
 * of an iterating call (`Object.keys(table).forEach(...)`) or in an immediately invoked function runs
 * where that call runs, which at the top level is once.
 */
function runsPerCall(node: Node): boolean {
  for (let fn = node.getFirstAncestor(isFunctionLike); fn; fn = fn.getFirstAncestor(isFunctionLike)) {
    let callee: Node = fn;
    while (Node.isParenthesizedExpression(callee.getParent())) callee = callee.getParentOrThrow();
    const parent = callee.getParent();
    const invokedHere = parent !== undefined && Node.isCallExpression(parent) && parent.getExpression() === callee;
    if (!invokedHere && !iteratingCallOf(fn)) return true;
  }
  return false;
}

/**
 * True when `key` can only take values written in the source: a constant (`cache["runtime"]`), or
 * the variable of a loop over a literal list (`SECTIONS.forEach((key) => cache[key] = …)`, found in
 * Node-RED's settings cache). Entries under such keys are overwritten, never added without end.
 */
function isBoundedKey(key: Node): boolean {
  const value = unwrap(key);
  if (isConstant(value)) return true;
  if (!Node.isIdentifier(value)) return false;
  const declaration = value.getSymbol()?.getDeclarations()[0];
  if (!declaration) return false;
  if (Node.isParameterDeclaration(declaration)) {
    const fn = declaration.getParent();
    const call = fn && iteratingCallOf(fn);
    const callee = call && Node.isCallExpression(call) ? call.getExpression() : undefined;
    const first = fn && (Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) ? fn.getParameters()[0] : undefined;
    return first === declaration && callee !== undefined && Node.isPropertyAccessExpression(callee) && isLiteralList(callee.getExpression());
  }
  if (Node.isVariableDeclaration(declaration)) {
    const loop = declaration.getParent()?.getParent();
    return loop !== undefined && Node.isForOfStatement(loop) && isLiteralList(loop.getExpression());
  }
  return false;
}

/**
 * Functions that fill a registry rather than serve requests: `init`, `setup`, `register…`,
 * `configure`, `install`, `addModule`/`addPlugin`/`addRoute` and the like, and handlers of
 * `…Added`/`…Registered` events. A table they fill grows
 * with the plugins, types and routes a program declares, not with its traffic (Node-RED's
 * `registerType`, `onPluginAdded`).
 */
const REGISTERING = /^(init|initiali[sz]e|setup|setUp|register|configure|install|define|bootstrap)([A-Z_]\w*)?$|^on\w*(Added|Registered|Installed|Loaded)$|^add(Module|Plugin|Type|Node|Handler|Listener|Hook|Route|Command|Provider|Extension|Component|Rule|Schema|Service|Middleware)s?$/;

/** The name of the function whose calls run `node` (see {@link runsPerCall}): a declaration's, a variable's, a property's or a method's. */
function callingFunctionName(node: Node): string | undefined {
  for (let fn = node.getFirstAncestor(isFunctionLike); fn; fn = fn.getFirstAncestor(isFunctionLike)) {
    if (iteratingCallOf(fn)) continue;
    if (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn)) return fn.getName();
    const holder = fn.getParent();
    if (holder && (Node.isVariableDeclaration(holder) || Node.isPropertyAssignment(holder))) return holder.getName();
    return undefined;
  }
  return undefined;
}

function unboundedCollections(index: SyntaxIndex, report: (ruleId: string, node: Node, message: string, suggestion: string) => void): void {
  for (const statement of index.source.getVariableStatements()) {
    for (const declaration of statement.getDeclarations()) {
      const initializer = declaration.getInitializer();
      if (!initializer) continue;
      const text = initializer.getText();
      if (!/^(new (Map|Set)\b|\[\s*\]$|\{\s*\}$)/.test(text)) continue;
      const name = declaration.getName();
      let grows = false;
      let shrinks = false;
      for (const identifier of index.identifiersNamed(name)) {
        if (identifier === declaration.getNameNode()) continue;
        const parent = identifier.getParent();
        const perCall = runsPerCall(identifier) && !REGISTERING.test(callingFunctionName(identifier) ?? '');
        if (parent && Node.isPropertyAccessExpression(parent) && parent.getExpression() === identifier) {
          const member = parent.getName();
          if (GROW.has(member) && perCall) grows = true;
          if (SHRINK.test(parent.getParentOrThrow().getText().slice(name.length)) || ['delete', 'clear', 'splice', 'shift', 'pop', 'size', 'length'].includes(member)) shrinks = true;
        } else if (parent && Node.isElementAccessExpression(parent) && parent.getExpression() === identifier) {
          const assignment = parent.getParent();
          const key = parent.getArgumentExpression();
          if (assignment && isAssignment(assignment) && assignment.getLeft() === parent && perCall && !(key && isBoundedKey(key))) grows = true;
          if (assignment && Node.isDeleteExpression(assignment)) shrinks = true;
        } else if (parent && isAssignment(parent) && parent.getLeft() === identifier) {
          shrinks = true;
        } else if (parent && !Node.isPropertyAccessExpression(parent) && !Node.isElementAccessExpression(parent)) {
          // Handed to other code (returned, passed along): it may be pruned there.
          shrinks = true;
        }
      }
      if (grows && !shrinks) {
        report('perf-unbounded-collection', declaration.getNameNode(), `module-level ${name} grows on every call and is never pruned`, 'Bound it (an LRU with a maximum size, a TTL) or key it by something finite.');
      }
    }
  }
}

