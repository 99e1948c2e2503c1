import * as vscode from 'vscode';
// plugin-codex-disable-next-line dep-dev-at-runtime -- bundled into dist/extension.cjs: the package installs nothing for the extension
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { CodexInitializationOptions } from '../protocol/lsp-methods';

const LANGUAGES = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact'];

/**
 * The language client of the codex server: the bundled `dist/lsp-server.cjs` started by VS Code's
 * own Node (the extension host's `process.execPath`) over node IPC.
 */
export function createCodexClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, initializationOptions: CodexInitializationOptions): LanguageClient {
  const module = context.asAbsolutePath('dist/lsp-server.cjs');
  const server: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const client: LanguageClientOptions = {
    documentSelector: LANGUAGES.map((language) => ({ scheme: 'file', language })),
    outputChannel: output,
    initializationOptions,
    synchronize: {
      // The server re-reads its configuration when one of these changes.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{package.json,tsconfig*.json,eslint.config.*,.plugin-codex.json}'),
    },
  };
  return new LanguageClient('pluginCodex', 'Plugin Codex', server, client);
}
