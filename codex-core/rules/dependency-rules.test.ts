import { describe, expect, it } from 'vitest';
import { createCodex } from '../codex';
import { runProjectCase, type ProjectCase } from '../rule-test-support';

const pkg = (fields: Record<string, unknown>): string => JSON.stringify({ name: 'fixture', type: 'module', ...fields }, null, 2);
/** package.json text where `marked` (a dependency name) gets a marker in `section`. */
const marked = (fields: Record<string, Record<string, string>>, section: string, name: string): string =>
  pkg(fields).replace(new RegExp(`("${section}": \\{[^}]*?)("${name.replace('/', '\\/')}")`), '$1/*@*/$2');
const installed = (name: string, version: string, extra: Record<string, unknown> = {}): Record<string, string> =>
  ({ [`node_modules/${name}/package.json`]: JSON.stringify({ name, version, ...extra }) });

const table: Record<string, { find: ProjectCase[]; ignore: ProjectCase[] }> = {
  'dep-undeclared': {
    find: [
      { name: 'a bare import', files: { 'package.json': pkg({}), 'src/index.ts': 'import pad from /*@*/"left-pad";\nconsole.log(pad);' } },
      { name: 'a scoped deep import', files: { 'package.json': pkg({ dependencies: { zod: '4.0.0' } }), 'src/index.ts': 'import { z } from "zod";\nimport { x } from /*@*/"@scope/pkg/sub";\nconsole.log(z, x);' } },
      { name: 'a require call', files: { 'package.json': pkg({}), 'src/index.cjs': 'const chalk = require(/*@*/"chalk");\nmodule.exports = chalk;' } },
    ],
    ignore: [
      { name: 'a node builtin', files: { 'package.json': pkg({}), 'src/index.ts': 'import fs from "fs";\nimport path from "node:path";\nconsole.log(fs, path);' } },
      { name: 'a relative import', files: { 'package.json': pkg({}), 'src/index.ts': 'import { a } from "./a";\nconsole.log(a);', 'src/a.ts': 'export const a = 1;' } },
      { name: 'a declared dependency', files: { 'package.json': pkg({ dependencies: { 'left-pad': '1.3.0' } }), 'src/index.ts': 'import pad from "left-pad";\nconsole.log(pad);' } },
    ],
  },
  'dep-unused': {
    find: [
      { name: 'the only dependency', files: { 'package.json': marked({ dependencies: { 'left-pad': '1.3.0' } }, 'dependencies', 'left-pad'), 'src/index.ts': 'export {};' } },
      { name: 'one of two', files: { 'package.json': marked({ dependencies: { a: '1.0.0', b: '1.0.0' } }, 'dependencies', 'b'), 'src/index.ts': 'import a from "a";\nconsole.log(a);' } },
      { name: 'a scoped package', files: { 'package.json': marked({ dependencies: { '@acme/ui': '2.0.0' } }, 'dependencies', '@acme/ui'), 'src/index.ts': 'export {};' } },
      { name: 'a name that only appears inside a longer string', files: { 'package.json': marked({ dependencies: { chalk: '5.0.0' } }, 'dependencies', 'chalk'), 'src/index.ts': 'export const hint = "colours come from chalk or kleur";' } },
    ],
    ignore: [
      { name: 'an imported dependency', files: { 'package.json': pkg({ dependencies: { a: '1.0.0' } }), 'src/index.ts': 'import a from "a";\nconsole.log(a);' } },
      { name: 'an @types package', files: { 'package.json': pkg({ dependencies: { '@types/node': '20.0.0' } }), 'src/index.ts': 'export {};' } },
      { name: 'a tool used by scripts', files: { 'package.json': pkg({ dependencies: { typescript: '6.0.3' }, scripts: { build: 'typescript --version' } }), 'src/index.ts': 'export {};' } },
      // Found in parse-server: an adapter loaded by name, and the npm punycode reached past the deprecated builtin.
      { name: 'a package loaded by its name at run time', files: { 'package.json': pkg({ dependencies: { '@parse/push-adapter': '6.4.1' } }), 'src/index.ts': 'declare function loadModule(name: string): Promise<unknown>;\nexport const adapter = loadModule("@parse/push-adapter");' } },
      { name: 'the npm package of a builtin name', files: { 'package.json': pkg({ dependencies: { punycode: '2.3.1' } }), 'lib/url.cjs': 'const punycode = require("punycode/punycode.js");\nmodule.exports = punycode.toASCII;' } },
    ],
  },
  'dep-version-mismatch': {
    find: [
      { name: 'installed below the range', files: { 'package.json': marked({ dependencies: { a: '^2.0.0' } }, 'dependencies', 'a'), ...installed('a', '1.4.0'), 'src/index.ts': 'import a from "a";\nconsole.log(a);' } },
      { name: 'declared but not installed', files: { 'package.json': marked({ dependencies: { a: '^1.0.0', b: '^1.0.0' } }, 'dependencies', 'b'), ...installed('a', '1.0.0'), 'src/index.ts': 'import a from "a";\nimport b from "b";\nconsole.log(a, b);' } },
      // Found on Redux Toolkit installed with --omit=dev: one finding, not one per devDependency.
      { name: 'a production install, said once', files: { 'package.json': pkg({ dependencies: { a: '^1.0.0' }, devDependencies: { vitest: '^3.0.0', tsx: '^4.0.0', eslint: '^9.0.0' } }).replace('"devDependencies"', '/*@*/"devDependencies"'), ...installed('a', '1.2.0'), 'src/index.ts': 'import a from "a";\nconsole.log(a);' } },
      { name: 'a devDependency above the range', files: { 'package.json': marked({ devDependencies: { vitest: '~3.1.0' } }, 'devDependencies', 'vitest'), ...installed('vitest', '3.2.1'), 'src/index.ts': 'export {};' } },
    ],
    ignore: [
      { name: 'a satisfied caret range', files: { 'package.json': pkg({ dependencies: { a: '^1.0.0' } }), ...installed('a', '1.9.0'), 'src/index.ts': 'import a from "a";\nconsole.log(a);' } },
      { name: 'a star range', files: { 'package.json': pkg({ dependencies: { a: '*' } }), ...installed('a', '0.0.1'), 'src/index.ts': 'import a from "a";\nconsole.log(a);' } },
      { name: 'a git dependency', files: { 'package.json': pkg({ dependencies: { a: 'github:acme/a#main' } }), ...installed('a', '5.0.0'), 'src/index.ts': 'import a from "a";\nconsole.log(a);' } },
    ],
  },
  'dep-dev-at-runtime': {
    find: [
      { name: 'runtime import of a devDependency', files: { 'package.json': pkg({ devDependencies: { chalk: '5.0.0' } }), 'src/index.ts': 'import chalk from /*@*/"chalk";\nconsole.log(chalk);' } },
      { name: 're-export of a devDependency', files: { 'package.json': pkg({ devDependencies: { zod: '4.0.0' } }), 'src/index.ts': 'export { z } from /*@*/"zod";' } },
      { name: 'require in runtime JavaScript', files: { 'package.json': pkg({ devDependencies: { debug: '4.0.0' } }), 'lib/log.cjs': 'module.exports = require(/*@*/"debug");' } },
    ],
    ignore: [
      { name: 'a type-only import', files: { 'package.json': pkg({ devDependencies: { zod: '4.0.0' } }), 'src/index.ts': 'import type { ZodType } from "zod";\nexport type T = ZodType;' } },
      { name: 'a test file', files: { 'package.json': pkg({ devDependencies: { vitest: '4.0.0' } }), 'src/index.test.ts': 'import { it } from "vitest";\nit("x", () => {});' } },
      { name: 'a script', files: { 'package.json': pkg({ devDependencies: { esbuild: '0.28.0' } }), 'scripts/build.mjs': 'import { build } from "esbuild";\nawait build({});' } },
      // Found in knex: database drivers the user installs, marked optional in peerDependenciesMeta, kept in devDependencies for its own tests.
      { name: 'an optional peer named in peerDependenciesMeta', files: { 'package.json': pkg({ devDependencies: { pg: '8.0.0' }, peerDependenciesMeta: { pg: { optional: true } } }), 'lib/postgres.cjs': 'module.exports = () => require("pg");' } },
    ],
  },
  'dep-types-mismatch': {
    find: [
      { name: 'installed majors differ', files: { 'package.json': marked({ dependencies: { react: '^18.0.0' }, devDependencies: { '@types/react': '^17.0.0' } }, 'devDependencies', '@types/react'), ...installed('react', '18.2.0'), ...installed('@types/react', '17.0.80'), 'src/index.ts': 'import React from "react";\nconsole.log(React);' } },
      { name: 'declared majors differ', files: { 'package.json': marked({ dependencies: { express: '^5.1.0' }, devDependencies: { '@types/express': '^4.17.0' } }, 'devDependencies', '@types/express'), 'src/index.ts': 'import express from "express";\nconsole.log(express);' } },
      { name: 'a scoped package', files: { 'package.json': marked({ dependencies: { '@babel/core': '^8.0.0' }, devDependencies: { '@types/babel__core': '^7.20.0' } }, 'devDependencies', '@types/babel__core'), 'src/index.ts': 'import babel from "@babel/core";\nconsole.log(babel);' } },
    ],
    ignore: [
      { name: 'matching majors', files: { 'package.json': pkg({ dependencies: { react: '^18.0.0' }, devDependencies: { '@types/react': '^18.3.0' } }), 'src/index.ts': 'import React from "react";\nconsole.log(React);' } },
      { name: '@types/node', files: { 'package.json': pkg({ devDependencies: { '@types/node': '^20.0.0' } }), 'src/index.ts': 'export {};' } },
      { name: 'types for a package that is not used', files: { 'package.json': pkg({ devDependencies: { '@types/jquery': '^3.5.0' } }), 'src/index.ts': 'export {};' } },
    ],
  },
  'dep-duplicate': {
    find: [
      { name: 'dependencies and devDependencies', files: { 'package.json': marked({ dependencies: { a: '1.0.0' }, devDependencies: { a: '1.0.0' } }, 'devDependencies', 'a'), 'src/index.ts': 'import a from "a";\nconsole.log(a);' } },
      { name: 'dependencies and optionalDependencies', files: { 'package.json': marked({ dependencies: { a: '1.0.0' }, optionalDependencies: { a: '1.0.0' } }, 'optionalDependencies', 'a'), 'src/index.ts': 'import a from "a";\nconsole.log(a);' } },
      { name: 'dependencies and peerDependencies', files: { 'package.json': marked({ dependencies: { react: '18.0.0' }, peerDependencies: { react: '>=17' } }, 'peerDependencies', 'react'), 'src/index.ts': 'import r from "react";\nconsole.log(r);' } },
    ],
    ignore: [
      { name: 'a peer also in devDependencies', files: { 'package.json': pkg({ devDependencies: { react: '18.0.0' }, peerDependencies: { react: '>=17' } }), 'src/index.ts': 'import r from "react";\nconsole.log(r);' } },
      { name: 'distinct packages', files: { 'package.json': pkg({ dependencies: { a: '1.0.0' }, devDependencies: { b: '1.0.0' } }), 'src/index.ts': 'import a from "a";\nconsole.log(a);' } },
      { name: 'an override is no section', files: { 'package.json': pkg({ dependencies: { a: '1.0.0' }, overrides: { a: '1.0.1' } }), 'src/index.ts': 'import a from "a";\nconsole.log(a);' } },
    ],
  },
  'dep-peer-unmet': {
    find: [
      { name: 'missing peer', files: { 'package.json': marked({ dependencies: { 'react-dom': '18.0.0' } }, 'dependencies', 'react-dom'), ...installed('react-dom', '18.0.0', { peerDependencies: { react: '^18.0.0' } }), 'src/index.ts': 'import d from "react-dom";\nconsole.log(d);' } },
      { name: 'peer out of range', files: { 'package.json': marked({ dependencies: { 'react-dom': '18.0.0', react: '17.0.0' } }, 'dependencies', 'react-dom'), ...installed('react-dom', '18.0.0', { peerDependencies: { react: '^18.0.0' } }), ...installed('react', '17.0.2'), 'src/index.ts': 'import d from "react-dom";\nimport r from "react";\nconsole.log(d, r);' } },
      { name: 'a devDependency with a missing peer', files: { 'package.json': marked({ devDependencies: { 'typescript-eslint': '8.0.0' } }, 'devDependencies', 'typescript-eslint'), ...installed('typescript-eslint', '8.0.0', { peerDependencies: { eslint: '^9.0.0' } }), 'src/index.ts': 'export {};' } },
    ],
    ignore: [
      { name: 'satisfied peer', files: { 'package.json': pkg({ dependencies: { 'react-dom': '18.0.0', react: '18.2.0' } }), ...installed('react-dom', '18.0.0', { peerDependencies: { react: '^18.0.0' } }), ...installed('react', '18.2.0'), 'src/index.ts': 'import d from "react-dom";\nimport r from "react";\nconsole.log(d, r);' } },
      { name: 'optional peer missing', files: { 'package.json': pkg({ dependencies: { pg: '8.0.0' } }), ...installed('pg', '8.0.0', { peerDependencies: { 'pg-native': '>=3' }, peerDependenciesMeta: { 'pg-native': { optional: true } } }), 'src/index.ts': 'import pg from "pg";\nconsole.log(pg);' } },
      { name: 'no peers at all', files: { 'package.json': pkg({ dependencies: { a: '1.0.0' } }), ...installed('a', '1.0.0'), 'src/index.ts': 'import a from "a";\nconsole.log(a);' } },
    ],
  },
};

describe.each(Object.entries(table))('%s', (ruleId, { find, ignore }) => {
  it.each(find)('finds: $name', async ({ files }) => {
    const outcome = await runProjectCase((root) => createCodex({ root }), ruleId, 'dependency', files);
    expect(outcome.expected).toHaveLength(1);
    expect(outcome.found).toEqual(outcome.expected);
  });
  it.each(ignore)('ignores look-alike: $name', async ({ files }) => {
    const outcome = await runProjectCase((root) => createCodex({ root }), ruleId, 'dependency', files);
    expect(outcome.found).toEqual([]);
  });
});
