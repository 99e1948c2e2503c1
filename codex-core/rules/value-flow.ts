import { Node, SyntaxKind, ts } from 'ts-morph';
import { calleeName, isFunctionLike, wrapCompilerNode } from './syntax-index';

/** How far values are followed through assignments and parameters: enough for local code, cheap. */
const MAX_DEPTH = 4;

/** The expression under parentheses, `as`, `!`, `satisfies` and type assertions. */
export function unwrap(node: Node): Node {
  let current = node;
  while (Node.isParenthesizedExpression(current) || Node.isAsExpression(current) || Node.isNonNullExpression(current)
    || Node.isTypeAssertion(current) || Node.isSatisfiesExpression(current)) {
    current = current.getExpression();
  }
  return current;
}

/** The initializer of the variable an identifier names, when it is declared once in this file. */
export function initializerOf(identifier: Node): Node | undefined {
  if (!Node.isIdentifier(identifier)) return undefined;
  const declarations = identifier.getSymbol()?.getDeclarations() ?? [];
  if (declarations.length !== 1) return undefined;
  const declaration = declarations[0];
  if (!declaration || declaration.getSourceFile() !== identifier.getSourceFile()) return undefined;
  if (Node.isVariableDeclaration(declaration)) return declaration.getInitializer();
  if (Node.isBindingElement(declaration)) {
    // `const { name } = source`: the element comes from the source's initializer.
    const holder = declaration.getFirstAncestorByKind(SyntaxKind.VariableDeclaration);
    return holder?.getInitializer();
  }
  return undefined;
}

/**
 * The initializer of the one variable an identifier names, in this file or, through an import, in
 * another file of the program; a `let` or `var` only when the file never assigns to it again
 * (JavaScript keeps its constant tables in `var`s).
 */
export function variableInitializerOf(identifier: Node): Node | undefined {
  if (!Node.isIdentifier(identifier)) return undefined;
  const symbol = identifier.getSymbol();
  const declarations = (symbol?.getAliasedSymbol() ?? symbol)?.getDeclarations() ?? [];
  const declaration = declarations[0];
  if (declarations.length !== 1 || !declaration || !Node.isVariableDeclaration(declaration)) return undefined;
  if (declaration.getVariableStatement()?.getDeclarationKind() !== 'const' && isAssignedInFile(declaration.getSourceFile().compilerNode, declaration.getName())) return undefined;
  return declaration.getInitializer();
}

/** Methods that add to or overwrite an array's elements. */
export const ELEMENT_WRITERS = new Set(['push', 'unshift', 'splice', 'fill', 'copyWithin']);

/** The variable at the root of `a.b[c].d`, on the compiler's tree. */
function rootNameOf(node: ts.Node): string | undefined {
  let current = node;
  for (;;) {
    if (ts.isParenthesizedExpression(current) || ts.isNonNullExpression(current) || ts.isAsExpression(current)) current = current.expression;
    else if (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) current = current.expression;
    else break;
  }
  return ts.isIdentifier(current) ? current.text : undefined;
}

/**
 * True when the file changes what a variable's object or array holds: `TABLE.key = …`,
 * `TABLE[key] = …`, `LIST.push(…)`, `Object.assign(TABLE, …)`. A literal that is written into is
 * no longer bounded by the source. By name and on the compiler's tree, as {@link isAssignedInFile}:
 * cheap, and errs towards "written".
 */
export function isWrittenInto(declaration: import('ts-morph').VariableDeclaration): boolean {
  const name = declaration.getName();
  let written = false;
  const visit = (node: ts.Node): void => {
    if (written) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const target = node.left;
      if ((ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) && rootNameOf(target) === name) written = true;
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const first = node.arguments[0];
      if (ts.isPropertyAccessExpression(callee) && ELEMENT_WRITERS.has(callee.name.text) && rootNameOf(callee.expression) === name) written = true;
      else if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'assign' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Object'
        && first !== undefined && rootNameOf(first) === name) written = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(declaration.getSourceFile().compilerNode);
  return written;
}

/** True when the file assigns to a variable spelt `name` somewhere (by name: cheap, and errs towards "assigned"). */
function isAssignedInFile(source: ts.SourceFile, name: string): boolean {
  let assigned = false;
  const visit = (node: ts.Node): void => {
    if (assigned) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
      && ts.isIdentifier(node.left) && node.left.text === name) {
      assigned = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return assigned;
}

/** The parameter an identifier names, if it is one. */
function parameterOf(identifier: Node): import('ts-morph').ParameterDeclaration | undefined {
  if (!Node.isIdentifier(identifier)) return undefined;
  const declaration = identifier.getSymbol()?.getDeclarations()[0];
  if (declaration && Node.isParameterDeclaration(declaration)) return declaration;
  if (declaration && Node.isBindingElement(declaration)) return declaration.getFirstAncestorByKind(SyntaxKind.Parameter);
  return undefined;
}

/** True when `node` always evaluates to the same literal value (literals, consts of literals, their concatenation). */
export function isConstant(node: Node, depth = 0): boolean {
  const value = unwrap(node);
  if (Node.isStringLiteral(value) || Node.isNoSubstitutionTemplateLiteral(value) || Node.isNumericLiteral(value)
    || Node.isTrueLiteral(value) || Node.isFalseLiteral(value) || Node.isNullLiteral(value)) return true;
  if (Node.isTemplateExpression(value)) return value.getTemplateSpans().every((span) => isConstant(span.getExpression(), depth));
  if (Node.isBinaryExpression(value)) return isConstant(value.getLeft(), depth) && isConstant(value.getRight(), depth);
  if (Node.isIdentifier(value) && depth < MAX_DEPTH) {
    const declaration = value.getSymbol()?.getDeclarations()[0];
    if (declaration && Node.isVariableDeclaration(declaration) && declaration.getVariableStatement()?.getDeclarationKind() === 'const') {
      const initializer = declaration.getInitializer();
      return initializer !== undefined && isConstant(initializer, depth + 1);
    }
  }
  return false;
}

/**
 * True when `node` is a string built at run time from non-constant parts: a template with
 * substitutions, a `+` concatenation, `.concat(...)` or `[...].join()`, followed through local
 * variables.
 */
export function isInterpolatedString(node: Node, depth = 0): boolean {
  const value = unwrap(node);
  if (Node.isTemplateExpression(value)) return !isConstant(value);
  if (Node.isBinaryExpression(value) && value.getOperatorToken().getKind() === SyntaxKind.PlusToken) return !isConstant(value);
  if (Node.isCallExpression(value)) {
    const name = calleeName(value.getExpression());
    if (name === 'concat' || name === 'join') return !value.getArguments().every((argument) => isConstant(argument)) || !isConstant(value.getExpression());
    return false;
  }
  if (Node.isIdentifier(value) && depth < MAX_DEPTH) {
    const initializer = initializerOf(value);
    if (initializer && isInterpolatedString(initializer, depth + 1)) return true;
    // `let sql = '...'; sql += filter;` builds the string too. The scope is walked on the compiler's
    // tree and only the `+=` found get wrappers: a module scope is the whole file.
    const declaration = value.getSymbol()?.getDeclarations()[0];
    if (declaration && Node.isVariableDeclaration(declaration)) {
      const name = value.getText();
      const scope = declaration.getFirstAncestor(isFunctionLike) ?? declaration.getSourceFile();
      const appended: ts.Node[] = [];
      const visit = (node: ts.Node): void => {
        if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken && ts.isIdentifier(node.left) && node.left.text === name) appended.push(node.right);
        ts.forEachChild(node, visit);
      };
      visit(scope.compilerNode);
      const source = scope.getSourceFile();
      return appended.some((right) => !isConstant(wrapCompilerNode(source, right)));
    }
  }
  return false;
}

/** The literal text parts of a string expression, to recognise what it is (SQL, a shell command). */
export function literalText(node: Node, depth = 0): string {
  const value = unwrap(node);
  if (Node.isStringLiteral(value) || Node.isNoSubstitutionTemplateLiteral(value)) return value.getLiteralValue();
  if (Node.isTemplateExpression(value)) return [value.getHead().getLiteralText(), ...value.getTemplateSpans().map((span) => span.getLiteral().getLiteralText())].join(' ');
  if (Node.isBinaryExpression(value)) return `${literalText(value.getLeft(), depth)} ${literalText(value.getRight(), depth)}`;
  if (Node.isCallExpression(value)) return value.getArguments().map((argument) => literalText(argument, depth)).join(' ') + literalText(value.getExpression(), depth);
  if (Node.isPropertyAccessExpression(value)) return literalText(value.getExpression(), depth);
  if (Node.isArrayLiteralExpression(value)) return value.getElements().map((element) => literalText(element, depth)).join(' ');
  if (Node.isIdentifier(value) && depth < MAX_DEPTH) {
    const initializer = initializerOf(value);
    return initializer ? literalText(initializer, depth + 1) : '';
  }
  return '';
}

const USER_INPUT = [
  /\b(req|request|ctx\.request|ctx|event|c\.req)\s*\.\s*(params|query|body|headers|cookies|files?|url|path|originalUrl)\b/,
];
/**
 * Fields of an uploaded file that the server chose: where multer, formidable or express-fileupload
 * stored it (`path`, `destination`, `filepath`, `tempFilePath`, `newFilename`). The name the client
 * sent (`originalname`, `originalFilename`, `name`) is still input. Found in Ghost's upload
 * middleware, which reads and rewrites `req.file.path`.
 */
const UPLOAD_SERVER_FIELDS = new Set(['path', 'destination', 'filepath', 'tempFilePath', 'newFilename']);
/** An uploaded file as upload middleware hands it over: `req.file`, `req.files[0]`, `req.files.avatar`. */
const UPLOADED_FILE = /\b(req|request)\s*\.\s*files?(\s*(\[[^\]]*\]|\.\s*\w+))?$/;

/** True when `node` is an uploaded file: `req.file` & co., reached through variables and same-file parameters. */
function isUploadedFile(node: Node, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const value = unwrap(node);
  if (UPLOADED_FILE.test(value.getText())) return true;
  if (!Node.isIdentifier(value)) return false;
  const initializer = initializerOf(value);
  if (initializer) return isUploadedFile(initializer, depth + 1);
  const parameter = parameterOf(value);
  return parameter !== undefined && parameterReceives(parameter, isUploadedFile, depth + 1);
}
/** Calls (by callee text) that return user input. */
const USER_INPUT_CALLS = [/\bsearchParams\s*\.\s*get(All)?$/, /\bformData\s*\.\s*get$/, /\b(req|request)\s*\.\s*(param|get|header)$/];
/** Calls whose result no longer carries the input's danger. */
const SANITIZERS = new Set(['basename', 'parseInt', 'parseFloat', 'Number', 'Boolean', 'encodeURIComponent', 'escape', 'sanitize', 'sanitizePath', 'safePath', 'normalizeSafe', 'isSafe', 'validate', 'parse', 'uuid', 'hash', 'createHash']);
/** Calls whose result carries their arguments' danger on. */
const PROPAGATORS = new Set(['join', 'resolve', 'normalize', 'concat', 'String', 'trim', 'toString', 'toLowerCase', 'toUpperCase', 'slice', 'substring', 'replace', 'format', 'decodeURIComponent', 'decodeURI']);

/**
 * True when `node` carries input from a remote user: request params, query, body, headers or
 * cookies, or URL search params, followed through local variables, string building, path helpers,
 * and parameters of functions in the same file whose call sites pass user input. Command-line
 * arguments and terminal prompts do not count: they come from the user running the program, who
 * names the files a CLI is meant to read (found on knex's build script).
 */
export function isUserInput(node: Node, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  const value = unwrap(node);
  if (Node.isCallExpression(value)) {
    const name = calleeName(value.getExpression());
    if (name && SANITIZERS.has(name) && name !== 'parse') return false;
    if (name === 'parse' && value.getExpression().getText() === 'JSON.parse') return value.getArguments().some((argument) => isUserInput(argument, depth + 1));
    if (name && PROPAGATORS.has(name)) {
      const receiver = value.getExpression();
      const receiverTainted = Node.isPropertyAccessExpression(receiver) && !/^(path|posix|win32)$/.test(receiver.getExpression().getText())
        && isUserInput(receiver.getExpression(), depth + 1);
      return receiverTainted || value.getArguments().some((argument) => isUserInput(argument, depth + 1));
    }
    return USER_INPUT_CALLS.some((pattern) => pattern.test(value.getExpression().getText()));
  }
  if (Node.isTemplateExpression(value)) return value.getTemplateSpans().some((span) => isUserInput(span.getExpression(), depth + 1));
  if (Node.isBinaryExpression(value)) {
    const operator = value.getOperatorToken().getKind();
    if (operator === SyntaxKind.PlusToken || operator === SyntaxKind.BarBarToken || operator === SyntaxKind.QuestionQuestionToken) {
      return isUserInput(value.getLeft(), depth + 1) || isUserInput(value.getRight(), depth + 1);
    }
    return false;
  }
  if (Node.isConditionalExpression(value)) return isUserInput(value.getWhenTrue(), depth + 1) || isUserInput(value.getWhenFalse(), depth + 1);
  if (Node.isPropertyAccessExpression(value) || Node.isElementAccessExpression(value)) {
    // Where an upload middleware stored the file (multer's `req.file.path`) is the server's choice.
    if (Node.isPropertyAccessExpression(value) && UPLOAD_SERVER_FIELDS.has(value.getName()) && isUploadedFile(value.getExpression(), depth + 1)) return false;
    if (USER_INPUT.some((pattern) => pattern.test(value.getText()))) return true;
    return isUserInput(value.getExpression(), depth + 1);
  }
  if (Node.isIdentifier(value)) {
    const initializer = initializerOf(value);
    if (initializer) return isUserInput(initializer, depth + 1);
    const parameter = parameterOf(value);
    if (parameter) return parameterReceives(parameter, isUserInput, depth + 1);
  }
  return false;
}

/** True when some call of the parameter's function in the same file passes an argument for it that `test` accepts. */
function parameterReceives(parameter: import('ts-morph').ParameterDeclaration, test: (argument: Node, depth: number) => boolean, depth: number): boolean {
  const fn = parameter.getParent();
  if (!isFunctionLike(fn)) return false;
  let name: string | undefined;
  if (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn)) name = fn.getName();
  else {
    const holder = fn.getParent();
    if (holder && Node.isVariableDeclaration(holder)) name = holder.getName();
  }
  if (!name) return false;
  const index = (fn as unknown as { getParameters(): Node[] }).getParameters().indexOf(parameter);
  for (const call of fn.getSourceFile().getDescendantsOfKind(SyntaxKind.CallExpression)) {
    if (calleeName(call.getExpression()) !== name) continue;
    const argument = call.getArguments()[index];
    if (argument && test(argument, depth)) return true;
  }
  return false;
}

/** True for an object that comes from outside: user input, or parsed JSON. */
export function isUntrustedObject(node: Node, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  const value = unwrap(node);
  if (Node.isCallExpression(value) && value.getExpression().getText() === 'JSON.parse') return true;
  if (Node.isAwaitExpression(value)) {
    const inner = unwrap(value.getExpression());
    return Node.isCallExpression(inner) && /\.json$/.test(inner.getExpression().getText());
  }
  if (Node.isIdentifier(value)) {
    const initializer = initializerOf(value);
    if (initializer) return isUntrustedObject(initializer, depth + 1);
  }
  return isUserInput(value, depth);
}
