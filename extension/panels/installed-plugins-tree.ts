import * as vscode from 'vscode';
import type { RegistryConnection } from '../registry-connection';

/** An installed plugin as GET /api/plugins/installed lists it (the fields the tree shows). */
interface InstalledEntry { pluginId: string; version: string; status: string; asDependency: boolean; lastKnownGoodVersion: string | null }

/** A row of the "Plugins" view: an installed plugin, or a message when there is none to show. */
export class InstalledPluginItem extends vscode.TreeItem {
  constructor(readonly entry: InstalledEntry | undefined, message?: string) {
    super(entry ? entry.pluginId : message ?? '', vscode.TreeItemCollapsibleState.None);
    if (entry) {
      this.description = `${entry.version}${entry.asDependency ? ' (dependency)' : ''}${entry.status === 'active' ? '' : ` — ${entry.status}`}`;
      this.tooltip = `${entry.pluginId} ${entry.version}\nstatus: ${entry.status}${entry.lastKnownGoodVersion ? `\nlast known good: ${entry.lastKnownGoodVersion}` : ''}`;
      this.contextValue = 'installedPlugin';
      this.iconPath = new vscode.ThemeIcon(entry.status === 'active' ? 'extensions' : 'warning');
      this.command = { command: 'pluginCodex.openPluginDetails', title: 'Show plugin details', arguments: [entry.pluginId] };
    } else {
      this.iconPath = new vscode.ThemeIcon('info');
    }
  }
}

/** The "Plugins" tree: what is installed on the default target of the connected registry. */
export class InstalledPluginsProvider implements vscode.TreeDataProvider<InstalledPluginItem> {
  private readonly changed = new vscode.EventEmitter<InstalledPluginItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly connection: () => Promise<RegistryConnection | undefined>, private readonly output: vscode.OutputChannel, private readonly target = 'default') {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(item: InstalledPluginItem): vscode.TreeItem {
    return item;
  }

  async getChildren(item?: InstalledPluginItem): Promise<InstalledPluginItem[]> {
    if (item) return [];
    const connection = await this.connection();
    if (!connection) return [new InstalledPluginItem(undefined, 'Not connected to a Plugin Codex registry')];
    try {
      const authorization = await connection.authorization();
      const response = await fetch(`${connection.baseUrl}/api/plugins/installed?target=${encodeURIComponent(this.target)}`, { headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) } });
      if (!response.ok) {
        const text = await response.text();
        this.output.appendLine(`[plugins] GET /api/plugins/installed: HTTP ${response.status} ${text.slice(0, 300)}`);
        return [new InstalledPluginItem(undefined, response.status === 401 ? 'Sign in to see installed plugins' : `The registry answered ${response.status}`)];
      }
      const body = await response.json() as { items?: InstalledEntry[] };
      const items = body.items ?? [];
      return items.length ? items.map((entry) => new InstalledPluginItem(entry)) : [new InstalledPluginItem(undefined, 'No plugins installed — open the marketplace')];
    } catch (error) {
      this.output.appendLine(`[plugins] the registry at ${connection.baseUrl} cannot be reached: ${error instanceof Error ? error.message : String(error)}`);
      return [new InstalledPluginItem(undefined, 'The registry cannot be reached')];
    }
  }
}
