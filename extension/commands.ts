import * as vscode from 'vscode';
// plugin-codex-disable-next-line dep-dev-at-runtime -- bundled into dist/extension.cjs: the package installs nothing for the extension
import { ExecuteCommandRequest, type LanguageClient } from 'vscode-languageclient/node';
import { LlmSettingsNotification, RevertLastFixRequest, ScanWorkspaceRequest, ServerCommands } from '../protocol/lsp-methods';
import type { RegistryConnections } from './registry-connection';
import { LLM_KEY_SECRET } from './settings';

/** The commands this module registers (package.json contributes them). */
export const CODEX_COMMANDS = {
  scanWorkspace: 'pluginCodex.scanWorkspace',
  fixAll: 'pluginCodex.fixAll',
  suggestFix: 'pluginCodex.suggestFix',
  revertLastFix: 'pluginCodex.revertLastFix',
  setLlmKey: 'pluginCodex.setLlmKey',
  signIn: 'pluginCodex.signIn',
  showOutput: 'pluginCodex.showOutput',
} as const;

/** What the commands act on. */
export interface CommandDeps {
  client: () => LanguageClient;
  registry: RegistryConnections;
  output: vscode.OutputChannel;
}

/** Registers the codex commands; each one is a thin call into the language server or the registry connection. */
export function registerCodexCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const register = (id: string, run: () => Thenable<unknown>): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, async () => {
      try {
        await run();
      } catch (error) {
        deps.output.appendLine(`[${id}] ${(error as Error).stack ?? String(error)}`);
        void vscode.window.showErrorMessage(`Plugin Codex: ${(error as Error).message}`);
      }
    }));
  };

  register(CODEX_COMMANDS.scanWorkspace, () => vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Codex: scanning the workspace', cancellable: true },
    async (_progress, token) => {
      const result = await deps.client().sendRequest(ScanWorkspaceRequest.type, {}, token);
      const summary = Object.entries(result.byCategory).map(([category, count]) => `${count} ${category}`).join(', ');
      void vscode.window.showInformationMessage(`Codex scanned ${result.files} files in ${(result.durationMs / 1000).toFixed(1)} s: ${result.findings} findings${summary ? ` (${summary})` : ''}${result.errors.length ? `; ${result.errors.length} files failed` : ''}.`);
    },
  ));

  register(CODEX_COMMANDS.fixAll, async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) throw new Error('open a TypeScript or JavaScript file first');
    await deps.client().sendRequest(ExecuteCommandRequest.type, { command: ServerCommands.fixAll, arguments: [editor.document.uri.toString()] });
  });

  // The AI fix is a lazily resolved code action of the finding under the cursor.
  register(CODEX_COMMANDS.suggestFix, () => vscode.commands.executeCommand('editor.action.quickFix'));

  register(CODEX_COMMANDS.revertLastFix, async () => {
    const result = await deps.client().sendRequest(RevertLastFixRequest.type);
    void (result.reverted ? vscode.window.showInformationMessage(result.message) : vscode.window.showWarningMessage(result.message));
  });

  register(CODEX_COMMANDS.setLlmKey, async () => {
    const key = await vscode.window.showInputBox({ prompt: 'API key of the OpenAI-compatible endpoint (stored in VS Code\'s secret storage; empty to remove)', password: true, ignoreFocusOut: true });
    if (key === undefined) return;
    if (key.trim()) await context.secrets.store(LLM_KEY_SECRET, key.trim());
    else await context.secrets.delete(LLM_KEY_SECRET);
    await deps.client().sendNotification(LlmSettingsNotification.type, { apiKey: key.trim() });
    void vscode.window.showInformationMessage(key.trim() ? 'Saved the LLM key.' : 'Removed the LLM key.');
  });

  register(CODEX_COMMANDS.signIn, () => deps.registry.signIn());
  register(CODEX_COMMANDS.showOutput, async () => deps.output.show());
}
