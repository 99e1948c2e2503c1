import { afterAll, describe, expect, it } from 'vitest';
import { createCodex } from '../codex';
import { removeFixture, runCase, starts, writeFixture, type RuleCase } from '../rule-test-support';

const root = writeFixture({ 'package.json': '{"name":"fixture","type":"module"}' });
const codex = createCodex({ root });
afterAll(() => removeFixture(root));

const table: Record<string, { find: RuleCase[]; ignore: RuleCase[] }> = {
  'perf-await-in-loop': {
    find: [
      { name: 'for-of fetching each item', code: 'declare function load(id: string): Promise<number>;\nexport async function all(ids: string[]) { const out: number[] = []; for (const id of ids) out.push(/*@*/await load(id)); return out; }' },
      { name: 'classic for loop', code: 'declare function save(x: number): Promise<void>;\nexport async function run(xs: number[]) { for (let i = 0; i < xs.length; i++) { /*@*/await save(xs[i]!); } }' },
      { name: 'for-in over keys', code: 'declare function put(k: string): Promise<void>;\nexport async function run(o: Record<string, number>) { for (const k in o) { /*@*/await put(k); } }' },
      // Found in Ghost's media inliner: three dependent awaits per item are one slow loop, said once.
      { name: 'one finding per loop', code: 'declare function fetchMedia(src: string): Promise<Uint8Array>;\ndeclare function store(data: Uint8Array): Promise<string>;\nexport async function inline(sources: string[]) { const paths: string[] = []; for (const src of sources) { const data = /*@*/await fetchMedia(src); paths.push(await store(data)); } return paths; }' },
      { name: 'a folder whose name only starts like a test folder', folder: 'src/testimonials', code: 'declare function load(id: string): Promise<string>;\nexport async function all(ids: string[]) { const out: string[] = []; for (const id of ids) out.push(/*@*/await load(id)); return out; }' },
      // Found in knex's oracledb dialect: the offset beside the await is bookkeeping, not a result carried on.
      { name: 'a counter the awaited call reads, kept apart from the results', code: 'declare function bind(at: number): Promise<void>;\nexport async function all(lines: number[][]) { let offset = 0; for (const line of lines) { offset = offset + line.length; /*@*/await bind(offset); } }' },
      { name: 'collections the loop fills but the call does not read', code: 'declare function load(id: string, options: { retries: number }): Promise<string>;\nexport async function all(ids: string[], cache: Map<string, string>) { const seen = new Set<string>(); const options = { retries: 2 }; for (const id of ids) { seen.add(id); cache.set(id, /*@*/await load(id, options)); } return seen; }' },
      { name: 'index read at the current element only', code: 'declare function save(x: number): Promise<void>;\nexport async function run(xs: number[]) { for (const [i] of xs.entries()) { /*@*/await save(xs[i]!); } }' },
    ],
    ignore: [
      { name: 'for await', code: 'export async function run(xs: AsyncIterable<number>) { for await (const x of xs) { await Promise.resolve(x); } }' },
      { name: 'pagination carries a cursor', code: 'declare function page(c?: string): Promise<{ next?: string }>;\nexport async function run(n: number[]) { let cursor: string | undefined; for (const _ of n) { cursor = (await page(cursor)).next; } return cursor; }' },
      // Found on this repository's fix verification: a fix is kept only if it passes with those kept so far.
      { name: 'a result checked in a variable before it is kept', code: 'declare function passes(fixes: string[]): Promise<boolean>;\nexport async function keep(candidates: string[]) { const accepted: string[] = []; for (const fix of candidates) { const ok = await passes([...accepted, fix]); if (ok) accepted.push(fix); } return accepted; }' },
      { name: 'each attempt builds on what earlier ones kept', code: 'declare function passes(fixes: string[]): Promise<boolean>;\nexport async function keep(candidates: string[]) { const accepted: string[] = []; for (const fix of candidates) { if (await passes([...accepted, fix])) accepted.push(fix); } return accepted; }' },
      { name: 'a timing loop in a benchmark', folder: 'bench', code: 'declare function invoke(n: number): Promise<number>;\nexport async function time() { const samples: number[] = []; for (let i = 0; i < 100; i++) samples.push(await invoke(i)); return samples; }' },
      { name: 'ordered steps in a test folder', folder: 'test/registry', code: 'declare function createToken(name: string): Promise<string>;\nexport async function tokens() { const ids: string[] = []; for (let index = 0; index < 5; index += 1) ids.push(await createToken(`t${index}`)); return ids; }' },
      { name: 'stops at the first match', code: 'declare function ok(x: number): Promise<boolean>;\nexport async function first(xs: number[]) { for (const x of xs) { if (await ok(x)) return x; } return undefined; }' },
      // Found in zod's ParseStatus.mergeObjectAsync: the promises were all started before the loop.
      { name: 'awaiting promises that already run', code: 'export async function settle(pairs: { key: Promise<string> }[]) { const keys: string[] = []; for (const pair of pairs) keys.push(await pair.key); return keys; }' },
      // Found in @tanstack/react-router's loadMatches: each route's beforeLoad runs after its parent's.
      { name: 'each item builds on the previous one', code: 'declare function getContext(id: string): object;\ndeclare function beforeLoad(parent: object): Promise<void>;\nexport async function load(matches: { id: string }[]) { for (const [index, match] of matches.entries()) { const parentId = matches[index - 1]?.id; await beforeLoad(parentId ? getContext(parentId) : {}); void match; } }' },
      // Found in Redux Toolkit's tests: rerender, then wait for the UI to settle, then assert.
      { name: 'waiting for a condition between test steps', code: 'declare function rerender(n: number): void;\ndeclare function waitFor(check: () => void): Promise<void>;\nexport async function steps() { for (let x = 1; x < 3; x++) { rerender(x); await waitFor(() => undefined); } }' },
      // Found in Node-RED's Flow.start: groups start in order so each finds its parent started.
      { name: 'a list named for its order', code: 'declare const groups: Record<string, { start(): Promise<void> }>;\nexport async function start(groupOrder: string[], migrations: { up(): Promise<void> }[]) { for (let i = 0; i < groupOrder.length; i++) await groups[groupOrder[i]!]!.start(); for (const migration of migrations) await migration.up(); }' },
      // Found in Ghost: the queries of one transaction run one after another on its connection anyway.
      { name: 'queries of one transaction', code: 'declare const knex: (table: string) => { transacting(trx: unknown): { update(row: object): Promise<void> } };\nexport async function save(rows: object[], trx: unknown) { for (const row of rows) await knex("posts").transacting(trx).update(row); }' },
      // Found in TypeORM: a query runner is one connection; its schema changes run one after another.
      { name: 'methods of a query runner', code: 'export class PostgresQueryRunner { async addColumn(table: string, column: string): Promise<void> { void table; void column; } async addColumns(table: string, columns: string[]) { for (const column of columns) await this.addColumn(table, column); } }\nexport async function clear(queryRunner: { clearDatabase(db: string): Promise<void> }, databases: string[]) { for (const database of databases) await queryRunner.clearDatabase(database); }' },
      // Found in Ghost: 998 ids at a time, one chunk after another, is a concurrency limit.
      { name: 'chunks, one after another', code: 'declare const db: { insert(rows: object[]): Promise<void> };\nexport async function insertAll(memberChunks: object[][], chunkedData: object[][]) { for (const chunk of memberChunks) await db.insert(chunk); for (const rows of chunkedData) await db.insert(rows); }' },
      { name: 'a database migration', folder: 'migrations', code: 'declare const schema: { dropTable(name: string): Promise<void> };\nexport async function up(names: string[]) { for (const name of names) await schema.dropTable(name); }' },
      { name: 'clicking through a list in a UI test', code: 'declare const user: { click(target: string): Promise<void> };\nexport async function clickAll(buttons: string[]) { for (const button of buttons) await user.click(button); }' },
    ],
  },
  'perf-sync-in-handler': {
    find: [
      { name: 'readFileSync in an express route', code: 'import fs from "node:fs";\ndeclare const app: { get(p: string, h: (req: unknown, res: { send(x: unknown): void }) => Promise<void>): void };\napp.get("/x", async (req, res) => { res.send(/*@*/fs.readFileSync("/etc/hosts")); });' },
      { name: 'gzipSync in a handler with request params', code: 'import { gzipSync } from "node:zlib";\nexport async function handler(request: { body: string }) { return /*@*/gzipSync(request.body); }' },
      { name: 'pbkdf2Sync in a fastify route', code: 'import crypto from "node:crypto";\ndeclare const app: { post(p: string, h: (req: { body: string }) => Promise<unknown>): void };\napp.post("/login", async (req) => /*@*/crypto.pbkdf2Sync(req.body, "salt", 1e5, 32, "sha256"));' },
    ],
    ignore: [
      { name: 'sync read at start-up', code: 'import fs from "node:fs";\nexport const config = fs.readFileSync("/etc/app.json", "utf8");' },
      { name: 'async CLI main', code: 'import fs from "node:fs";\nexport async function main(argv: string[]) { return fs.readFileSync(argv[0]!, "utf8"); }' },
      { name: 'a Sync method of something else', code: 'declare const store: { getSync(k: string): string };\nexport async function handler(req: { id: string }) { return store.getSync(req.id); }' },
    ],
  },
  'perf-query-in-loop': {
    find: [
      { name: 'a data query by template per item', code: 'declare const db: { query(s: string): Promise<unknown> };\nexport async function load(ids: string[]) { for (const id of ids) await /*@*/db.query(`SELECT * FROM users WHERE id = ${Number(id)}`); }' },
      { name: 'query per id in for-of', code: 'declare const db: { query(s: string, v: unknown[]): Promise<unknown> };\nexport async function load(ids: string[]) { for (const id of ids) { await /*@*/db.query("SELECT * FROM t WHERE id = $1", [id]); } }' },
      { name: 'findUnique in map', code: 'declare const prisma: { user: { findUnique(a: object): Promise<unknown> } };\nexport const load = (ids: string[]) => Promise.all(ids.map((id) => /*@*/prisma.user.findUnique({ where: { id } })));' },
      { name: 'repository in forEach', code: 'declare const userRepository: { findOne(id: string): void };\nexport function load(ids: string[]) { ids.forEach((id) => /*@*/userRepository.findOne(id)); }' },
      { name: 'knex raw awaited per row', code: 'declare const knex: { raw(s: string, v?: unknown[]): Promise<unknown> };\nexport async function kill(rows: { id: number }[]) { for (const row of rows) await /*@*/knex.raw("KILL ?", [row.id]); }' },
      { name: 'knex raw returned to Promise.all', code: 'declare const client: { raw(s: string): Promise<unknown> };\nexport const kill = (rows: { id: number }[]) => Promise.all(rows.map((row) => /*@*/client.raw(`KILL ${row.id}`)));' },
      { name: 'Kysely chain executed per id', code: 'interface Q { where(a: string, b: string, c: unknown): Q; execute(): Promise<unknown[]> }\ndeclare const db: { selectFrom(t: string): Q };\nexport async function load(ids: string[]) { for (const id of ids) await /*@*/db.selectFrom("users").where("id", "=", id).execute(); }' },
    ],
    ignore: [
      // Found in TypeORM's SQLite driver: one ATTACH per database file is the only way.
      { name: 'a schema command per item', code: 'declare const connection: { query(s: string): Promise<unknown> };\nexport async function attach(files: { path: string; handle: string }[]) { for (const file of files) await connection.query(`ATTACH "${file.path}" AS "${file.handle}"`); }' },
      { name: 'one query before the loop', code: 'declare const db: { query(s: string, v: unknown[]): Promise<unknown[]> };\nexport async function load(ids: string[]) { const rows = await db.query("SELECT * FROM t WHERE id = ANY($1)", [ids]); for (const row of rows) console.log(row); }' },
      { name: 'array find in a loop', code: 'export function pair(a: number[], b: number[]) { return a.map((x) => b.find((y) => y === x)); }' },
      // Found in knex's query compiler: raw fragments built in a loop are spliced into one query.
      { name: 'raw fragments kept for one query', code: 'declare const knex: { raw(s: string, v?: unknown[]): object };\nexport function columns(names: string[]) { const data: Record<string, object> = {}; for (const name of names) data[name] = knex.raw("?? + 1", [name]); return names.map((name) => knex.raw("?? as ??", [name, name])); }' },
      { name: 'URL query parameter', code: 'export function read(urls: URL[]) { for (const u of urls) console.log(u.searchParams.get("q")); }' },
    ],
  },
  'perf-invariant-in-loop': {
    find: [
      { name: 'parsing the same config', code: 'declare const raw: string;\nexport function run(xs: number[]) { for (const x of xs) { const c = /*@*/JSON.parse(raw); console.log(c, x); } }' },
      { name: 'building the same RegExp in filter', code: 'export const grep = (lines: string[], word: string) => lines.filter((l) => /*@*/new RegExp(word).test(l));' },
      { name: 'stringify compared in a nested callback', code: 'export function dedupe(parts: object[][]) { for (const list of parts) { for (const part of list) { if (!list.some((seen) => JSON.stringify(seen) === /*@*/JSON.stringify(part))) console.log(part); } } }' },
      { name: 'stringify in a while loop', code: 'declare const payload: object;\nexport function run(n: number) { let i = 0; while (i < n) { console.log(/*@*/JSON.stringify(payload)); i++; } }' },
    ],
    ignore: [
      { name: 'parsing each line', code: 'export const parse = (lines: string[]) => { const out: unknown[] = []; for (const line of lines) out.push(JSON.parse(line)); return out; };' },
      { name: 'RegExp built from the item', code: 'export const res = (words: string[]) => words.map((w) => new RegExp(`^${w}$`));' },
      // Found in Node-RED's credentials: `var cred; for (cred in creds)` assigns cred on every iteration.
      { name: 'stringify of the element of a for-in over a variable declared before', code: 'export function changed(saved: Record<string, unknown>, fresh: Record<string, unknown>) { let key: string; let dirty = false; for (key in fresh) { if (JSON.stringify(saved[key]) !== JSON.stringify(fresh[key])) dirty = true; } return dirty; }' },
      { name: 'parse before the loop', code: 'declare const raw: string;\nexport function run(xs: number[]) { const c = JSON.parse(raw); for (const x of xs) console.log(c, x); }' },
      // Found in zod's string checks: the RegExp is built on first use and cached.
      { name: 'lazily cached RegExp', code: 'declare const source: string;\nlet cached: RegExp | undefined;\nexport function run(xs: string[]) { for (const x of xs) { if (!cached) { cached = new RegExp(source, "u"); } cached.test(x); } }' },
    ],
  },
  'perf-quadratic-lookup': {
    find: [
      // Found in Ghost's mention reports: the callback's third parameter is the filtered array itself.
      { name: 'de-duplication through the array a callback is handed', code: 'export const unique = (mentions: { url: string }[]) => mentions.filter((mention, index, self) => /*@*/self.findIndex((m) => m.url === mention.url) === index);' },
      { name: 'includes inside filter', code: 'export const common = (a: string[], b: string[]) => a.filter((x) => /*@*/b.includes(x));' },
      { name: 'find inside for-of', code: 'interface U { id: string }\nexport function join(ids: string[], users: U[]) { const out: (U | undefined)[] = []; for (const id of ids) out.push(/*@*/users.find((u) => u.id === id)); return out; }' },
      { name: 'indexOf in a classic loop', code: 'export function dedupe(xs: number[]) { const seen: number[] = []; for (let i = 0; i < xs.length; i++) { if (/*@*/seen.indexOf(xs[i]!) < 0) seen.push(xs[i]!); } return seen; }' },
      { name: 'literal list in a let that is replaced', code: 'declare const env: string;\nexport function pick(xs: string[]) { let exts = [""]; if (env) exts = env.split(";"); return xs.filter((x) => /*@*/exts.includes(x)); }' },
      // Found in knex's query compiler: the list is rebuilt from itself, so it keeps growing.
      { name: 'a list the loop rebuilds from itself', code: 'export function columnsOf(rows: Record<string, unknown>[]) { let columns: string[] = []; for (const row of rows) { for (const key of Object.keys(row)) { if (/*@*/columns.indexOf(key) === -1) columns = columns.concat(key).sort(); } } return columns; }' },
      // Found in TypeORM's sqlite query runner: writing into the table's list is not moving on to another list.
      { name: 'a list the loop writes an element of', code: 'interface Col { name: string }\nexport function rename(changes: { from: string; to: Col }[], table: { columns: Col[] }) { for (const change of changes) { const old = /*@*/table.columns.find((column) => column.name === change.from); if (old) table.columns[/*@*/table.columns.indexOf(old)] = change.to; } }' },
      // Found in parse-server's aggregate: the columns are reset at times, and pushed to between resets.
      { name: 'a list the loop pushes to and sometimes resets', code: 'export function project(stages: { fields: string[]; reset: boolean }[]) { let columns: string[] = []; for (const stage of stages) { for (const field of stage.fields) if (!/*@*/columns.includes(field)) columns.push(field); if (stage.reset) columns = []; } return columns; }' },
      { name: 'a table of records the code adds to', code: 'const KNOWN: { id: string }[] = [{ id: "a" }, { id: "b" }];\nexport function learn(id: string) { KNOWN.push({ id }); }\nexport const known = (ids: string[]) => ids.filter((id) => /*@*/KNOWN.find((entry) => entry.id === id));' },
      { name: 'entry of a table whose filled lists grow', code: 'const seen: Record<string, string[]> = { a: ["y"], b: ["x"] };\nexport function mark(keys: string[], k: string) { for (const key of keys) { if (!/*@*/seen[k]!.includes(key)) seen[k]!.push(key); } }' },
      { name: 'entry of a table whose lists grow', code: 'const seen: Record<string, string[]> = { a: [], b: ["x"] };\nexport function mark(keys: string[], k: string) { for (const key of keys) { if (!/*@*/seen[k]!.includes(key)) seen[k]!.push(key); } }' },
    ],
    ignore: [
      // Found in TypeORM's query runners: each index's own column list, scanned once per index.
      { name: 'a list that belongs to the current element', code: 'export function rename(indices: { columnNames: string[] }[], from: string) { for (const index of indices) index.columnNames.splice(index.columnNames.indexOf(from), 1); indices.forEach((other) => other.columnNames.find((name) => name === from)); }' },
      { name: 'string includes in a loop', code: 'export const hits = (lines: string[], w: string) => lines.filter((l) => l.includes(w));' },
      { name: 'Set has in a loop', code: 'export const common = (a: string[], b: string[]) => { const s = new Set(b); return a.filter((x) => s.has(x)); };' },
      { name: 'literal list', code: 'const KINDS = ["a", "b", "c"];\nexport const known = (xs: string[]) => xs.filter((x) => KINDS.includes(x));' },
      // Found in nodemailer's mime-node: JavaScript keeps its constant lists in `let`s and `var`s.
      { name: 'literal list in a let', code: 'export function custom(keys: string[]) { let standard = ["to", "cc", "bcc", "from"]; return keys.filter((key) => !standard.includes(key)); }' },
      // Found in @trpc/server's resolveResponse: a constant table of short lists, picked by a flag.
      // Found on this repository's incremental checker: one node's children per step down the tree.
      { name: 'the children of the node a descent has reached', code: 'interface N { children: N[]; start: number; end: number }\nexport function at(root: N, offset: number) { let current: N | undefined = root; while (current && current.children.length > 0) { current = current.children.find((child) => child.start <= offset && offset < child.end); } return current; }' },
      // Found on this repository's secret rule: a fixed table of `{ name, pattern }` records.
      { name: 'a fixed table of records', code: 'const FORMATS = [{ name: "aws", pattern: /AKIA/ }, { name: "github", pattern: /ghp_/ }];\nexport const kinds = (texts: string[]) => texts.map((text) => FORMATS.find((format) => format.pattern.test(text))?.name);' },
      { name: 'entry of a constant lookup table', code: 'const PLAIN: Record<string, string[]> = { query: ["GET"], mutation: ["POST"] };\nconst OVERRIDE: Record<string, string[]> = { query: ["GET", "POST"], mutation: ["POST"] };\nexport function allowed(calls: { type: string; method: string }[], override: boolean) { const table = override ? OVERRIDE : PLAIN; return calls.filter((c) => table[c.type]!.includes(c.method)); }' },
    ],
  },
  'perf-unbounded-collection': {
    find: [
      { name: 'cache map only set', code: 'const /*@*/cache = new Map<string, number>();\nexport function get(k: string) { if (!cache.has(k)) cache.set(k, k.length); return cache.get(k); }' },
      { name: 'log array pushed per call', code: 'const /*@*/seen: string[] = [];\nexport function track(e: string) { seen.push(e); }' },
      { name: 'object index written per call', code: 'const /*@*/sessions: Record<string, number> = {};\nexport function open(id: string) { sessions[id] = Date.now(); }' },
      { name: 'keyed by a loop over request data', code: 'const /*@*/seen: Record<string, number> = {};\nexport function track(names: string[]) { for (const name of names) seen[name] = Date.now(); }' },
      { name: 'pushed by a route handler registered at the top level', code: 'declare const app: { get(p: string, h: (req: { url: string }) => void): void };\nconst /*@*/visits: string[] = [];\napp.get("/", (req) => { visits.push(req.url); });' },
    ],
    ignore: [
      { name: 'map with delete', code: 'const live = new Map<string, number>();\nexport function open(id: string) { live.set(id, 1); }\nexport function close(id: string) { live.delete(id); }' },
      { name: 'bounded by size', code: 'const cache = new Map<string, number>();\nexport function put(k: string) { if (cache.size > 100) cache.clear(); cache.set(k, 1); }' },
      { name: 'filled once at module level', code: 'const registry = new Map<string, number>();\nregistry.set("a", 1);\nexport const lookup = (k: string) => registry.get(k);' },
      // Found in nodemailer's well-known services: the table is filled by callbacks that run while the module loads.
      // Found in Node-RED's settings cache: the keys are a fixed list of sections.
      { name: 'keys from a literal list or written in the source', code: 'const SECTIONS = ["nodes", "users", "projects"];\nconst cache: Record<string, string> = {};\nexport function write(data: Record<string, unknown>) { SECTIONS.forEach((key) => { cache[key] = JSON.stringify(data[key]); }); for (const section of SECTIONS) cache[section] ??= ""; cache["runtime"] = JSON.stringify(data); }' },
      // Found in Node-RED's library: a registry grows with the plugins and types a program declares.
      { name: 'registry filled by register and init functions', code: 'const knownTypes: Record<string, string> = {};\nconst plugins: Record<string, object> = {};\nconst messages: string[] = [];\nexport function registerType(id: string, type: string) { knownTypes[type] = id; }\nexport function onPluginAdded(plugin: { id: string }) { plugins[plugin.id] = plugin; }\nexport const api = { init(warning: string) { messages.push(warning); }, lookup: (type: string) => knownTypes[type] ?? plugins[type] ?? messages[0] };\nconst iconPaths: Record<string, string[]> = {};\nexport function addModule(module: { name: string; icons: string[] }) { iconPaths[module.name] = module.icons; }\nexport const icons = (name: string) => iconPaths[name];' },
      { name: 'filled by callbacks while the module loads', code: 'const services: Record<string, { aliases?: string[] }> = { gmail: { aliases: ["google"] } };\nconst normalized: Record<string, string> = {};\nObject.keys(services).forEach((key) => { normalized[key] = key; (services[key]!.aliases ?? []).forEach((alias) => { normalized[alias] = key; }); });\n(() => { normalized.local = "local"; })();\nexport const find = (k: string) => normalized[k] || false;' },
    ],
  },
};

describe.each(Object.entries(table))('%s', (ruleId, { find, ignore }) => {
  it.each(find)('finds: $name', async ({ code, folder }) => {
    const outcome = await runCase(codex, ruleId, 'performance', code, '.ts', folder);
    expect(starts(outcome.found)).toEqual(outcome.expected);
  });
  it.each(ignore)('ignores look-alike: $name', async ({ code, folder }) => {
    const outcome = await runCase(codex, ruleId, 'performance', code, '.ts', folder);
    expect(outcome.found.map((finding) => finding.message)).toEqual([]);
  });
});
