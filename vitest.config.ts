import { defineConfig } from 'vitest/config';

// One runner for every test: unit tests next to the code, cross-process tests in test/.
export default defineConfig({
  test: {
    include: ['{protocol,codex-core,server,cli,extension,webview,test,samples,bench}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // A test file that leaves a server or worker running must not keep the run alive.
    teardownTimeout: 10_000,
  },
});
