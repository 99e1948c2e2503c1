/**
 * The `plugin.json` manifest at the root of every plugin package: one TypeBox schema that is the
 * JSON Schema published to authors, the TypeScript type, and (with the semantic checks below that a
 * JSON Schema cannot express) the validator the registry runs on publish and the CLI runs on pack.
 *
 * ```json
 * {
 *   "id": "@codex/text-stats", "version": "1.0.0", "kind": "tool",
 *   "title": "Text statistics", "description": "Counts words, characters and sentences.",
 *   "entry": "index.js",
 *   "tools": [{ "name": "analyze", "description": "…", "inputSchema": {…}, "outputSchema": {…} }],
 *   "examples": [{ "tool": "analyze", "input": { "text": "Hi." }, "expected": { "words": 1 } }],
 *   "safeToTest": true
 * }
 * ```
 *
 * Health checks (`healthCheck`):
 * - absent or `true` (the default): the sandbox calls the entry's exported `healthCheck(ctx)`; the
 *   plugin is healthy when it resolves without throwing and its result is not `{ ok: false }`. An
 *   entry without a `healthCheck` export is healthy when its module evaluates.
 * - `false`: no probe beyond evaluating the module.
 * - `{ tool, input }`: call that tool with `input` (default `{}`); healthy when it resolves and its
 *   output matches the tool's `outputSchema`.
 *
 * Examples (`examples`): each `{ tool, input, expected }` is run in order against one fresh
 * installation (so a `list` example may follow an `add` example). `expected` is a partial match
 * ({@link exampleMatches}): every key of an expected object must match in the output, arrays and
 * scalars must be equal. The validator checks that the tool exists, that `input` matches its
 * `inputSchema` and that `expected` is a value its `outputSchema` could produce.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import semver from 'semver';
import type { PluginPermissions } from './plugin-runtime.js';

/** `@namespace/name`: lower-case, npm-like, at most 214 characters. */
export const PLUGIN_ID_PATTERN = '^@[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$';
/** A path inside the package: relative, forward slashes, no `.`/`..` segments. */
export const PACKAGE_PATH_PATTERN = '^(?!/)(?!.*\\\\)(?!.*(^|/)\\.{1,2}(/|$))(?!.*//)[^\\u0000-\\u001f:*?"<>|]+$';

const PluginId = Type.String({
  pattern: PLUGIN_ID_PATTERN,
  maxLength: 214,
  description: 'a lower-case scoped id like "@acme/weather" (letters, digits, ".", "_", "-")',
});
const PackagePath = Type.String({
  pattern: PACKAGE_PATH_PATTERN,
  maxLength: 255,
  description: 'a relative path inside the package with forward slashes and no "." or ".." segments, like "dist/index.js"',
});
const ModulePath = Type.String({
  pattern: PACKAGE_PATH_PATTERN.slice(0, -1) + '\\.m?js$',
  maxLength: 255,
  description: 'a relative path of a bundled ES module (.js or .mjs) inside the package, like "index.js"',
});
/** A JSON Schema object (compiled with ajv during validation to reject invalid schemas). */
const JsonSchemaObject = Type.Record(Type.String(), Type.Unknown(), { description: 'a JSON Schema object' });

/** One tool an LLM (or another plugin) can call. */
export const PluginToolSchema = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]{0,63}$', description: 'a tool name: a letter, then letters, digits, "_" or "-" (at most 64)' }),
  description: Type.String({ minLength: 1, maxLength: 2000 }),
  inputSchema: JsonSchemaObject,
  outputSchema: JsonSchemaObject,
}, { additionalProperties: false });
export type PluginTool = Static<typeof PluginToolSchema>;

/** The UI of a visual block or micro-app: an ES module defining a custom element, shown in a sandboxed iframe. */
export const PluginUiSchema = Type.Object({
  element: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9._]*-[a-z0-9._-]*$', maxLength: 100, description: 'a custom element tag with a hyphen, like "acme-chart"' })),
  entry: ModulePath,
  height: Type.Optional(Type.Integer({ minimum: 24, maximum: 4000, description: 'initial height in CSS pixels' })),
}, { additionalProperties: false });

/** The manifest's `permissions`; the same shape as {@link PluginPermissions} in plugin-runtime.ts. */
export const PluginPermissionsSchema = Type.Object({
  network: Type.Optional(Type.Array(Type.String({
    pattern: '^(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$',
    description: 'a lower-case host name, optionally "*." for subdomains and ":port", like "api.example.com" or "127.0.0.1:8080"',
  }), { uniqueItems: true, maxItems: 50 })),
  storage: Type.Optional(Type.Boolean()),
  secrets: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$', description: 'a secret name like "API_KEY"' }), { uniqueItems: true, maxItems: 50 })),
  core: Type.Optional(Type.Array(Type.String({ pattern: '^core:[a-z][a-z0-9-]*$', description: 'a core hook like "core:events"' }), { uniqueItems: true })),
}, { additionalProperties: false });

/** One step of the plugin's own database schema (run in the plugin's schema, in version order). */
export const PluginMigrationSchema = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: 'a short kebab-case or snake_case name like "create-notes"' }),
  up: Type.String({ minLength: 1, maxLength: 100_000 }),
  down: Type.String({ minLength: 1, maxLength: 100_000 }),
}, { additionalProperties: false });
export type PluginMigration = Static<typeof PluginMigrationSchema>;

/** An example call: `input` to `tool` gives (a superset of) `expected`. */
export const PluginExampleSchema = Type.Object({
  tool: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  input: Type.Unknown(),
  expected: Type.Unknown(),
}, { additionalProperties: false, required: ['tool', 'input', 'expected'] });
export type PluginExample = Static<typeof PluginExampleSchema>;

/** Which health probe the registry runs; see the module comment. */
export const PluginHealthCheckSchema = Type.Union([
  Type.Boolean(),
  Type.Object({ tool: Type.String({ minLength: 1 }), input: Type.Optional(Type.Unknown()) }, { additionalProperties: false }),
]);
export type PluginHealthCheck = Static<typeof PluginHealthCheckSchema>;

export const PLUGIN_KINDS = ['tool', 'micro-app', 'data-source', 'visual-block'] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** The `plugin.json` schema. Optional fields get the defaults listed in {@link MANIFEST_DEFAULTS}. */
export const PluginManifestSchema = Type.Object({
  $schema: Type.Optional(Type.String()),
  id: PluginId,
  version: Type.String({ minLength: 5, maxLength: 64, description: 'a semver version like "1.2.3"' }),
  kind: Type.Unsafe<PluginKind>({ type: 'string', enum: [...PLUGIN_KINDS], description: 'one of tool, micro-app, data-source, visual-block' }),
  title: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.String({ minLength: 1, maxLength: 2000 }),
  tags: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,31}$', description: 'a lower-case tag like "text" or "data-viz"' }), { uniqueItems: true, maxItems: 20 })),
  entry: ModulePath,
  tools: Type.Optional(Type.Array(PluginToolSchema, { maxItems: 100 })),
  ui: Type.Optional(PluginUiSchema),
  permissions: Type.Optional(PluginPermissionsSchema),
  dependencies: Type.Optional(Type.Record(Type.String({ pattern: PLUGIN_ID_PATTERN }), Type.String({ minLength: 1, maxLength: 256 }))),
  engines: Type.Optional(Type.Object({ 'plugin-codex': Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) }, { additionalProperties: false })),
  configSchema: Type.Optional(JsonSchemaObject),
  migrations: Type.Optional(Type.Array(PluginMigrationSchema, { maxItems: 1000 })),
  healthCheck: Type.Optional(PluginHealthCheckSchema),
  examples: Type.Optional(Type.Array(PluginExampleSchema, { maxItems: 100 })),
  readme: Type.Optional(PackagePath),
  safeToTest: Type.Optional(Type.Boolean()),
  license: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  homepage: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })),
}, { additionalProperties: false, $id: 'https://plugin-codex.dev/schemas/plugin.json', title: 'Plugin Codex plugin manifest' });

/** `plugin.json` as written by an author (optional fields may be absent). */
export type PluginManifest = Static<typeof PluginManifestSchema>;

/** A validated manifest: the optional fields with defaults are always present. */
export type ResolvedPluginManifest = PluginManifest & Required<Pick<PluginManifest,
  'tags' | 'tools' | 'permissions' | 'dependencies' | 'engines' | 'migrations' | 'healthCheck' | 'examples' | 'readme' | 'safeToTest'>>;

/** Defaults filled in by {@link validateManifest}. */
export const MANIFEST_DEFAULTS = {
  tags: [], tools: [], permissions: {}, dependencies: {}, engines: {}, migrations: [], healthCheck: true, examples: [], readme: 'README.md', safeToTest: false,
} as const;

/** The manifest schema as a plain JSON Schema document (for editors and the docs). */
export const pluginManifestJsonSchema: Record<string, unknown> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  ...JSON.parse(JSON.stringify(PluginManifestSchema)) as Record<string, unknown>,
};

// The manifest's permissions must stay assignable to the runtime's type, and the other way round.
const permissionsMatchRuntime: [Static<typeof PluginPermissionsSchema>, PluginPermissions] = [{} as PluginPermissions, {} as Static<typeof PluginPermissionsSchema>];
void permissionsMatchRuntime;

export type ManifestValidation = { ok: true; manifest: ResolvedPluginManifest } | { ok: false; errors: string[] };

const manifestAjv = new Ajv({ allErrors: true, verbose: true, strict: false });
addFormats(manifestAjv);
const validateShape = manifestAjv.compile(PluginManifestSchema as TSchema);

/** Statements a plugin migration may not contain: it runs in the plugin's own schema and nowhere else. */
const FORBIDDEN_SQL: [RegExp, string][] = [
  [/\bsearch_path\b/i, 'must not change search_path'],
  [/\b(create|alter|drop)\s+schema\b/i, 'must not create, alter or drop schemas'],
  [/\b(grant|revoke)\b/i, 'must not grant or revoke privileges'],
  [/\b(create|alter|drop)\s+(role|user|extension|database)\b/i, 'must not manage roles, users, extensions or databases'],
  [/\bcopy\b[\s\S]*\b(program|from|to)\b/i, 'must not use COPY'],
  [/\bpg_catalog\b|\binformation_schema\b|\bpublic\s*\./i, 'must not reference other schemas (public, pg_catalog, information_schema)'],
];

/**
 * Validates an untrusted `plugin.json` value: shape (ajv), semver version and ranges, tool and
 * config schemas (compiled with ajv), kind-specific rules, migrations and examples. Errors name the
 * JSON path (`/tools/0/name`) and what to change. On success the manifest has its defaults filled in.
 */
export function validateManifest(value: unknown): ManifestValidation {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, errors: ['/: plugin.json must contain a JSON object'] };
  }
  if (!validateShape(value)) {
    return { ok: false, errors: dedupe(withoutBranchNoise(validateShape.errors ?? []).map(formatAjvError)) };
  }
  const manifest = { ...MANIFEST_DEFAULTS, ...structuredClone(value as PluginManifest) } as ResolvedPluginManifest;
  const errors: string[] = [];

  if (semver.valid(manifest.version) !== manifest.version) {
    errors.push(`/version: "${manifest.version}" is not a semver version; write it like "1.2.3" or "1.2.3-beta.1" (no leading "v")`);
  }
  for (const [dependency, range] of Object.entries(manifest.dependencies)) {
    if (dependency === manifest.id) errors.push(`/dependencies/${pointer(dependency)}: a plugin cannot depend on itself`);
    if (semver.validRange(range) === null) errors.push(`/dependencies/${pointer(dependency)}: "${range}" is not a valid semver range; write it like "^1.2.0"`);
  }
  const engine = manifest.engines['plugin-codex'];
  if (engine !== undefined && semver.validRange(engine) === null) {
    errors.push(`/engines/plugin-codex: "${engine}" is not a valid semver range; write it like ">=0.1.0"`);
  }

  const compileSchema = schemaCompiler(errors);
  const toolValidators = new Map<string, { input?: ValidateFunction; expectedOutput?: ValidateFunction }>();
  manifest.tools.forEach((tool, index) => {
    if (tool.name === 'healthCheck') errors.push(`/tools/${index}/name: "healthCheck" is reserved for the entry's health check export; rename the tool`);
    if (toolValidators.has(tool.name)) errors.push(`/tools/${index}/name: the tool name "${tool.name}" is used twice; tool names must be unique`);
    toolValidators.set(tool.name, {
      input: compileSchema(tool.inputSchema, `/tools/${index}/inputSchema`),
      expectedOutput: compileSchema(tool.outputSchema, `/tools/${index}/outputSchema`)
        ? compileSchema(withoutRequired(tool.outputSchema) as Record<string, unknown>, `/tools/${index}/outputSchema`)
        : undefined,
    });
  });
  if (manifest.configSchema !== undefined) compileSchema(manifest.configSchema, '/configSchema');

  if ((manifest.kind === 'tool' || manifest.kind === 'data-source') && manifest.tools.length === 0) {
    errors.push(`/tools: a ${manifest.kind} plugin must declare at least one tool`);
  }
  if ((manifest.kind === 'visual-block' || manifest.kind === 'micro-app') && manifest.ui === undefined) {
    errors.push(`/ui: a ${manifest.kind} plugin must declare its UI: { "entry": "ui/element.js", "element": "my-element" }`);
  }
  if (manifest.ui && manifest.ui.entry === manifest.entry) {
    errors.push('/ui/entry: the UI module must be a different file from the sandboxed "entry" (it runs in the browser, not in the sandbox)');
  }

  let previous = 0;
  manifest.migrations.forEach((migration, index) => {
    if (migration.version <= previous) errors.push(`/migrations/${index}/version: versions must increase strictly (found ${migration.version} after ${previous})`);
    previous = migration.version;
    for (const direction of ['up', 'down'] as const) {
      for (const [pattern, reason] of FORBIDDEN_SQL) {
        if (pattern.test(migration[direction])) errors.push(`/migrations/${index}/${direction}: a plugin migration runs in the plugin's own schema and ${reason}`);
      }
    }
  });

  if (typeof manifest.healthCheck === 'object' && !toolValidators.has(manifest.healthCheck.tool)) {
    errors.push(`/healthCheck/tool: "${manifest.healthCheck.tool}" is not one of the declared tools (${listOrNone([...toolValidators.keys()])})`);
  } else if (typeof manifest.healthCheck === 'object') {
    checkValue(toolValidators.get(manifest.healthCheck.tool)?.input, manifest.healthCheck.input ?? {}, '/healthCheck/input', errors);
  }

  manifest.examples.forEach((example, index) => {
    const validators = toolValidators.get(example.tool);
    if (!validators) {
      errors.push(`/examples/${index}/tool: "${example.tool}" is not one of the declared tools (${listOrNone([...toolValidators.keys()])})`);
      return;
    }
    checkValue(validators.input, example.input, `/examples/${index}/input`, errors);
    checkValue(validators.expectedOutput, example.expected, `/examples/${index}/expected`, errors);
  });

  return errors.length > 0 ? { ok: false, errors } : { ok: true, manifest };
}

/**
 * Whether a tool's actual output satisfies an example's `expected` value: objects match when every
 * key of `expected` matches (extra keys in `actual` are fine), arrays must have the same length and
 * matching items, anything else must be strictly equal.
 */
export function exampleMatches(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((item, index) => exampleMatches(item, actual[index]));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([key, item]) => Object.hasOwn(actual, key) && exampleMatches(item, (actual as Record<string, unknown>)[key]));
  }
  return Object.is(expected, actual);
}

/**
 * Compiles authors' JSON Schemas with ajv instances private to one validation (no cache shared
 * between manifests, no remote `$ref`s), recording why a schema is invalid.
 */
function schemaCompiler(errors: string[]): (schema: Record<string, unknown>, path: string) => ValidateFunction | undefined {
  let draft7: Ajv | undefined;
  let draft2020: Ajv2020 | undefined;
  const withFormats = <T extends Ajv>(ajv: T): T => {
    addFormats(ajv);
    return ajv;
  };
  return (schema, path) => {
    const modern = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
    const options = { allErrors: true, strict: false, addUsedSchema: false };
    // ajv registers every `$id` it compiles; a schema with one gets an instance of its own.
    const fresh = JSON.stringify(schema).includes('"$id"');
    const ajv = modern
      ? (fresh ? withFormats(new Ajv2020(options)) : (draft2020 ??= withFormats(new Ajv2020(options))))
      : (fresh ? withFormats(new Ajv(options)) : (draft7 ??= withFormats(new Ajv(options))));
    try {
      return ajv.compile(schema);
    } catch (error) {
      errors.push(`${path}: not a valid JSON Schema (${(error as Error).message})`);
      return undefined;
    }
  };
}

function checkValue(validate: ValidateFunction | undefined, value: unknown, path: string, errors: string[]): void {
  if (!validate || validate(value)) return;
  for (const error of withoutBranchNoise(validate.errors ?? [])) errors.push(`${path}${error.instancePath}: ${error.message ?? 'is invalid'}${paramsNote(error)}`);
}

/** Keywords whose value is a map of subschemas. */
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
/** Keywords whose value is a subschema or an array of subschemas. */
const SCHEMA_SLOTS = ['items', 'prefixItems', 'additionalItems', 'additionalProperties', 'unevaluatedItems', 'unevaluatedProperties', 'contains', 'propertyNames', 'not', 'if', 'then', 'else', 'anyOf', 'oneOf', 'allOf'];

/**
 * A copy of a JSON Schema without `required` and `minProperties` anywhere, so it accepts the
 * partial values an example's `expected` may be (see {@link exampleMatches}).
 */
export function withoutRequired(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutRequired);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'required' || key === 'minProperties') continue;
    if (SCHEMA_MAPS.includes(key) && value !== null && typeof value === 'object') {
      copy[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, withoutRequired(sub)]));
    } else if (SCHEMA_SLOTS.includes(key)) {
      copy[key] = withoutRequired(value);
    } else {
      copy[key] = value;
    }
  }
  return copy;
}

/**
 * A union (`healthCheck`) reports one type error per branch at the same path plus "must match a
 * schema in anyOf"; keep the summary and the errors deeper inside the value.
 */
function withoutBranchNoise(errors: ErrorObject[]): ErrorObject[] {
  const unionPaths = new Set(errors.filter((error) => error.keyword === 'anyOf').map((error) => error.instancePath));
  return errors.filter((error) => error.keyword === 'anyOf' || !unionPaths.has(error.instancePath));
}

function formatAjvError(error: ErrorObject): string {
  const path = error.instancePath || '/';
  switch (error.keyword) {
    case 'additionalProperties':
      return `${path}: unknown property "${String(error.params.additionalProperty)}"; remove it or check its spelling`;
    case 'required':
      return `${path}: missing required property "${String(error.params.missingProperty)}"`;
    case 'pattern':
    case 'format': {
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      return `${path}: ${JSON.stringify(error.data)} is not valid${description ? `; expected ${description}` : ` (${error.message})`}`;
    }
    case 'anyOf':
      return `${path}: ${JSON.stringify(error.data)} must be one of the allowed forms`;
    default:
      return `${path}: ${error.message ?? 'is invalid'}${paramsNote(error)}`;
  }
}

function paramsNote(error: ErrorObject): string {
  if (error.keyword === 'enum') return ` (${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`;
  if (error.keyword === 'additionalProperties') return ` ("${String(error.params.additionalProperty)}")`;
  return '';
}

function pointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function listOrNone(names: string[]): string {
  return names.length > 0 ? `declared: ${names.join(', ')}` : 'no tools are declared';
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}
