import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { mintHs256 } from './registry-token';
import { registryUrl } from './settings';

/** How the extension (and its panels) reach a registry. */
export interface RegistryConnection {
  /** The registry's base URL without a trailing slash, like "http://127.0.0.1:4873". */
  baseUrl: string;
  /** The Authorization header value for the signed-in user ("Bearer …"), or undefined when signed out. */
  authorization(): Promise<string | undefined>;
}

/** SecretStorage key of the token for a team registry (one per URL). */
const tokenSecret = (url: string): string => `pluginCodex.registryToken:${url}`;

/**
 * The CLI that can run `serve`: a path from settings; else the self-contained build the .vsix ships
 * (dist/standalone/cli.js: every npm dependency bundled, PGlite's and QuickJS's wasm beside it); else,
 * in a development checkout, dist/cli.js with its node_modules.
 */
export function findRegistryCli(extensionPath: string): { cli?: string; reason?: string } {
  const configured = vscode.workspace.getConfiguration('pluginCodex').get<string>('registry.cliPath', '').trim();
  if (configured) return existsSync(configured) ? { cli: configured } : { reason: `pluginCodex.registry.cliPath ${configured} does not exist` };
  const standalone = join(extensionPath, 'dist', 'standalone', 'cli.js');
  if (existsSync(standalone)) return { cli: standalone };
  const own = join(extensionPath, 'dist', 'cli.js');
  if (existsSync(own) && existsSync(join(extensionPath, 'node_modules', 'fastify'))) return { cli: own };
  return { reason: 'this installation has no registry runtime (dist/standalone/cli.js is missing): set "pluginCodex.registry.url" to a registry, or "pluginCodex.registry.cliPath" to a plugin-codex dist/cli.js' };
}

/**
 * The registry the extension uses: the team registry named in settings (token from SecretStorage),
 * else an embedded one it runs itself — `dist/cli.js serve` in a child Node process (the editor's
 * own runtime, ELECTRON_RUN_AS_NODE=1), PGlite in the extension's global storage, a random loopback
 * port, a JWT secret generated per start and passed only through the environment, and a token the
 * extension mints itself with that secret. The child stops with the extension.
 */
export class RegistryConnections implements vscode.Disposable {
  private embedded: { child: ChildProcess; connection: RegistryConnection } | undefined;
  private starting: Promise<RegistryConnection | undefined> | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly output: vscode.OutputChannel) {}

  /** The current connection; starts the embedded registry on first use when no URL is set. */
  async connection(): Promise<RegistryConnection | undefined> {
    const url = registryUrl();
    if (url) {
      return { baseUrl: url, authorization: async () => {
        const token = await this.context.secrets.get(tokenSecret(url));
        return token ? `Bearer ${token}` : undefined;
      } };
    }
    if (this.embedded && this.embedded.child.exitCode === null) return this.embedded.connection;
    this.starting ??= this.startEmbedded().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** "Sign in to a registry": asks for the URL (kept in settings) and a token (kept in SecretStorage). */
  async signIn(): Promise<void> {
    const url = await vscode.window.showInputBox({ prompt: 'Registry URL (leave empty for the embedded registry)', value: registryUrl() ?? '', placeHolder: 'https://registry.example.com', ignoreFocusOut: true });
    if (url === undefined) return;
    const trimmed = url.trim().replace(/\/+$/, '');
    await vscode.workspace.getConfiguration('pluginCodex').update('registry.url', trimmed, vscode.ConfigurationTarget.Global);
    if (!trimmed) {
      void vscode.window.showInformationMessage('Plugin Codex uses its embedded registry.');
      return;
    }
    const token = await vscode.window.showInputBox({ prompt: `API token or JWT for ${trimmed}`, password: true, ignoreFocusOut: true });
    if (!token) return;
    await this.context.secrets.store(tokenSecret(trimmed), token.trim().replace(/^Bearer\s+/i, ''));
    const response = await fetch(`${trimmed}/api/health`).catch((error: Error) => error);
    if (response instanceof Error || !response.ok) {
      void vscode.window.showWarningMessage(`Saved the token, but ${trimmed} did not answer its health check${response instanceof Error ? `: ${response.message}` : ` (HTTP ${response.status})`}.`);
    } else {
      void vscode.window.showInformationMessage(`Signed in to ${trimmed}.`);
    }
  }

  private async startEmbedded(): Promise<RegistryConnection | undefined> {
    const { cli, reason } = findRegistryCli(this.context.extensionPath);
    if (!cli) {
      this.output.appendLine(`[registry] embedded registry unavailable: ${reason}`);
      return undefined;
    }
    const dataDir = join(this.context.globalStorageUri.fsPath, 'registry');
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('hex');
    this.output.appendLine(`[registry] starting the embedded registry (data in ${dataDir})`);
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
      cwd: dataDir,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', JWT_SECRET: secret, LOG_LEVEL: 'warn', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (chunk: Buffer) => this.output.append(`[registry] ${chunk.toString()}`));
    const baseUrl = await new Promise<string | undefined>((resolve) => {
      let buffered = '';
      const timer = setTimeout(() => resolve(undefined), 60_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        // The serve command prints the URL and a token; only the URL is kept (the token goes nowhere).
        const match = /running at (http:\/\/\S+)/.exec(buffered);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!.replace(/\/+$/, ''));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        this.output.appendLine(`[registry] the embedded registry exited with code ${code}`);
        resolve(undefined);
      });
    });
    if (!baseUrl) {
      child.kill();
      return undefined;
    }
    this.output.appendLine(`[registry] embedded registry at ${baseUrl}`);
    const connection: RegistryConnection = { baseUrl, authorization: async () => `Bearer ${mintHs256(secret, { sub: 'admin', role: 'super-admin' })}` };
    this.embedded = { child, connection };
    return connection;
  }

  dispose(): void {
    const child = this.embedded?.child;
    this.embedded = undefined;
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5_000).unref();
    }
  }
}
