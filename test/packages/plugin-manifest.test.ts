import { describe, expect, it } from 'vitest';
import { exampleMatches, pluginManifestJsonSchema, validateManifest } from '../../protocol/plugin-manifest.js';
import { manifest } from './tar-fixtures.js';

const tool = (name: string) => ({
  name,
  description: 'd',
  inputSchema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'], additionalProperties: false },
  outputSchema: { type: 'object', properties: { double: { type: 'integer' }, note: { type: 'string' } }, required: ['double', 'note'] },
});

/** Each row: manifest overrides, and a fragment every error list must contain. */
const invalid: [string, Record<string, unknown>, string][] = [
  ['upper-case id', { id: '@Test/Hello' }, '/id'],
  ['id without scope', { id: 'hello' }, 'lower-case scoped id'],
  ['semver-looking but invalid version', { version: '1.0' }, '/version'],
  ['version with a leading v', { version: 'v1.0.0' }, '/version'],
  ['unknown kind', { kind: 'widget' }, '/kind'],
  ['missing title', { title: undefined }, 'missing required property "title"'],
  ['unknown property', { permisions: {} }, 'unknown property "permisions"'],
  ['absolute entry', { entry: '/index.js' }, '/entry'],
  ['entry climbing out', { entry: '../index.js' }, '/entry'],
  ['entry that is not a module', { entry: 'index.ts' }, '/entry'],
  ['tool without schema', { tools: [{ name: 'x', description: 'd', inputSchema: {} }] }, 'missing required property "outputSchema"'],
  ['invalid tool schema', { tools: [{ ...tool('x'), inputSchema: { type: 'objekt' } }] }, '/tools/0/inputSchema: not a valid JSON Schema'],
  ['tool named like the health check', { tools: [tool('healthCheck')] }, 'reserved'],
  ['duplicate tool', { tools: [tool('x'), tool('x')] }, '/tools/1/name'],
  ['tool kind without tools', { tools: [] }, 'at least one tool'],
  ['block without ui', { kind: 'visual-block' }, '/ui'],
  ['bad element name', { kind: 'visual-block', ui: { element: 'nohyphen', entry: 'ui.js' } }, '/ui/element'],
  ['bad network host', { permissions: { network: ['http://example.com'] } }, '/permissions/network/0'],
  ['bad core hook', { permissions: { core: ['events'] } }, '/permissions/core/0'],
  ['bad dependency range', { dependencies: { '@codex/text-stats': 'latest-ish' } }, '/dependencies/@codex~1text-stats'],
  ['self dependency', { dependencies: { '@test/hello': '^1.0.0' } }, 'cannot depend on itself'],
  ['bad engines range', { engines: { 'plugin-codex': 'soon' } }, '/engines/plugin-codex'],
  ['invalid config schema', { configSchema: { type: 'object', properties: { a: { type: 12 } } } }, '/configSchema'],
  ['migrations out of order', { migrations: [{ version: 2, name: 'b', up: 'CREATE TABLE b (x int);', down: 'DROP TABLE b;' }, { version: 1, name: 'a', up: 'CREATE TABLE a (x int);', down: 'DROP TABLE a;' }] }, '/migrations/1/version'],
  ['migration escaping its schema', { migrations: [{ version: 1, name: 'a', up: 'CREATE TABLE public.a (x int);', down: 'DROP TABLE a;' }] }, '/migrations/0/up'],
  ['migration changing search_path', { migrations: [{ version: 1, name: 'a', up: 'SET search_path TO public;', down: 'SELECT 1;' }] }, 'search_path'],
  ['health check tool unknown', { healthCheck: { tool: 'nope' } }, '/healthCheck/tool'],
  ['health check of the wrong type', { healthCheck: 'yes' }, '/healthCheck'],
  ['example of an unknown tool', { examples: [{ tool: 'nope', input: {}, expected: {} }] }, '/examples/0/tool'],
  ['example input not matching', { tools: [tool('double')], examples: [{ tool: 'double', input: { n: 'two' }, expected: {} }] }, '/examples/0/input/n'],
  ['example expected not matching', { tools: [tool('double')], examples: [{ tool: 'double', input: { n: 2 }, expected: { double: 'four' } }] }, '/examples/0/expected/double'],
  ['example without expected', { examples: [{ tool: 'hello', input: {} }] }, 'missing required property "expected"'],
  ['tags not lower-case', { tags: ['Text'] }, '/tags/0'],
];

describe('validateManifest', () => {
  it('accepts a minimal manifest and fills in the defaults', () => {
    const result = validateManifest(manifest());
    expect(result).toEqual({
      ok: true,
      manifest: expect.objectContaining({ tags: [], permissions: {}, dependencies: {}, engines: {}, migrations: [], examples: [], healthCheck: true, readme: 'README.md', safeToTest: false }),
    });
  });

  it('does not modify the value it validates', () => {
    const value = manifest();
    validateManifest(value);
    expect(value).toEqual(manifest());
  });

  it.each(invalid)('refuses %s, naming the field', (_name, overrides, fragment) => {
    const result = validateManifest(manifest(overrides));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).toContain(fragment);
  });

  it('refuses values that are not objects', () => {
    expect(validateManifest([])).toEqual({ ok: false, errors: ['/: plugin.json must contain a JSON object'] });
    expect(validateManifest(null).ok).toBe(false);
  });

  it('accepts partial expected values in examples (required output fields may be left out)', () => {
    const result = validateManifest(manifest({ tools: [tool('double')], examples: [{ tool: 'double', input: { n: 2 }, expected: { double: 4 } }] }));
    expect(result.ok).toBe(true);
  });

  it('accepts a health check naming a tool and input matching it', () => {
    expect(validateManifest(manifest({ tools: [tool('double')], healthCheck: { tool: 'double', input: { n: 1 } } })).ok).toBe(true);
    expect(validateManifest(manifest({ tools: [tool('double')], healthCheck: { tool: 'double', input: { n: 'x' } } })).ok).toBe(false);
  });

  it('accepts tool schemas written for JSON Schema 2020-12', () => {
    const modern = { ...tool('x'), inputSchema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { list: { type: 'array', prefixItems: [{ type: 'string' }] } } } };
    expect(validateManifest(manifest({ tools: [modern] })).ok).toBe(true);
  });

  it('compiles tool schemas that share an $id without mixing them up', () => {
    const a = { ...tool('a'), inputSchema: { $id: 'https://example.com/input.json', type: 'object', properties: { n: { type: 'integer' } } } };
    const b = { ...tool('b'), inputSchema: { $id: 'https://example.com/input.json', type: 'object', properties: { n: { type: 'string' } } } };
    const examples = [{ tool: 'a', input: { n: 1 }, expected: {} }, { tool: 'b', input: { n: 'one' }, expected: {} }];
    expect(validateManifest(manifest({ tools: [a, b], examples })).ok).toBe(true);
  });

  it('exports a plain JSON Schema document', () => {
    expect(pluginManifestJsonSchema).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', required: expect.arrayContaining(['id', 'version', 'kind', 'entry']) });
    expect(JSON.parse(JSON.stringify(pluginManifestJsonSchema))).toEqual(pluginManifestJsonSchema);
  });
});

describe('exampleMatches', () => {
  it.each([
    [{ a: 1 }, { a: 1, b: 2 }, true],
    [{ a: 1, b: 2 }, { a: 1 }, false],
    [{ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2, d: 3 }] } }, true],
    [[1, 2], [1, 2, 3], false],
    [null, null, true],
    [{ a: null }, { a: undefined }, false],
    [{}, [], false],
    ['x', 'x', true],
    [1, '1', false],
  ])('%j against %j → %s', (expected, actual, matches) => {
    expect(exampleMatches(expected, actual)).toBe(matches);
  });
});
