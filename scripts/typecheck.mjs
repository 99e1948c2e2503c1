// Type-checks every folder with its own tsconfig (each folder has its own lib set: DOM only in webview/).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const folders = ['protocol', 'codex-core', 'server', 'cli', 'extension', 'webview', 'test', 'bench'];
let failed = false;
for (const folder of folders) {
  if (!existsSync(`${folder}/tsconfig.json`)) continue;
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', `${folder}/tsconfig.json`], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`typecheck failed in ${folder}/`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
