// `npm test`: builds the bundles (the CLI tests run them), type-checks, lints, then runs every test
// with vitest. The database suites run against PGlite always and against PostgreSQL too when
// TEST_DATABASE_URL is set (.ci/run sets it).
import { spawnSync } from 'node:child_process';

function run(label, command, args) {
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  console.log(`[test] ${label}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const node = process.execPath;
run('build', node, ['scripts/build.mjs']);
run('typecheck', node, ['scripts/typecheck.mjs']);
run('lint', node, ['node_modules/eslint/bin/eslint.js', '.']);
run('vitest', node, ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)]);
