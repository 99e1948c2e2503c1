// The extension's entry: create the output channel, the language client, the status bar, the
// commands, the registry connection and the panels; show any activation failure to the user.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { StatusNotification } from '../protocol/lsp-methods';
import { createCodexClient } from './codex-client';
import { CODEX_COMMANDS, registerCodexCommands } from './commands';
import { registerPanels } from './panels';
import { RegistryConnections } from './registry-connection';
import { LLM_KEY_SECRET, SECTION, serverOptions } from './settings';
import { createStatusBar } from './status-bar';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Plugin Codex', { log: true });
  context.subscriptions.push(output);
  try {
    const registry = new RegistryConnections(context, output);
    context.subscriptions.push(registry);
    const status = createStatusBar('pluginCodex.openDebugDashboard');
    context.subscriptions.push(status.item);

    const start = async (): Promise<void> => {
      const apiKey = await context.secrets.get(LLM_KEY_SECRET);
      const storage = context.storageUri?.fsPath ?? context.globalStorageUri.fsPath;
      client = createCodexClient(context, output, serverOptions(storage, apiKey));
      client.onNotification(StatusNotification.type, (params) => status.update(params));
      await client.start();
    };
    registerCodexCommands(context, { client: () => requireClient(), registry, output });
    registerPanels(context, { connection: () => registry.connection(), output });
    context.subscriptions.push(vscode.workspace.onDidChangeConfiguration(async (event) => {
      // Server settings are initialisation options: restart the server to apply them.
      if (!event.affectsConfiguration(SECTION) || event.affectsConfiguration(`${SECTION}.registry`)) return;
      await client?.stop();
      await start();
    }));
    await start();
    output.appendLine(`Plugin Codex activated (commands: ${Object.values(CODEX_COMMANDS).join(', ')})`);
  } catch (error) {
    output.appendLine(`Activation failed: ${(error as Error).stack ?? String(error)}`);
    void vscode.window.showErrorMessage(`Plugin Codex failed to start: ${(error as Error).message}`, 'Show output').then((choice) => choice && output.show());
  }
}

function requireClient(): LanguageClient {
  if (!client) throw new Error('the codex language server is not running');
  return client;
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
