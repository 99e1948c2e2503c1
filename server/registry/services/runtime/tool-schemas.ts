import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** The outcome of checking a value against a tool's input or output schema. */
export type SchemaCheck = { ok: true; value: unknown } | { ok: false; field: string; message: string };

/**
 * Compiles a tool's input and output JSON Schemas once per plugin version (versions are immutable)
 * with ajv instances private to that version, so `$id`s of different plugins never collide. Input
 * validation fills in the schema's defaults on a copy.
 */
export function createToolValidators() {
  const cache = new Map<string, { input: ValidateFunction; output: ValidateFunction }>();

  function compile(schema: Record<string, unknown>, useDefaults: boolean): ValidateFunction {
    const options = { allErrors: false, strict: false, addUsedSchema: false, useDefaults };
    const modern = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
    const ajv = modern ? new Ajv2020(options) : new Ajv(options);
    addFormats(ajv);
    return ajv.compile(schema);
  }

  function validators(key: string, tool: { inputSchema: Record<string, unknown>; outputSchema: Record<string, unknown> }) {
    let found = cache.get(key);
    if (!found) {
      found = { input: compile(tool.inputSchema, true), output: compile(tool.outputSchema, false) };
      cache.set(key, found);
    }
    return found;
  }

  function check(validate: ValidateFunction, value: unknown, root: 'input' | 'output'): SchemaCheck {
    const copy = value === undefined ? undefined : structuredClone(value);
    if (validate(copy)) return { ok: true, value: copy };
    const error = (validate.errors ?? [])[0];
    return { ok: false, field: fieldOf(root, error), message: describe(root, error) };
  }

  return {
    /** Checks a tool's input (defaults filled in); `key` names the plugin version and tool. */
    input(key: string, tool: { inputSchema: Record<string, unknown>; outputSchema: Record<string, unknown> }, value: unknown): SchemaCheck {
      return check(validators(key, tool).input, value, 'input');
    },
    /** Checks what a tool returned against its output schema. */
    output(key: string, tool: { inputSchema: Record<string, unknown>; outputSchema: Record<string, unknown> }, value: unknown): SchemaCheck {
      return check(validators(key, tool).output, value, 'output');
    },
  };
}

export type ToolValidators = ReturnType<typeof createToolValidators>;

function fieldOf(root: string, error: ErrorObject | undefined): string {
  const path = `${root}${(error?.instancePath ?? '').replace(/\//g, '.')}`;
  if (error?.keyword === 'required') return `${path}.${String(error.params.missingProperty)}`;
  if (error?.keyword === 'additionalProperties') return `${path}.${String(error.params.additionalProperty)}`;
  return path;
}

function describe(root: string, error: ErrorObject | undefined): string {
  if (!error) return `${root} is invalid`;
  const field = fieldOf(root, error);
  if (error.keyword === 'required') return `${field} is required`;
  if (error.keyword === 'additionalProperties') return `${field} is not allowed (the schema accepts no other properties)`;
  if (error.keyword === 'enum') return `${field} must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`;
  return `${field} ${error.message ?? 'is invalid'}`;
}
