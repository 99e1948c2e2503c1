import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** `plugin-codex lsp --stdio`: runs the codex language server for any LSP client. */
export function registerLspCommand(program: Command): void {
  program
    .command('lsp')
    .description('run the codex language server (LSP) over stdio or node IPC')
    .option('--stdio', 'talk LSP over stdin/stdout (default for editors)')
    .option('--node-ipc', 'talk LSP over the node IPC channel')
    .action(async (flags: { stdio?: boolean; nodeIpc?: boolean }) => {
      // The connection picks its transport from process.argv; default to stdio when none was named.
      if (!flags.stdio && !flags.nodeIpc) process.argv.push('--stdio');
      // Beside the CLI bundle sits the server bundle, which can start its deep layers in a worker
      // thread; from the sources, the server runs every layer in this thread.
      const bundle = fileURLToPath(new URL('./lsp-server.cjs', import.meta.url));
      if (existsSync(bundle)) createRequire(import.meta.url)(bundle);
      else await import('../../server/lsp/main');
    });
}
