import { afterAll, describe, expect, it } from 'vitest';
import { createCodex } from '../codex';
import { removeFixture, runCase, starts, writeFixture, type RuleCase } from '../rule-test-support';

const root = writeFixture({ 'package.json': '{"name":"fixture","type":"module"}' });
const codex = createCodex({ root });
afterAll(() => removeFixture(root));

/** For each rule: cases that must be found (markers) and look-alikes that must not (no markers). */
const table: Record<string, { find: RuleCase[]; ignore: RuleCase[] }> = {
  'security-dynamic-code': {
    find: [
      { name: 'eval of a parameter', code: 'export function run(code: string) { return /*@*/eval(code); }' },
      { name: 'new Function with a built body', code: 'export const make = (body: string) => /*@*/new Function("a", body);' },
      { name: 'vm with input', code: 'import vm from "node:vm";\nexport function run(src: string) { return /*@*/vm.runInNewContext(src, {}); }' },
    ],
    ignore: [
      { name: 'eval of a literal', code: 'export const two = eval("1 + 1");' },
      { name: 'Function from literals', code: 'const body = "return a";\nexport const id = new Function("a", body);' },
      { name: 'a method named evaluate', code: 'const math = { evaluate: (x: string) => x };\nexport const r = (x: string) => math.evaluate(x);' },
    ],
  },
  'security-shell-injection': {
    find: [
      { name: 'template into exec', code: 'import { exec } from "node:child_process";\nexport function ls(dir: string) { exec(/*@*/`ls ${dir}`); }' },
      { name: 'concatenation into execSync', code: 'import cp from "child_process";\nexport function rm(p: string) { cp.execSync(/*@*/"rm -rf " + p); }' },
      { name: 'through a variable', code: 'import { execSync } from "child_process";\nexport function grep(q: string) { const cmd = `grep ${q} log.txt`; return execSync(/*@*/cmd); }' },
    ],
    ignore: [
      { name: 'execFile with arguments', code: 'import { execFile } from "node:child_process";\nexport function ls(dir: string) { execFile("ls", [dir]); }' },
      { name: 'a literal command', code: 'import { exec } from "node:child_process";\nexport function ls() { exec("ls -la"); }' },
      { name: 'RegExp exec with a template', code: 'const re = /a/;\nexport const m = (x: string) => re.exec(`${x}`);' },
    ],
  },
  'security-sql-injection': {
    find: [
      { name: 'template into query', code: 'declare const db: { query(sql: string): Promise<unknown> };\nexport const byId = (id: string) => db.query(/*@*/`SELECT * FROM users WHERE id = ${id}`);' },
      { name: 'concatenation into execute', code: 'declare const conn: { execute(sql: string): void };\nexport function del(name: string) { conn.execute(/*@*/"DELETE FROM items WHERE name = \'" + name + "\'"); }' },
      { name: 'built in a variable', code: 'declare const pool: { query(sql: string): void };\nexport function find(t: string) { let sql = "SELECT id FROM users WHERE 1=1"; sql += " AND team = " + t; pool.query(/*@*/sql); }' },
      // Look-alikes of the query builders below that do carry input.
      { name: 'a condition array that takes raw input', code: 'declare const db: { query(sql: string): void };\nexport function list(filter: { name?: string }) {\n  const where = ["1=1"];\n  if (filter.name) where.push(`name = \'${filter.name}\'`);\n  db.query(/*@*/`SELECT * FROM items WHERE ${where.join(" AND ")}`);\n}' },
      { name: 'a helper that returns its input unquoted', code: 'declare const db: { query(sql: string): void };\nconst column = (name: string) => `t.${name}`;\nexport const sorted = (by: string) => db.query(/*@*/`SELECT * FROM t ORDER BY ${column(by)}`);' },
      { name: 'a table of sort columns that the code extends', code: 'declare const db: { query(sql: string): void };\nconst SORTS: Record<string, string> = { newest: "created_at" };\nexport function addSort(name: string, expr: string) { SORTS[name] = expr; }\nexport const list = (sort: string) => db.query(/*@*/`SELECT * FROM t ORDER BY ${SORTS[sort]}`);' },
    ],
    ignore: [
      { name: 'parameterised query', code: 'declare const db: { query(sql: string, values: unknown[]): void };\nexport const byId = (id: string) => db.query("SELECT * FROM users WHERE id = $1", [id]);' },
      { name: 'tagged sql template', code: 'declare function sql(s: TemplateStringsArray, ...v: unknown[]): string;\ndeclare const db: { query(q: string): void };\nexport const byId = (id: string) => db.query(sql`SELECT * FROM users WHERE id = ${id}`);' },
      { name: 'SQL-looking log line', code: 'export const log = (id: string) => console.log(`SELECT * FROM users WHERE id = ${id}`);' },
      // Found on this repository's registry: every interpolation is a placeholder, a quoted
      // identifier, a number, a choice between literals or a column from a table of constants.
      { name: 'a query builder of placeholders and sort keys from a switch', code: [
        'declare const db: { query(sql: string, values: unknown[]): void };',
        'function sortKey(sort: "new" | "top", ranked: boolean): { expr: string } {',
        '  switch (sort) {',
        '    case "top": return ranked ? { expr: "rank * score" } : { expr: "score" };',
        '    case "new": return { expr: "created_at" };',
        '  }',
        '}',
        'export function list(filter: { kind?: string; sort: "new" | "top"; q?: string }) {',
        '  const params: unknown[] = [];',
        '  const param = (value: unknown) => { params.push(value); return `$${params.length}`; };',
        '  const where = ["deleted IS NULL"];',
        '  let from = "items i";',
        '  if (filter.q !== undefined) { const q = param(filter.q); from += `, to_tsquery(${q}) tq`; }',
        '  if (filter.kind !== undefined) where.push(`i.kind = ${param(filter.kind)}`);',
        '  const key = sortKey(filter.sort, filter.q !== undefined);',
        '  db.query(`SELECT * FROM ${from} WHERE ${where.join(" AND ")} ORDER BY ${key.expr} DESC LIMIT ${param(50)}`, params);',
        '}',
      ].join('\n') },
      { name: 'quoted identifiers, numbers and a choice between literals', code: [
        'declare const db: { query(sql: string): void };',
        'const quote = (name: string) => `"${name.replace(/"/g, \'""\')}"`;',
        'export function copy(schema: string, table: string, columns: string[], identity: boolean, limit: number, done: boolean) {',
        '  const list = columns.map((column) => quote(column)).join(", ");',
        '  const overriding = identity ? " OVERRIDING SYSTEM VALUE" : "";',
        '  const column = done ? "resolved_by" : "acknowledged_by";',
        '  db.query(`INSERT INTO ${quote(schema)}.${quote(table)} (${list})${overriding} SELECT ${list} FROM old LIMIT ${limit}`);',
        '  db.query(`UPDATE alerts SET ${column} = now() WHERE id = 1`);',
        '}',
      ].join('\n') },
      { name: 'constant columns sorted with a comparator', code: 'declare const db: { query(sql: string): void };\nconst COLUMNS = ["name", "id", "created_at"];\nexport const list = () => db.query(`SELECT ${COLUMNS.slice().sort((a, b) => a.localeCompare(b)).join(", ")} FROM items`);' },
      { name: 'columns from a table of constants', code: [
        'declare const db: { query(sql: string): void };',
        'const VOLATILE: Record<string, readonly string[]> = { tokens: ["last_used_at"], events: ["created_at", "seen_at"] };',
        'export function digest(table: string, pk: string[]) {',
        '  const volatile = (VOLATILE[table] ?? []).map((column) => ` - \'${column}\'`).join("");',
        '  const order = pk.length > 0 ? pk.map(quoteIdent).join(", ") : "1";',
        '  return db.query(`SELECT to_jsonb(t)${volatile} AS row FROM items t ORDER BY ${order}`);',
        '}',
        'function quoteIdent(name: string) { return `"${name}"`; }',
      ].join('\n') },
    ],
  },
  'security-hardcoded-secret': {
    find: [
      // plugin-codex-disable-next-line security-hardcoded-secret -- a made-up key in the key format, the rule's own sample
      { name: 'AWS access key id', code: 'export const id = /*@*/"AKIAIOSFODNN7EXAMPLQ";' },
      { name: 'high-entropy API key', code: 'export const config = { apiKey: /*@*/"q8Zr2xLk9TfW4mVb7NcY1pHs" };' },
      // plugin-codex-disable-next-line security-hardcoded-secret -- the header of a key, no key
      { name: 'private key', code: 'export const pem = /*@*/`-----BEGIN RSA PRIVATE KEY-----\nMIIEow`;' },
      { name: 'a literal JWT signing key', code: 'declare const jwt: { sign(payload: object, key: string): string };\nexport const issue = (id: string) => jwt.sign({ id }, /*@*/"q8Zr2xLk9TfW4mVb7NcY1pHs");' },
      { name: 'password inside a connection URL', code: 'export const databaseSecret = /*@*/"postgres://app:Zr8xLk2TfW9mVb@db.internal:5432/app";' },
      { name: 'a passphrase of lowercase words', code: 'export const adminPassword = /*@*/"correct-horse-battery-staple-orbit";' },
      { name: 'a secret whose name ends in a secret word', code: 'export const patternSecret = /*@*/"q8Zr2xLk9TfW4mVb7NcY1pHs";' },
      { name: 'a token in a file named like a benchmark folder', folder: 'src/benchmarks-ui', code: 'export const sessionToken = /*@*/"q8Zr2xLk9TfW4mVb7NcY1pHs";' },
    ],
    ignore: [
      { name: 'secret from the environment', code: 'export const password = process.env.DB_PASSWORD ?? "";' },
      { name: 'low-entropy token type', code: 'export const tokenType = "Bearer";' },
      { name: 'sample JWT in a test file', extension: '.test.ts', code: 'export const sample = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";' },
      { name: 'high entropy, harmless name', code: 'export const checksum = "q8Zr2xLk9TfW4mVb7NcY1pHs";' },
      // Found in pm2's pm2-plus auth strategies: a module path and an OAuth address under auth-like names.
      { name: 'module path required under an auth-like name', code: 'declare function require(id: string): unknown;\nexport const AuthStrategy = require("@pm2/js-api/src/auth_strategies/strategy");' },
      // Found in parse-server's middlewares: the header a token is read from, not a token.
      { name: 'header name read into a token', code: 'export const info = (req: { get(name: string): string | undefined }) => ({ sessionToken: req.get("X-Parse-Session-Token"), restAPIKey: req.get("X-Parse-REST-API-Key") });' },
      // Found in Ghost: the settings key a signing key is stored under, a placeholder constant, feature names.
      { name: 'names of settings, placeholders and features', code: 'export class MailEvents { static CONFIG_KEY_PAYLOAD_SIGNING_KEY = "hostSettings:mailEventsPayloadSigningKey"; }\nexport let webhookSecret = process.env.SECRET;\nif (!webhookSecret) webhookSecret = "DEFAULT_WEBHOOK_SECRET";\nexport const PRIVATE_FEATURES = ["contentVisibilityAlpha", "stripeAutomaticTax"];' },
      // Found on this repository's federation API: the pattern a token's variable name must match.
      { name: 'a regular expression source under a token-like name', code: 'export const TOKEN_ENV_PATTERN = "^CODEX_(UPSTREAM|PEER)_TOKEN_[A-Z0-9_]{1,64}$";' },
      { name: 'the name a secret is stored under', code: 'export const stripeSecretName = "prod/payments/stripe-7Hq2Lx9Kz";' },
      { name: 'a signing secret in a benchmark', folder: 'bench', code: 'export const JWT_SECRET = "bench-secret-that-is-long-enough-for-hs256-0123456789";' },
      { name: 'address under an auth-like name', code: 'export const URL_AUTH = "/api/oauth/authorize?response_type=token&scope=all&client_id=" + "pm2";' },
    ],
  },
  'security-tls-disabled': {
    find: [
      { name: 'rejectUnauthorized false', code: 'export const agent = { /*@*/rejectUnauthorized: false };' },
      { name: 'environment variable', code: '/*@*/process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";\nexport {};' },
      { name: 'strictSSL false', code: 'export const options = { url: "https://x", /*@*/strictSSL: false };' },
    ],
    ignore: [
      { name: 'rejectUnauthorized true', code: 'export const agent = { rejectUnauthorized: true };' },
      { name: 'computed value', code: 'export const agent = { rejectUnauthorized: process.env.INSECURE !== "1" };' },
      { name: 'environment variable set to 1', code: 'process.env.NODE_TLS_REJECT_UNAUTHORIZED = "1";\nexport {};' },
    ],
  },
  'security-insecure-random': {
    find: [
      { name: 'session token', code: 'export const sessionToken = /*@*/Math.random().toString(36).slice(2);' },
      { name: 'returned id', code: 'export function newId() { return /*@*/Math.random().toString(16); }' },
      { name: 'reset code property', code: 'export const user = { resetToken: Math.floor(/*@*/Math.random() * 1e6) };' },
      { name: 'API key', code: 'export const apiKey = /*@*/Math.random().toString(36).slice(2);' },
    ],
    ignore: [
      { name: 'jitter', code: 'export const delay = Math.random() * 100;' },
      { name: 'random index', code: 'export const pick = (xs: string[]) => { const idx = Math.floor(Math.random() * xs.length); return xs[idx]; };' },
      { name: 'crypto id', code: 'export const id = crypto.randomUUID();' },
      // Found in @tanstack/react-router: a key that tells history entries apart, not a secret.
      { name: 'lookup key of a history entry', code: 'export class Router { tempLocationKey: string | undefined = `${Math.round(Math.random() * 10000000)}`; }' },
      { name: 'cache key', code: 'export const cacheKey = `k${Math.random()}`;' },
    ],
  },
  'security-path-traversal': {
    find: [
      { name: 'request param into readFile', code: 'import fs from "node:fs";\nexport function h(req: { params: { name: string } }) { return fs.readFileSync(/*@*/"/data/" + req.params.name); }' },
      { name: 'destructured query through path.join', code: 'import { readFile } from "node:fs/promises";\nimport path from "node:path";\nexport async function h(req: { query: Record<string, string> }) { const { file } = req.query; return readFile(/*@*/path.join("/srv", file)); }' },
      { name: 'parameter fed with user input', code: 'import fs from "node:fs";\nfunction load(p: string) { return fs.createReadStream(/*@*/p); }\nexport const h = (req: { body: { path: string } }) => load(req.body.path);' },
      { name: 'a path field of the request body', code: 'import fs from "node:fs/promises";\nconst load = (file: { path: string }) => fs.readFile(/*@*/file.path);\nexport const h = (req: { body: { file: { path: string } } }) => load(req.body.file);' },
      { name: 'the client-side name of an uploaded file', code: 'import fs from "node:fs/promises";\nexport async function h(req: { file: { path: string; originalname: string } }) { await fs.writeFile(/*@*/"/srv/uploads/" + req.file.originalname, "x"); }' },
      { name: 'sendFile of a request path without a root', code: 'export function h(req: { params: string[] }, res: { sendFile(p: string, o?: object): void }) { res.sendFile(/*@*/req.params[0]!, { dotfiles: "deny" }); }' },
      { name: 'a check that does not stop the read', code: 'import { readFile } from "node:fs/promises";\nconst FILE_NAME = /^[a-z0-9-]+\\.js$/;\nexport async function serve(req: { params: { name: string } }) {\n  const name = req.params.name;\n  if (!FILE_NAME.test(name)) console.warn("odd name", name);\n  return readFile(/*@*/`/srv/static/${name}`);\n}' },
      { name: 'a check of another input', code: 'import { readFile } from "node:fs/promises";\nconst SAFE = /^[a-z]+$/;\nexport async function serve(req: { params: { name: string; kind: string } }) {\n  const { name, kind } = req.params;\n  if (!SAFE.test(kind)) return undefined;\n  return readFile(/*@*/`/srv/${name}`);\n}' },
    ],
    ignore: [
      { name: 'basename sanitises', code: 'import fs from "node:fs";\nimport path from "node:path";\nexport function h(req: { params: { name: string } }) { return fs.readFileSync(path.join("/data", path.basename(req.params.name))); }' },
      { name: 'configured path', code: 'import fs from "node:fs";\nconst config = { dataFile: "/etc/app.json" };\nexport const read = () => fs.readFileSync(config.dataFile);' },
      { name: 'parameter never fed with input', code: 'import fs from "node:fs";\nfunction load(p: string) { return fs.readFileSync(p); }\nexport const h = () => load("/srv/static/index.html");' },
      // Found on this repository's web console route: the name must match an allow-list pattern first.
      { name: 'a name checked against a pattern before the read', code: 'import { readFile } from "node:fs/promises";\nconst FILE_NAME = /^[a-z0-9-]+\\.(js|css)$/;\nexport async function serve(req: { params: { name: string } }) {\n  const name = req.params.name;\n  if (!FILE_NAME.test(name)) return undefined;\n  try { return await readFile(`/srv/static/${name}`); } catch { return undefined; }\n}' },
      { name: 'a resolved path checked to stay inside its folder', code: 'import { readFileSync } from "node:fs";\nimport { resolve } from "node:path";\nexport function load(req: { query: { file: string } }) {\n  const full = resolve("/srv/data", req.query.file);\n  if (!full.startsWith("/srv/data/")) throw new Error("outside the data folder");\n  return readFileSync(full);\n}' },
      { name: 'a read inside the branch of a check', code: 'import { readFileSync } from "node:fs";\nconst SAFE = /^[a-z]+\\.json$/;\nexport function load(req: { params: { name: string } }) {\n  const name = req.params.name;\n  if (SAFE.test(name)) return readFileSync("/srv/data/" + name);\n  return undefined;\n}' },
      // Found in knex's build script: a CLI reads the file its user names.
      // Found in Node-RED's debug view route: send resolves the path inside root and refuses `..`.
      { name: 'sendFile inside a root folder', code: 'declare const __dirname: string;\nexport function h(req: { params: string[] }, res: { sendFile(p: string, o?: object): void }) { const options = { root: __dirname + "/views", dotfiles: "deny" }; res.sendFile(req.params[0]!, options); }' },
      // Found in Ghost's upload middleware: multer stores the upload under a path the server chose.
      { name: 'the stored path of an uploaded file', code: 'import fs from "node:fs/promises";\nconst remove = (file: { path?: string }) => fs.unlink(file.path!);\nexport async function h(req: { file: { path: string; originalname: string } }) { await fs.readFile(req.file.path); await remove(req.file); }' },
      { name: 'command-line argument', code: 'import fs from "node:fs";\nconst artifact = process.argv[2]!;\nexport const size = fs.statSync(artifact).size;' },
    ],
  },
  'security-prototype-pollution': {
    find: [
      { name: 'Object.assign of the body', code: 'export function update(target: object, req: { body: unknown }) { return /*@*/Object.assign(target, req.body); }' },
      { name: 'merge of parsed JSON', code: 'declare function merge(a: object, b: unknown): object;\nexport function apply(settings: object, raw: string) { const patch = JSON.parse(raw); return /*@*/merge(settings, patch); }' },
      { name: 'unguarded recursive merge', code: 'export function deepMerge(target: any, source: any) {\n  /*@*/for (const key in source) {\n    if (typeof source[key] === "object") deepMerge(target[key] ??= {}, source[key]);\n    else target[key] = source[key];\n  }\n  return target;\n}' },
    ],
    ignore: [
      // Found in zod's deepPartialify: the keys go into a fresh local object.
      { name: 'recursive copy into a fresh object', code: 'export function partial(shape: Record<string, unknown>): Record<string, unknown> {\n  const next: Record<string, unknown> = {};\n  for (const key in shape) next[key] = partial(shape[key] as Record<string, unknown>);\n  return next;\n}' },
      { name: 'Object.assign of own data', code: 'export const defaults = Object.assign({}, { a: 1 }, { b: 2 });' },
      { name: 'spread of the body', code: 'export const copy = (req: { body: { name: string } }) => ({ name: req.body.name });' },
      { name: 'guarded recursive merge', code: 'export function deepMerge(target: any, source: any) {\n  for (const key in source) {\n    if (key === "__proto__" || key === "constructor") continue;\n    if (typeof source[key] === "object") deepMerge(target[key] ??= {}, source[key]);\n    else target[key] = source[key];\n  }\n  return target;\n}' },
    ],
  },
  'security-redos': {
    find: [
      { name: 'nested plus', code: 'export const re = /*@*//^(a+)+$/;' },
      { name: 'words and spaces repeated', code: 'export const re = /*@*//^(\\w+\\s?)*$/;' },
      { name: 'RegExp constructor with identical alternatives', code: 'export const re = /*@*/new RegExp("^(a|a)*$");' },
      { name: 'tokeniser that must reach the end', code: 'export const tokens = /*@*//^(?:[^ "]+|"[^"]*")+$/;' },
      { name: 'a class separator the repetition can match', code: 'export const re = /*@*//^\\w+(?:[-_]\\w+)*$/;' },
      { name: 'a separator inside the group with repetition on both sides', code: 'export const pairs = /*@*//^(\\w+:\\w+,?)+$/;' },
    ],
    ignore: [
      { name: 'repeated group without inner repetition', code: 'export const re = /^(ab)+$/;' },
      { name: 'bounded repetition', code: 'export const ip = /^(?:\\d{1,3}\\.){3}\\d{1,3}$/;' },
      { name: 'quantifier characters in a class', code: 'export const re = /^[a+]+$/;' },
      // Found in zod's email and domain regexes: a separator the inner repetition cannot match splits the iterations.
      // Found in pm2's Configuration: nothing follows the repeated group, so nothing can make it try another split.
      // Found in a Ghost migration: each iteration holds one ':' after the fixed text `product`.
      { name: 'a separator inside the group after fixed text', code: 'export const tiers = /^(product:[\\w-]+,?)+$/;' },
      { name: 'repeated group that ends the pattern', code: 'export const tokens = (serial: string) => serial.match(/(?:[^ "]+|"[^"]*")+/g);' },
      // The word regex of samples/text-stats, anchored: a punctuation class starts each repetition, and with `u` no letter class matches it.
      { name: 'class separator under the u flag', code: 'export const word = /^[\\p{L}\\p{N}]+(?:[\'’-][\\p{L}\\p{N}]+)*$/u;\nexport const list = new RegExp("^\\\\d+(?:[,;]\\\\d+)*$");' },
      { name: 'separator-delimited repetition', code: 'export const domain = /^([a-z0-9][a-z0-9-]*\\.)+[a-z]{2,}$/i;\nexport const query = /^(&\\w+=\\w+)*$/;' },
    ],
  },
};

describe.each(Object.entries(table))('%s', (ruleId, { find, ignore }) => {
  it.each(find)('finds: $name', async ({ code, extension, folder }) => {
    const outcome = await runCase(codex, ruleId, 'security', code, extension, folder);
    expect(starts(outcome.found)).toEqual(outcome.expected);
  });
  it.each(ignore)('ignores look-alike: $name', async ({ code, extension, folder }) => {
    const outcome = await runCase(codex, ruleId, 'security', code, extension, folder);
    expect(outcome.found.map((finding) => finding.message)).toEqual([]);
  });
});
