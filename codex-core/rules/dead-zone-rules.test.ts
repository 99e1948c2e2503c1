import { afterAll, describe, expect, it } from 'vitest';
import { createCodex } from '../codex';
import { removeFixture, runCase, runProjectCase, starts, writeFixture, type ProjectCase, type RuleCase } from '../rule-test-support';

const root = writeFixture({ 'package.json': '{"name":"fixture","type":"module"}' });
const codex = createCodex({ root });
afterAll(() => removeFixture(root));

const fileRules: Record<string, { find: RuleCase[]; ignore: RuleCase[] }> = {
  'dead-unreachable-code': {
    find: [
      { name: 'after return', code: 'export function f() {\n  return 1;\n  /*@*/console.log("never");\n}' },
      { name: 'after throw', code: 'export function f() {\n  throw new Error("x");\n  /*@*/const y = 2;\n  console.log(y);\n}' },
      { name: 'after break in a switch case', code: 'export function f(x: number) {\n  switch (x) {\n    case 1:\n      break;\n      /*@*/x++;\n  }\n  return x;\n}' },
    ],
    ignore: [
      { name: 'hoisted function after return', code: 'export function f() {\n  return g();\n  function g() { return 1; }\n}' },
      { name: 'conditional return', code: 'export function f(x: boolean) {\n  if (x) return 1;\n  return 2;\n}' },
      { name: 'type after return', code: 'export function f() {\n  return 1;\n  type T = string;\n}' },
    ],
  },
  'dead-exported-any': {
    find: [
      { name: 'parameter of an exported function', code: 'export function parse(input: /*@*/any) { return String(input); }' },
      { name: 'return type of an exported arrow', code: 'export const load = (id: string): /*@*/any => ({ id });' },
      { name: 'property of an exported interface', code: 'export interface Options { extra: /*@*/any }' },
    ],
    ignore: [
      { name: 'unknown instead', code: 'export function parse(input: unknown) { return String(input); }' },
      { name: 'any inside the body', code: 'export function parse(input: string) { const x: any = input; return String(x); }' },
      { name: 'not exported', code: 'function parse(input: any) { return String(input); }\nexport const p = () => parse(1);' },
    ],
  },
  'dead-tool-undocumented': {
    find: [
      { name: 'MCP registerTool without description', code: 'declare const server: { registerTool(n: string, c: object, h: () => void): void };\n/*@*/server.registerTool("search", { inputSchema: {} }, () => {});' },
      { name: 'MCP tool with only a handler', code: 'declare const server: { tool(n: string, h: () => void): void };\n/*@*/server.tool("ping", () => {});' },
      { name: 'OpenAI function without parameters', code: 'export const tools = [/*@*/{ type: "function", function: { name: "lookup", description: "Looks up a user" } }];' },
    ],
    ignore: [
      { name: 'complete registerTool', code: 'declare const server: { registerTool(n: string, c: object, h: () => void): void };\nserver.registerTool("search", { description: "Searches documents", inputSchema: {} }, () => {});' },
      { name: 'complete AI SDK tool', code: 'declare function tool(c: object): object;\nexport const weather = tool({ description: "Weather for a city", inputSchema: {}, execute: async () => 1 });' },
      { name: 'router get is no tool', code: 'declare const router: { get(p: string, h: () => void): void };\nrouter.get("/tool", () => {});' },
    ],
  },
};

describe.each(Object.entries(fileRules))('%s', (ruleId, { find, ignore }) => {
  it.each(find)('finds: $name', async ({ code }) => {
    const outcome = await runCase(codex, ruleId, 'dead-zone', code);
    expect(starts(outcome.found)).toEqual(outcome.expected);
  });
  it.each(ignore)('ignores look-alike: $name', async ({ code }) => {
    const outcome = await runCase(codex, ruleId, 'dead-zone', code);
    expect(outcome.found.map((finding) => finding.message)).toEqual([]);
  });
});

const manifest = '{"name":"fixture","type":"module","main":"src/index.ts"}';
const projectRules: Record<string, { find: ProjectCase[]; ignore: ProjectCase[] }> = {
  'dead-unused-export': {
    find: [
      { name: 'one of two named exports', files: { 'package.json': manifest, 'src/index.ts': 'import { a } from "./lib";\nconsole.log(a);', 'src/lib.ts': 'export const a = 1;\nexport const /*@*/b = 2;' } },
      { name: 'an exported function never imported', files: { 'package.json': manifest, 'src/index.ts': 'import "./side";', 'src/side.ts': 'export function /*@*/helper() { return 1; }\nconsole.log("loaded");' } },
      { name: 'a name re-exported by a non-entry barrel but never used', files: { 'package.json': manifest, 'src/index.ts': 'import { a } from "./barrel.js";\nconsole.log(a);', 'src/barrel.ts': 'export * from "./lib.js";', 'src/lib.ts': 'export const a = 1;\nexport interface /*@*/Unused { x: number }' } },
    ],
    ignore: [
      { name: 'the entry point exports', files: { 'package.json': manifest, 'src/index.ts': 'export const api = 1;' } },
      { name: 'used through the public barrel', files: { 'package.json': manifest, 'src/index.ts': 'export * from "./lib.js";', 'src/lib.ts': 'export const a = 1;\nexport const b = 2;' } },
      { name: 'namespace import', files: { 'package.json': manifest, 'src/index.ts': 'import * as lib from "./lib";\nconsole.log(lib);', 'src/lib.ts': 'export const a = 1;\nexport const b = 2;' } },
    ],
  },
  'dead-unused-file': {
    find: [
      { name: 'an orphan module', files: { 'package.json': manifest, 'src/index.ts': 'export {};', 'src/orphan.ts': '/*@*/export const x = 1;' } },
      { name: 'an orphan JavaScript file', files: { 'package.json': manifest, 'src/index.ts': 'export {};', 'src/legacy.js': '/*@*/module.exports = 1;' } },
      { name: 'a file outside the prefix of a computed import', files: { 'package.json': manifest, 'src/index.ts': 'export const locale = (lang: string) => import(`./locales/${lang}.js`);', 'src/locales/en.ts': 'export default {};', 'src/old.ts': '/*@*/export const x = 1;' } },
      { name: 'two files importing only each other', files: { 'package.json': manifest, 'src/index.ts': 'export {};', 'src/a.ts': 'import { b } from "./b";\nexport const a = b;', 'src/b.ts': 'export const b = 1;', 'src/c.ts': '/*@*/import { a } from "./a";\nconsole.log(a);' } },
    ],
    ignore: [
      { name: 'a benchmark', files: { 'package.json': manifest, 'src/index.ts': 'export {};', 'src/benchmarks/index.ts': 'console.log(1);' } },
      { name: 'a test file', files: { 'package.json': manifest, 'src/index.ts': 'export {};', 'src/index.test.ts': 'console.log(1);' } },
      { name: 'a file loaded with dynamic import', files: { 'package.json': manifest, 'src/index.ts': 'export const load = () => import("./lazy.js");', 'src/lazy.ts': 'export const x = 1;' } },
      // Found in Node-RED: context stores are loaded with require("./" + module).
      { name: 'a file under the prefix of a computed require', files: { 'package.json': manifest, 'src/index.ts': 'declare const require: (id: string) => unknown;\nexport const store = (name: string) => require("./stores/" + name);', 'src/stores/disk.ts': 'export const kind = "disk";' } },
      // Found in Node-RED: git runs authWriter.js as its askpass program.
      { name: 'a script run by its path', files: { 'package.json': manifest, 'src/index.ts': 'import { join } from "node:path";\nexport const askpass = join(import.meta.dirname, "askpass.js");', 'src/askpass.ts': 'process.stdout.write("secret");' } },
      { name: 'a worker started from its URL', files: { 'package.json': manifest, 'src/index.ts': 'export const start = () => new Worker(new URL("./workers/pool.js", import.meta.url));', 'src/workers/pool.ts': 'self.onmessage = () => undefined;' } },
      { name: 'files a host loads, named in a field of package.json', files: { 'package.json': '{"name":"nodes","node-red":{"nodes":{"inject":"core/inject.js"}},"scripts":{"prepare":"node tools/prepare.mjs --fast"}}', 'core/inject.js': 'module.exports = function (RED) { return RED; };', 'tools/prepare.mjs': 'console.log(1);' } },
      { name: 'a bin script named in package.json', files: { 'package.json': '{"name":"fixture","bin":{"tool":"./cli/tool.js"}}', 'cli/tool.js': 'console.log(1);' } },
    ],
  },
};

describe.each(Object.entries(projectRules))('%s', (ruleId, { find, ignore }) => {
  it.each(find)('finds: $name', async ({ files }) => {
    const outcome = await runProjectCase((dir) => createCodex({ root: dir }), ruleId, 'dead-zone', files);
    expect(outcome.found).toEqual(outcome.expected);
  });
  it.each(ignore)('ignores look-alike: $name', async ({ files }) => {
    const outcome = await runProjectCase((dir) => createCodex({ root: dir }), ruleId, 'dead-zone', files);
    expect(outcome.found).toEqual([]);
  });
});
