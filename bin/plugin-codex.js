#!/usr/bin/env node
// The published CLI entry: everything lives in the bundle built by `npm install` (the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(bundle)) {
  console.error('plugin-codex: dist/cli.js is missing; run `npm install` (or `npm run build`) first.');
  process.exit(2);
}
await import(bundle);
