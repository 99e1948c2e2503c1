import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { HostToWebview, WebviewView } from '../../protocol/webview-messages';
import { InstalledPluginItem, InstalledPluginsProvider } from './installed-plugins-tree';
import { createPanelBridge, type PanelBridge } from './panel-bridge';
import { panelHtml } from './panel-html';
import type { RegistryConnection } from '../registry-connection';

export type { RegistryConnection } from '../registry-connection';

/** What the panels need from the rest of the extension. */
export interface PanelDeps {
  connection: () => Promise<RegistryConnection | undefined>;
  output: vscode.OutputChannel;
}

/** The commands and the view this module registers (package.json must contribute them). */
export const PANEL_COMMANDS = {
  openMarketplace: 'pluginCodex.openMarketplace',
  openAdmin: 'pluginCodex.openAdmin',
  openPluginDetails: 'pluginCodex.openPluginDetails',
  openDebugDashboard: 'pluginCodex.openDebugDashboard',
  refreshInstalledPlugins: 'pluginCodex.refreshInstalledPlugins',
} as const;
export const INSTALLED_PLUGINS_VIEW = 'pluginCodex.installedPlugins';

interface OpenPanel { panel: vscode.WebviewPanel; bridge: PanelBridge }

/**
 * Registers the marketplace, plugin details, debug dashboard and admin webviews, their commands
 * and the "Plugins" tree of installed plugins. Every webview runs the same bundle
 * (dist/webview/main.js); this host makes its HTTP calls with the user's token, so the webview
 * never holds it.
 */
export function registerPanels(context: vscode.ExtensionContext, deps: PanelDeps): void {
  const panels = new Map<string, OpenPanel>();
  const installed = new InstalledPluginsProvider(deps.connection, deps.output);
  const scriptRoot = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');

  async function show(key: string, title: string, view: WebviewView, pluginId?: string): Promise<void> {
    const connection = await deps.connection();
    const message: HostToWebview = {
      type: 'show-view', view, ...(pluginId ? { pluginId } : {}),
      ...(connection ? { registryUrl: connection.baseUrl, previewUrl: `${connection.baseUrl}/console/preview.html` } : {}),
    };
    const existing = panels.get(key);
    if (existing) {
      existing.panel.reveal();
      existing.bridge.send(message);
      return;
    }
    const panel = vscode.window.createWebviewPanel(`pluginCodex.${view}`, title, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [scriptRoot],
    });
    const bridge = createPanelBridge({
      post: (outgoing) => { void panel.webview.postMessage(outgoing); },
      connection: deps.connection,
      openPlugin: (id) => { void show(`details:${id}`, id, 'details', id); },
      installationsChanged: () => installed.refresh(),
      log: (level, text) => deps.output.appendLine(`[${view}] ${level}: ${text}`),
    });
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(scriptRoot, 'main.js')).toString(),
      nonce: randomBytes(16).toString('base64'),
      title,
      frameOrigins: connection ? [new URL(connection.baseUrl).origin] : [],
    });
    panel.webview.onDidReceiveMessage((incoming: unknown) => { void bridge.receive(incoming); }, undefined, context.subscriptions);
    panel.onDidDispose(() => panels.delete(key), undefined, context.subscriptions);
    panels.set(key, { panel, bridge });
    // Queued until the webview posts `ready`.
    bridge.send(message);
  }

  async function askPluginId(prompt: string): Promise<string | undefined> {
    return vscode.window.showInputBox({ prompt, placeHolder: '@scope/name', validateInput: (value) => (/^@[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/.test(value.trim()) ? undefined : 'a plugin id like @codex/text-stats') });
  }

  context.subscriptions.push(
    vscode.window.registerTreeDataProvider(INSTALLED_PLUGINS_VIEW, installed),
    vscode.commands.registerCommand(PANEL_COMMANDS.openMarketplace, () => show('marketplace', 'Plugin Marketplace', 'marketplace')),
    vscode.commands.registerCommand(PANEL_COMMANDS.openAdmin, () => show('admin', 'Plugin Codex Admin', 'admin')),
    vscode.commands.registerCommand(PANEL_COMMANDS.openPluginDetails, async (target?: string | InstalledPluginItem) => {
      const id = pluginIdOf(target) ?? await askPluginId('The plugin to show');
      if (id) await show(`details:${id.trim()}`, id.trim(), 'details', id.trim());
    }),
    vscode.commands.registerCommand(PANEL_COMMANDS.openDebugDashboard, async (target?: string | InstalledPluginItem) => {
      const id = pluginIdOf(target) ?? (await askPluginId('The plugin to debug'))?.trim();
      await show(`debug:${id ?? ''}`, id ? `Debug ${id}` : 'Plugin Debug', 'debug', id);
    }),
    vscode.commands.registerCommand(PANEL_COMMANDS.refreshInstalledPlugins, () => installed.refresh()),
    { dispose: () => { for (const { panel } of panels.values()) panel.dispose(); } },
  );
}

/** The plugin id a command was invoked with: a string (from a webview or a keybinding) or a tree row. */
function pluginIdOf(target: string | InstalledPluginItem | undefined): string | undefined {
  if (typeof target === 'string') return target;
  return target instanceof InstalledPluginItem ? target.entry?.pluginId : undefined;
}
