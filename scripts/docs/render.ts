// Pure renderers from the sources of truth to Markdown. Every list is sorted or kept in the order
// its source defines, so the same sources always give the same bytes.
import type { RuleDescription } from '../../protocol/findings';
import type { Role } from '../../protocol/roles';
import type { Access } from '../../server/registry/rbac';
import type { CliCommandHelp, EnvVariable, JsonSchema, LspMethod, LspType, OpenApiDocument, OpenApiOperation } from './sources';

const METHOD_ORDER = ['get', 'post', 'put', 'patch', 'delete'];
const ROLES: readonly Role[] = ['user', 'developer', 'super-admin'];

/** Escapes a value for one Markdown table cell. */
export function cell(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').trim();
}

/** A Markdown table; rows are rendered as given. */
export function table(headers: string[], rows: string[][]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** A short, human-readable type of a JSON Schema node, with its bounds. */
export function schemaType(schema: JsonSchema | undefined): string {
  if (!schema) return 'any';
  if (schema.$ref) return schema.$ref.replace(/^#\/components\/schemas\//, '');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.map((alternative) => schemaType(alternative)).join(' | ');
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type;
  if (type === 'array') return `${schemaType(schema.items)}[]`;
  const bounds: string[] = [];
  if (schema.minimum !== undefined || schema.maximum !== undefined) bounds.push(`${schema.minimum ?? ''}–${schema.maximum ?? ''}`);
  if (schema.minLength !== undefined || schema.maxLength !== undefined) bounds.push(`length ${schema.minLength ?? 0}–${schema.maxLength ?? '∞'}`);
  if (schema.format) bounds.push(schema.format);
  return `${type ?? (schema.properties ? 'object' : 'any')}${bounds.length ? ` (${bounds.join(', ')})` : ''}`;
}

/** Flattens an object schema into rows of `path | type | required | description`, nested objects as `a.b`. */
export function schemaRows(schema: JsonSchema | undefined, prefix = '', depth = 0): string[][] {
  if (!schema?.properties || depth > 4) return [];
  const required = new Set(schema.required ?? []);
  const rows: string[][] = [];
  for (const [name, property] of Object.entries(schema.properties)) {
    const path = `${prefix}${name}`;
    const notes = [property.description ?? '', property.default !== undefined ? `default ${JSON.stringify(property.default)}` : '', property.pattern ? `pattern \`${property.pattern}\`` : '']
      .filter(Boolean).join('; ');
    rows.push([`\`${path}\``, schemaType(property), required.has(name) ? 'yes' : 'no', notes]);
    rows.push(...schemaRows(property, `${path}.`, depth + 1));
    if (property.type === 'array' && property.items?.properties) rows.push(...schemaRows(property.items, `${path}[].`, depth + 1));
  }
  return rows;
}

/** `{scope}` → `:scope` and `{*}` → `*`: the RBAC table's spelling of an OpenAPI path. */
export function fastifyPath(openApiPath: string): string {
  return openApiPath.replace(/\{\*\}/g, '*').replace(/\{(\w+)\}/g, ':$1');
}

/** Who may call a route, in words. */
export function accessText(access: Access | undefined): string {
  if (access === undefined) return 'not in the RBAC table';
  if (access === 'public') return 'public (no token)';
  if (access === 'signed-in') return 'any signed-in user';
  return access.join(', ');
}

function operationsOf(spec: OpenApiDocument): { path: string; method: string; operation: OpenApiOperation }[] {
  const operations: { path: string; method: string; operation: OpenApiOperation }[] = [];
  for (const path of Object.keys(spec.paths).sort()) {
    const methods = spec.paths[path] ?? {};
    for (const method of Object.keys(methods).sort((a, b) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b))) {
      if (!METHOD_ORDER.includes(method)) continue;
      operations.push({ path, method, operation: methods[method]! });
    }
  }
  return operations;
}

/** The HTTP API reference: one section per OpenAPI tag, one entry per operation, with its RBAC entry. */
export function renderApiReference(spec: OpenApiDocument, accessTable: Record<string, Access>, headingLevel = 2): string {
  const h = '#'.repeat(headingLevel);
  const byTag = new Map<string, ReturnType<typeof operationsOf>>();
  for (const entry of operationsOf(spec)) {
    const tag = entry.operation.tags?.[0] ?? 'other';
    byTag.set(tag, [...(byTag.get(tag) ?? []), entry]);
  }
  const out: string[] = [`${h} HTTP API reference`, '', `Generated from the registry's OpenAPI document (\`GET /api/openapi.json\`, ${spec.info.title} ${spec.info.version}) and the RBAC table (\`server/registry/rbac.ts\`). Send tokens as \`Authorization: Bearer <token>\`. Errors are \`{ "error": { "code", "message", "details"?, "requestId" } }\` with a \`CODEX_ERR_*\` code.`, ''];
  const tags = [...byTag.keys()].sort();
  out.push(table(['area', 'endpoints'], tags.map((tag) => [tag, byTag.get(tag)!.map(({ method, path }) => `\`${method.toUpperCase()} ${path}\``).join(', ')])), '');
  for (const tag of tags) {
    out.push(`${h}# ${tag}`, '');
    for (const { path, method, operation } of byTag.get(tag)!) {
      out.push(`${h}## \`${method.toUpperCase()} ${path}\``, '');
      if (operation.summary) out.push(`${operation.summary}.`.replace(/\.\.$/, '.'), '');
      if (operation.description) out.push(operation.description.trim(), '');
      out.push(`Access: ${accessText(accessTable[`${method.toUpperCase()} ${fastifyPath(path)}`])}.`, '');
      const parameters = [...(operation.parameters ?? [])].sort((a, b) => (a.in === b.in ? 0 : a.in === 'path' ? -1 : b.in === 'path' ? 1 : a.in.localeCompare(b.in)));
      if (parameters.length > 0) {
        out.push(table(['parameter', 'in', 'type', 'required', 'description'], parameters.map((parameter) => [
          `\`${parameter.name}\``, parameter.in, schemaType(parameter.schema), parameter.required ? 'yes' : 'no',
          [parameter.description ?? parameter.schema?.description ?? '', parameter.schema?.default !== undefined ? `default ${JSON.stringify(parameter.schema.default)}` : ''].filter(Boolean).join('; '),
        ])), '');
      }
      const content = operation.requestBody?.content ?? {};
      for (const mediaType of Object.keys(content).sort()) {
        const schema = content[mediaType]?.schema;
        const rows = schemaRows(schema);
        out.push(`Request body (\`${mediaType}\`)${rows.length ? ':' : `: ${schemaType(schema)}.`}`, '');
        if (rows.length) out.push(table(['field', 'type', 'required', 'description'], rows), '');
      }
      const responses = Object.entries(operation.responses ?? {}).sort(([a], [b]) => a.localeCompare(b));
      if (responses.length > 0) {
        out.push(`Responses: ${responses.map(([status, response]) => {
          const schema = Object.values(response.content ?? {})[0]?.schema;
          const fields = schema?.properties ? ` (${Object.keys(schema.properties).map((name) => `\`${name}\``).join(', ')})` : '';
          return `${status}${fields}`;
        }).join('; ')}.`, '');
      }
    }
  }
  return out.join('\n').trimEnd();
}

/** The RBAC matrix: every entry of the access table × every role. */
export function renderRbacTable(accessTable: Record<string, Access>, spec: OpenApiDocument, headingLevel = 2): string {
  const documented = new Set(operationsOf(spec).map(({ method, path }) => `${method.toUpperCase()} ${fastifyPath(path)}`));
  const keys = Object.keys(accessTable).sort((a, b) => {
    const [ma, pa] = a.split(' ') as [string, string];
    const [mb, pb] = b.split(' ') as [string, string];
    return pa === pb ? METHOD_ORDER.indexOf(ma.toLowerCase()) - METHOD_ORDER.indexOf(mb.toLowerCase()) : pa < pb ? -1 : 1;
  });
  const mark = (access: Access, role: Role | undefined): string => {
    if (access === 'public') return '✓';
    if (role === undefined) return '—';
    if (access === 'signed-in') return '✓';
    return access.includes(role) ? '✓' : '—';
  };
  return [
    `${'#'.repeat(headingLevel)} Access control (RBAC)`,
    '',
    'Generated from `ACCESS_TABLE` in `server/registry/rbac.ts`, the one table the registry enforces for every route (a route without an entry stops the registry from starting). Routes marked "not in OpenAPI" serve the web console or documents rather than JSON.',
    '',
    table(['route', 'no token', ...ROLES, 'note'], keys.map((key) => {
      const access = accessTable[key]!;
      return [`\`${key}\``, mark(access, undefined), ...ROLES.map((role) => mark(access, role)), documented.has(key) ? '' : 'not in OpenAPI'];
    })),
  ].join('\n');
}

/** The custom LSP methods, their direction and payloads, and the types they use. */
export function renderLspProtocol(protocol: { methods: LspMethod[]; types: LspType[] }, headingLevel = 2): string {
  const h = '#'.repeat(headingLevel);
  const out: string[] = [
    `${h} Language server protocol extensions`,
    '',
    'Generated from `protocol/lsp-methods.ts` (parsed with the TypeScript compiler API). Every custom method is a namespace there with a literal `method` and a typed `type`; import them rather than spelling method names.',
    '',
    table(['method', 'kind', 'direction', 'params', 'result'], protocol.methods.map((method) => [
      `\`${method.method}\``, method.kind, method.direction, `\`${method.params}\``, method.result ? `\`${method.result}\`` : '—',
    ])),
    '',
  ];
  for (const method of protocol.methods) {
    out.push(`${h}# \`${method.method}\` (${method.name})`, '', method.doc || '(undocumented)', '');
  }
  out.push(`${h}# Types`, '');
  for (const type of protocol.types) {
    out.push(`${h}## \`${type.name}\``, '');
    if (type.doc) out.push(type.doc, '');
    if (type.text) out.push('```ts', `type ${type.name} = ${type.text};`, '```', '');
    if (type.members.length > 0) {
      out.push(table(['field', 'type', 'optional', 'description'], type.members.map((member) => [`\`${member.name}\``, `\`${member.type}\``, member.optional ? 'yes' : 'no', member.doc])), '');
    }
  }
  return out.join('\n').trimEnd();
}

/** The CLI reference: each command's own `--help`, verbatim. */
export function renderCliReference(commands: CliCommandHelp[], headingLevel = 2): string {
  const h = '#'.repeat(headingLevel);
  const out: string[] = [`${h} Command line reference`, '', 'Generated by running `node bin/plugin-codex.js <command> --help` for every command and subcommand.', ''];
  for (const command of commands) {
    out.push(`${h}# \`${['plugin-codex', ...command.path].join(' ')}\``, '', '```text', command.help, '```', '');
  }
  return out.join('\n').trimEnd();
}

/** The rule catalogue, one row per rule, linking its page. */
export function renderRules(rules: readonly RuleDescription[], linkPrefix: string, headingLevel = 2): string {
  return [
    `${'#'.repeat(headingLevel)} Rules`,
    '',
    'Generated from `RULES` in `codex-core/rule-catalogue.ts`. Severities can be changed per rule (`pluginCodex.severityOverrides`, or `.plugin-codex.json` for the CLI).',
    '',
    table(['rule', 'category', 'default severity', 'what it finds'], rules.map((rule) => [
      `[\`${rule.id}\`](${linkPrefix}${rule.docsPath.replace(/^docs\//, '')})`, rule.category, rule.defaultSeverity, rule.description,
    ])),
  ].join('\n');
}

/** The plugin.json reference from the manifest's JSON Schema. */
export function renderManifestReference(schema: JsonSchema, defaults: Record<string, unknown>, headingLevel = 2): string {
  const rows = schemaRows(schema).map((row) => {
    const name = row[0]!.replace(/`/g, '');
    const fallback = defaults[name];
    return fallback === undefined ? row : [row[0]!, row[1]!, row[2]!, [row[3], `default ${JSON.stringify(fallback)}`].filter(Boolean).join('; ')];
  });
  return [
    `${'#'.repeat(headingLevel)} Manifest reference (\`plugin.json\`)`,
    '',
    `Generated from \`PluginManifestSchema\` in \`protocol/plugin-manifest.ts\` (JSON Schema \`${String(schema.$id ?? '')}\`). Unknown fields are refused. Besides the schema, the validator checks that example tools exist and match their schemas, that \`healthCheck\` is not a tool name, and that migrations are numbered in order.`,
    '',
    table(['field', 'type', 'required', 'description'], rows),
  ].join('\n');
}

/** VS Code settings contributed by the extension (package.json `contributes.configuration`). */
export function renderVsCodeSettings(properties: Record<string, JsonSchema & { markdownDescription?: string }>, headingLevel = 2): string {
  return [
    `${'#'.repeat(headingLevel)} VS Code settings`,
    '',
    'Generated from `contributes.configuration` in package.json.',
    '',
    table(['setting', 'type', 'default', 'description'], Object.keys(properties).sort().map((name) => {
      const property = properties[name]!;
      return [`\`${name}\``, schemaType(property), `\`${JSON.stringify(property.default)}\``, property.markdownDescription ?? property.description ?? ''];
    })),
  ].join('\n');
}

/** The configuration table (README and guides) from .env.example; variables that share a comment share a row. */
export function renderEnvTable(variables: EnvVariable[]): string {
  const rows: { names: string[]; description: string }[] = [];
  for (const variable of variables) {
    const last = rows.at(-1);
    if (last && last.description === variable.description && variable.description !== '') last.names.push(variable.name);
    else rows.push({ names: [variable.name], description: variable.description });
  }
  return table(['variable', 'meaning'], rows.map((row) => [row.names.map((name) => `\`${name}\``).join(', '), row.description]));
}
