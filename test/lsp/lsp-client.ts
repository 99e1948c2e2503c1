import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams, WorkspaceEdit } from 'vscode-languageserver-protocol';

/** The repository root (tests run from it, but do not rely on that). */
export const REPO = resolve(import.meta.dirname, '../..');
export const SERVER_BUNDLE = resolve(REPO, 'dist/lsp-server.cjs');

/** A language server child process with a real JSON-RPC client on its stdio. */
export interface LspSession {
  connection: MessageConnection;
  child: ChildProcess;
  /** Every publishDiagnostics received, in order. */
  published: (PublishDiagnosticsParams & { at: number })[];
  /** Every custom notification received, by method. */
  notifications: Map<string, unknown[]>;
  /** Edits the server asked the client to apply (the test client applies them to its own text). */
  appliedEdits: { label?: string; edit: WorkspaceEdit }[];
  /** Waits for a publishDiagnostics of `uri` that satisfies `predicate`. */
  waitForDiagnostics(uri: string, predicate: (diagnostics: Diagnostic[], params: PublishDiagnosticsParams) => boolean, timeoutMs?: number): Promise<Diagnostic[]>;
  stop(): Promise<void>;
}

export const uriOf = (file: string): string => pathToFileURL(file).toString();

/** Spawns the built server (`dist/lsp-server.cjs --stdio`) with `env` and connects a client. */
export function startServer(env: NodeJS.ProcessEnv = {}): LspSession {
  if (!existsSync(SERVER_BUNDLE)) throw new Error(`${SERVER_BUNDLE} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [SERVER_BUNDLE, '--stdio'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const published: LspSession['published'] = [];
  const notifications = new Map<string, unknown[]>();
  const appliedEdits: LspSession['appliedEdits'] = [];
  const waiters: (() => void)[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    published.push({ ...params, at: performance.now() });
    for (const waiter of waiters.splice(0)) waiter();
  });
  connection.onNotification((method: string, params: unknown) => {
    const list = notifications.get(method) ?? [];
    list.push(params);
    notifications.set(method, list);
  });
  connection.onRequest('workspace/applyEdit', (params: { label?: string; edit: WorkspaceEdit }) => {
    appliedEdits.push(params);
    return { applied: true };
  });
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('workspace/diagnostic/refresh', () => {
    notifications.set('workspace/diagnostic/refresh', [...(notifications.get('workspace/diagnostic/refresh') ?? []), {}]);
    for (const waiter of waiters.splice(0)) waiter();
    return null;
  });
  connection.listen();
  return {
    connection,
    child,
    published,
    notifications,
    appliedEdits,
    waitForDiagnostics(uri, predicate, timeoutMs = 30_000) {
      return new Promise((resolvePromise, reject) => {
        const deadline = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; got ${JSON.stringify(published.filter((entry) => entry.uri === uri).map((entry) => entry.diagnostics.map((diagnostic) => diagnostic.message)))}\n${stderr}`)), timeoutMs);
        let seen = 0;
        const check = (): void => {
          for (; seen < published.length; seen++) {
            const entry = published[seen]!;
            if (entry.uri === uri && predicate(entry.diagnostics, entry)) {
              clearTimeout(deadline);
              resolvePromise(entry.diagnostics);
              return;
            }
          }
          waiters.push(check);
        };
        check();
      });
    },
    async stop() {
      await connection.sendRequest('shutdown').catch(() => undefined);
      await connection.sendNotification('exit').catch(() => undefined);
      connection.dispose();
      if (child.exitCode === null) {
        await new Promise<void>((resolvePromise) => {
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolvePromise();
          }, 2_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolvePromise();
          });
        });
      }
    },
  };
}
