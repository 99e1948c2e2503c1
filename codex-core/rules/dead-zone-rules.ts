import { Node, SyntaxKind } from 'ts-morph';
import type { FileReporter } from '../reporter';
import { calleeName, type SyntaxIndex } from './syntax-index';

function endsFlow(statement: Node): boolean {
  return Node.isReturnStatement(statement) || Node.isThrowStatement(statement) || Node.isBreakStatement(statement) || Node.isContinueStatement(statement);
}

/** Declarations that are hoisted or have no run-time effect, and so are never "unreachable". */
function isInert(statement: Node): boolean {
  return Node.isFunctionDeclaration(statement) || Node.isInterfaceDeclaration(statement) || Node.isTypeAliasDeclaration(statement)
    || Node.isEmptyStatement(statement) || (Node.isVariableStatement(statement) && statement.getDeclarationKind() === 'var' && statement.getDeclarations().every((declaration) => !declaration.hasInitializer()))
    || (Node.isModuleDeclaration(statement) && statement.hasDeclareKeyword());
}

function objectHas(object: Node, names: readonly string[]): boolean {
  if (!Node.isObjectLiteralExpression(object)) return true; // Built elsewhere: cannot tell, assume complete.
  return object.getProperties().some((property) => (Node.isPropertyAssignment(property) || Node.isShorthandPropertyAssignment(property) || Node.isMethodDeclaration(property))
    && names.includes(property.getName()) && !(Node.isPropertyAssignment(property) && /^(['"`])\1$/.test(property.getInitializer()?.getText() ?? '')))
    || object.getProperties().some((property) => Node.isSpreadAssignment(property));
}

/** Runs the per-file dead-zone rules: unreachable code, `any` in exported signatures, undocumented AI tools. */
export function deadZoneRules(index: SyntaxIndex, reporter: FileReporter): void {
  if (reporter.wants('dead-unreachable-code')) {
    const blocks = [index.source, ...index.of(SyntaxKind.Block), ...index.of(SyntaxKind.CaseClause), ...index.of(SyntaxKind.DefaultClause)];
    for (const block of blocks) {
      const statements = (block as unknown as { getStatements(): Node[] }).getStatements();
      const stop = statements.findIndex(endsFlow);
      if (stop < 0) continue;
      const dead = statements.slice(stop + 1).filter((statement) => !isInert(statement));
      const first = dead[0];
      const last = dead[dead.length - 1];
      if (!first || !last) continue;
      const previous = statements[stop]!;
      reporter.report({
        ruleId: 'dead-unreachable-code',
        start: first.getStart(),
        end: last.getEnd(),
        message: `unreachable: this code follows a ${previous.getText().split(/[\s;(]/)[0]} statement`,
        fixes: [{ title: 'Remove unreachable code', kind: 'trivial', edits: dead.map((statement) => ({ start: statement.getFullStart(), end: statement.getEnd(), newText: '' })) }],
      });
    }
  }

  if (reporter.wants('dead-exported-any')) {
    for (const keyword of index.of(SyntaxKind.AnyKeyword)) {
      const owner = keyword.getFirstAncestor((node) => Node.isFunctionDeclaration(node) || Node.isVariableStatement(node) || Node.isClassDeclaration(node)
        || Node.isInterfaceDeclaration(node) || Node.isTypeAliasDeclaration(node));
      if (!owner || !(owner as unknown as { isExported(): boolean }).isExported()) continue;
      // Only the signature counts: an `any` in a body is not part of the exported surface.
      if (keyword.getFirstAncestor((node) => Node.isBlock(node) || isBodyOfArrow(node))) continue;
      const member = keyword.getFirstAncestor((node) => Node.isMethodDeclaration(node) || Node.isPropertyDeclaration(node));
      if (member && (member.hasModifier(SyntaxKind.PrivateKeyword) || member.hasModifier(SyntaxKind.ProtectedKeyword) || /^#/.test(member.getName()))) continue;
      reporter.report({
        ruleId: 'dead-exported-any',
        start: keyword.getStart(),
        end: keyword.getEnd(),
        message: '`any` in an exported signature hides the contract from callers and their tools',
        suggestion: 'Use a precise type, a generic parameter or `unknown`.',
        fixes: [{ title: 'Replace `any` with `unknown`', kind: 'suggestion', edits: [{ start: keyword.getStart(), end: keyword.getEnd(), newText: 'unknown' }] }],
      });
    }
  }

  if (reporter.wants('dead-tool-undocumented')) {
    const report = (node: Node, missing: string[]): void => reporter.report({
      ruleId: 'dead-tool-undocumented',
      start: node.getStart(),
      end: node.getEnd(),
      message: `this AI tool definition has no ${missing.join(' and no ')}: a model cannot tell when or how to call it`,
      suggestion: 'Add a one-sentence description and an input schema for the arguments.',
    });
    for (const call of index.of(SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      const name = calleeName(callee);
      const args = call.getArguments();
      if (name === 'registerTool' && Node.isPropertyAccessExpression(callee) && args.length >= 2 && Node.isStringLiteral(args[0]!)) {
        const config = args[1]!;
        const missing = [...(objectHas(config, ['description']) ? [] : ['description']), ...(objectHas(config, ['inputSchema', 'parameters']) ? [] : ['input schema'])];
        if (missing.length) report(call, missing);
      } else if (name === 'tool' && Node.isPropertyAccessExpression(callee) && args.length >= 2 && Node.isStringLiteral(args[0]!)) {
        // MCP's server.tool(name, [description], [schema], handler).
        const middle = args.slice(1, -1);
        const missing = [...(middle.some((argument) => Node.isStringLiteral(argument) || Node.isNoSubstitutionTemplateLiteral(argument)) ? [] : ['description']),
          ...(middle.some((argument) => !Node.isStringLiteral(argument) && !Node.isNoSubstitutionTemplateLiteral(argument)) ? [] : ['input schema'])];
        if (missing.length) report(call, missing);
      } else if (name === 'tool' && Node.isIdentifier(callee) && args.length === 1 && Node.isObjectLiteralExpression(args[0]!)) {
        // The AI SDK's tool({ description, inputSchema | parameters, execute }).
        const config = args[0]!;
        const missing = [...(objectHas(config, ['description']) ? [] : ['description']), ...(objectHas(config, ['inputSchema', 'parameters']) ? [] : ['input schema'])];
        if (missing.length) report(call, missing);
      }
    }
    // OpenAI's { type: 'function', function: { name, description, parameters } }.
    for (const object of index.of(SyntaxKind.ObjectLiteralExpression)) {
      const type = object.getProperty('type');
      const fn = object.getProperty('function');
      if (!type || !fn || !Node.isPropertyAssignment(type) || !Node.isPropertyAssignment(fn) || !/^['"`]function['"`]$/.test(type.getInitializer()?.getText() ?? '')) continue;
      const definition = fn.getInitializer();
      if (!definition || !Node.isObjectLiteralExpression(definition)) continue;
      const missing = [...(objectHas(definition, ['description']) ? [] : ['description']), ...(objectHas(definition, ['parameters']) ? [] : ['input schema'])];
      if (missing.length) report(object, missing);
    }
  }
}

function isBodyOfArrow(node: Node): boolean {
  const parent = node.getParent();
  return parent !== undefined && (Node.isArrowFunction(parent) || Node.isFunctionExpression(parent)) && parent.getBody() === node;
}
