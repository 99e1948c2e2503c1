import * as vscode from 'vscode';
import type { StatusParams } from '../protocol/lsp-methods';

/** The status bar item: the server's state and the number of findings; a click opens the debug dashboard. */
export function createStatusBar(command: string): { item: vscode.StatusBarItem; update(status: StatusParams): void } {
  const item = vscode.window.createStatusBarItem('pluginCodex.status', vscode.StatusBarAlignment.Left, 10);
  item.name = 'Plugin Codex';
  item.command = command;
  const update = (status: StatusParams): void => {
    const icon = status.state === 'analyzing' || status.state === 'starting' ? '$(sync~spin)' : status.state === 'error' ? '$(error)' : '$(shield)';
    item.text = `${icon} Codex: ${status.state === 'error' ? 'error' : `${status.findings} finding${status.findings === 1 ? '' : 's'}`}`;
    item.tooltip = status.message ?? `Plugin Codex is ${status.state}. Click to open the debug dashboard.`;
    item.backgroundColor = status.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  };
  update({ state: 'starting', findings: 0 });
  item.show();
  return { item, update };
}
