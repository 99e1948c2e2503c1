// `npm run docs`: regenerates the docs in place; `--check` only reports stale files (exit 1).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createManagedDatabase } from '../../server/registry/db/managed-database';
import { generateDocs } from './generate';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const check = process.argv.includes('--check');
const quiet = { info: () => undefined, warn: () => undefined, error: (details: object, message: string) => console.error(`docs: ${message}`, details) };

// An in-memory PGlite: the registry bootstraps (migrates) it exactly as it does a new deployment.
const database = await createManagedDatabase({ log: quiet });
await database.start();
let stale = 0;
try {
  const files = await generateDocs({ root, database });
  for (const [path, content] of files) {
    const file = join(root, path);
    let current: string | undefined;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === content) continue;
    stale++;
    if (check) console.error(`docs: ${path} is stale; run npm run docs`);
    else {
      writeFileSync(file, content);
      console.log(`docs: wrote ${path}`);
    }
  }
} finally {
  // Normally closed with the app already; closing again covers a failure before the app was built.
  await database.close().catch(() => undefined);
}
if (check && stale > 0) process.exit(1);
console.log(stale === 0 ? 'docs: up to date' : `docs: ${stale} file(s) ${check ? 'stale' : 'regenerated'}`);
