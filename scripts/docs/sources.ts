// Reads the sources of truth the docs are generated from. Each reader returns plain, sorted data so
// that the renderers stay pure and the output is the same on every run.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { readConfig } from '../../server/registry/config';
import { readCatalog, type CatalogSnapshot } from '../../server/registry/db/catalog';
import type { ManagedDatabase } from '../../server/registry/db/managed-database';

const run = promisify(execFile);

/** The subset of an OpenAPI 3 document the renderers read. */
export interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, unknown> };
}

/** One operation of the OpenAPI document. */
export interface OpenApiOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: JsonSchema }> }>;
}

/** A JSON Schema node, loosely typed: the generator documents whatever the routes declare. */
export type JsonSchema = {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  additionalProperties?: boolean | JsonSchema;
  $ref?: string;
  [key: string]: unknown;
};

/**
 * The registry's OpenAPI document, as GET /api/openapi.json serves it: the app is built in-process
 * over `database` (already started) with a throwaway data directory, asked once, and closed.
 */
export async function readOpenApi(database: ManagedDatabase): Promise<OpenApiDocument> {
  // Imported here: the registry's modules import each other in a cycle that only resolves when
  // app.ts is the first of them loaded (as in main.ts), which a static import here cannot promise.
  const { buildApp } = await import('../../server/registry/app');
  const dataDir = mkdtempSync(join(tmpdir(), 'plugin-codex-docs-'));
  try {
    const config = readConfig({ JWT_SECRET: randomBytes(32).toString('hex'), PLUGIN_CODEX_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const app = await buildApp({ config, database });
    try {
      const response = await app.inject({ url: '/api/openapi.json' });
      if (response.statusCode !== 200) throw new Error(`GET /api/openapi.json answered ${response.statusCode}: ${response.body}`);
      return response.json<OpenApiDocument>();
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The live catalogue of the registry schema `database` was bootstrapped into. */
export function readSchemaCatalog(database: ManagedDatabase): Promise<CatalogSnapshot> {
  return readCatalog(database.db);
}

/** A custom LSP method found in protocol/lsp-methods.ts. */
export interface LspMethod {
  /** The namespace, e.g. `StatusNotification`. */
  name: string;
  /** The literal method, e.g. `codex/status`. */
  method: string;
  kind: 'request' | 'notification';
  direction: 'client → server' | 'server → client' | 'both';
  /** The params type as written (`void` for RequestType0). */
  params: string;
  /** The result type of a request. */
  result?: string;
  doc: string;
}

/** An interface or type alias declared next to the methods, with its documented members. */
export interface LspType {
  name: string;
  doc: string;
  /** Members of an interface; a type alias has its text instead. */
  members: { name: string; type: string; optional: boolean; doc: string }[];
  text?: string;
}

function jsDocOf(node: ts.Node): string {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  return docs.map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '').join('\n').replace(/\s*\n\s*/g, ' ').trim();
}

function directionOf(doc: string): LspMethod['direction'] {
  const text = doc.toLowerCase();
  const toServer = /from the client to the server|client to server/.test(text);
  const toClient = /from the server to the client|server to client/.test(text);
  if (toServer && !toClient) return 'client → server';
  if (toClient && !toServer) return 'server → client';
  return 'both';
}

/**
 * Parses a file of LSP method namespaces (`export namespace X { export const method = '…';
 * export const type = new RequestType<P, R, E>(method) }`) with the TypeScript compiler API.
 */
export function readLspProtocol(file: string): { methods: LspMethod[]; types: LspType[] } {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const methods: LspMethod[] = [];
  const types: LspType[] = [];
  for (const statement of source.statements) {
    if (ts.isModuleDeclaration(statement) && statement.body && ts.isModuleBlock(statement.body)) {
      let method: string | undefined;
      let typeCall: ts.NewExpression | undefined;
      for (const inner of statement.body.statements) {
        if (!ts.isVariableStatement(inner)) continue;
        for (const declaration of inner.declarationList.declarations) {
          if (!ts.isIdentifier(declaration.name) || !declaration.initializer) continue;
          let init: ts.Expression = declaration.initializer;
          if (ts.isAsExpression(init)) init = init.expression;
          if (declaration.name.text === 'method' && ts.isStringLiteral(init)) method = init.text;
          if (declaration.name.text === 'type' && ts.isNewExpression(init)) typeCall = init;
        }
      }
      if (!method || !typeCall) continue;
      const ctor = typeCall.expression.getText(source);
      const args = (typeCall.typeArguments ?? []).map((arg) => arg.getText(source).replace(/\s+/g, ' '));
      const kind = ctor.startsWith('Notification') ? 'notification' : 'request';
      const doc = jsDocOf(statement);
      const zeroParams = /0$/.test(ctor);
      methods.push({
        name: statement.name.getText(source),
        method,
        kind,
        direction: directionOf(doc),
        params: zeroParams ? 'void' : (args[0] ?? 'unknown'),
        ...(kind === 'request' ? { result: (zeroParams ? args[0] : args[1]) ?? 'unknown' } : {}),
        doc,
      });
    } else if (ts.isInterfaceDeclaration(statement)) {
      types.push({
        name: statement.name.text,
        doc: jsDocOf(statement),
        members: statement.members.filter(ts.isPropertySignature).map((member) => ({
          name: member.name.getText(source),
          type: member.type ? member.type.getText(source).replace(/\s+/g, ' ').replace(/import\('\.\/(\w+)'\)\./g, '') : 'unknown',
          optional: member.questionToken !== undefined,
          doc: jsDocOf(member),
        })),
      });
    } else if (ts.isTypeAliasDeclaration(statement)) {
      types.push({ name: statement.name.text, doc: jsDocOf(statement), members: [], text: statement.type.getText(source).replace(/\s+/g, ' ') });
    }
  }
  return { methods, types };
}

function comparePaths(a: string[], b: string[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    if (a[index] !== b[index]) return a[index]! < b[index]! ? -1 : 1;
  }
  return a.length - b.length;
}

/** The `--help` text of one command of the CLI. */
export interface CliCommandHelp {
  /** The words after `plugin-codex`, e.g. `['db', 'backup']` (empty for the program itself). */
  path: string[];
  help: string;
}

/** Commands listed in a commander help text's `Commands:` section (`help` itself excluded). */
export function commandsInHelp(help: string): string[] {
  const section = help.split(/^Commands:\s*$/m)[1];
  if (!section) return [];
  const names: string[] = [];
  for (const line of section.replace(/^\n/, '').split('\n')) {
    if (line.trim() === '') break;
    const match = /^ {2}([a-z][\w-]*)/.exec(line);
    if (match?.[1] && match[1] !== 'help') names.push(match[1]);
  }
  return names;
}

/**
 * The `--help` of the program, every command and every subcommand, discovered level by level from
 * each help's `Commands:` section. scripts/docs/cli-help.mjs runs the built CLI (dist/cli.js, what
 * `node bin/plugin-codex.js <command> --help` runs) once per level for all that level's commands,
 * which is one Node start per level rather than one per command. Sorted depth-first.
 */
export async function readCliHelp(root: string): Promise<CliCommandHelp[]> {
  const results: CliCommandHelp[] = [];
  let level: string[][] = [[]];
  while (level.length > 0) {
    const { stdout } = await run(process.execPath, [join(root, 'scripts/docs/cli-help.mjs'), ...level.map((path) => path.join(' '))], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const helps = JSON.parse(stdout) as Record<string, string>;
    // Defaults such as `--root` print the working directory: written as "." so the docs do not
    // depend on where the checkout is.
    const found = level.map((path) => ({ path, help: (helps[path.join(' ')] ?? '').split(root).join('.').replace(/\s+$/, '') }));
    for (const entry of found) {
      if (entry.help === '') throw new Error(`plugin-codex ${entry.path.join(' ')} --help printed nothing`);
    }
    results.push(...found);
    level = found.flatMap((entry) => commandsInHelp(entry.help).map((name) => [...entry.path, name]));
  }
  return results.sort((a, b) => comparePaths(a.path, b.path));
}

/** One variable of .env.example with the comment written above it. */
export interface EnvVariable {
  name: string;
  description: string;
  example?: string;
}

/**
 * Parses .env.example: each run of comment lines describes the variables that follow it (a commented
 * `# NAME=value` line is an example value of the next variable, not a description).
 */
export function readEnvExample(text: string): EnvVariable[] {
  const variables: EnvVariable[] = [];
  let comment: string[] = [];
  let example: string | undefined;
  let sharedDescription: string | undefined;
  let afterVariable = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') {
      comment = [];
      example = undefined;
      sharedDescription = undefined;
      afterVariable = false;
      continue;
    }
    if (line.startsWith('#')) {
      if (afterVariable) {
        comment = [];
        example = undefined;
        afterVariable = false;
      }
      const body = line.replace(/^#\s?/, '');
      const commented = /^([A-Z][A-Z0-9_]*)=(.+)$/.exec(body);
      if (commented?.[2]) example = `${commented[1]}=${commented[2]}`;
      else comment.push(body);
      continue;
    }
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match?.[1]) continue;
    const description = comment.length > 0 ? comment.join(' ').replace(/\s+/g, ' ').trim() : (sharedDescription ?? '');
    sharedDescription = description;
    variables.push({ name: match[1], description, ...(example ? { example } : {}), ...(match[2] ? { example: `${match[1]}=${match[2]}` } : {}) });
    comment = [];
    example = undefined;
    afterVariable = true;
  }
  return variables;
}
