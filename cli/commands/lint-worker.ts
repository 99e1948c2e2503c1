// The lint worker of `plugin-codex check`: bundled to dist/lint-worker.js beside dist/cli.js, started
// by codex-core's project analysis so ESLint runs on the second core while the type checker runs here.
import { parentPort } from 'node:worker_threads';
import { runLintWorker } from '../../codex-core/lint-worker';

if (parentPort) runLintWorker(parentPort);
