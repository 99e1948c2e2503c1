import {
  CodeActionRequest,
  CodeActionResolveRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  DocumentDiagnosticRequest,
  ExecuteCommandRequest,
  MessageType,
  type Connection,
  type InitializeParams,
} from 'vscode-languageserver';
import {
  LlmSettingsNotification,
  RevertLastFixRequest,
  RunFinishedNotification,
  ScanWorkspaceRequest,
  SnapshotsRequest,
  StatusNotification,
} from '../../protocol/lsp-methods';
import { CodexLanguageServer, type CodexServerOptions } from './codex-language-server';
import type { ServerClient } from './server-client';

/** The files whose change invalidates the codex's configuration or compiler state. */
export const WATCHED_FILES = ['**/package.json', '**/tsconfig*.json', '**/eslint.config.{js,mjs,cjs,ts,mts,cts}', '**/.plugin-codex.json'];

/** The {@link ServerClient} of a real connection. */
export function connectionClient(connection: Connection): ServerClient {
  return {
    publishDiagnostics: (params) => void connection.sendDiagnostics(params),
    refreshDiagnostics: () => void connection.languages.diagnostics.refresh().catch(() => undefined),
    status: (params) => void connection.sendNotification(StatusNotification.type, params),
    runFinished: (snapshot) => void connection.sendNotification(RunFinishedNotification.type, snapshot),
    applyEdit: async (edit, label) => (await connection.workspace.applyEdit({ label, edit })).applied,
    showMessage: (type, message) => void connection.sendNotification('window/showMessage', { type: type === 'error' ? MessageType.Error : type === 'warning' ? MessageType.Warning : MessageType.Info, message }),
    log: (message) => connection.console.log(message),
    progress: async (title, token) => {
      const reporter = token !== undefined ? connection.window.attachWorkDoneProgress(token) : await connection.window.createWorkDoneProgress().catch(() => undefined);
      reporter?.begin(title, 0, undefined, false);
      return { report: (message, percentage) => reporter?.report(percentage ?? 0, message), done: () => reporter?.done() };
    },
  };
}

/**
 * Creates the server on a connection and registers every handler — the one table of what the server
 * answers. Returns the server (tests and the entry file need nothing else).
 */
export function listenOnConnection(connection: Connection, options: Omit<CodexServerOptions, 'client'> = {}): CodexLanguageServer {
  const server = new CodexLanguageServer({ ...options, client: connectionClient(connection) });
  let watchDynamically = false;

  connection.onInitialize((params: InitializeParams) => {
    watchDynamically = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    return server.initialize(params);
  });
  connection.onInitialized(() => {
    server.initialized();
    if (watchDynamically) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: WATCHED_FILES.map((globPattern) => ({ globPattern })) });
  });
  connection.onShutdown(() => server.shutdown());

  // The handler table: one line per method the server answers.
  const handlers: ((connection: Connection) => void)[] = [
    (c) => c.onRequest(CodeActionRequest.type, (params, token) => server.codeActions(params).then((actions) => (token.isCancellationRequested ? null : actions))),
    (c) => c.onRequest(CodeActionResolveRequest.type, (action, token) => server.resolveCodeAction(action, token)),
    (c) => c.onRequest(ExecuteCommandRequest.type, (params) => server.executeCommand(params)),
    (c) => c.onRequest(DocumentDiagnosticRequest.type, (params) => server.pullDiagnostics(params)),
    (c) => c.onRequest(SnapshotsRequest.type, () => server.snapshotsList()),
    (c) => c.onRequest(ScanWorkspaceRequest.type, (params, token) => server.scanWorkspace(params?.workDoneToken, token)),
    (c) => c.onRequest(RevertLastFixRequest.type, () => server.revertLastFix()),
    (c) => c.onNotification(DidOpenTextDocumentNotification.type, (params) => server.didOpen(params)),
    (c) => c.onNotification(DidChangeTextDocumentNotification.type, (params) => server.didChange(params)),
    (c) => c.onNotification(DidCloseTextDocumentNotification.type, (params) => server.didClose(params.textDocument.uri)),
    (c) => c.onNotification(DidSaveTextDocumentNotification.type, (params) => server.didSave(params.textDocument.uri)),
    (c) => c.onNotification(DidChangeWatchedFilesNotification.type, () => server.configurationFilesChanged()),
    (c) => c.onNotification(DidChangeConfigurationNotification.type, (params) => server.settingsChanged(params.settings)),
    (c) => c.onNotification(LlmSettingsNotification.type, (params) => server.llmSettingsChanged(params)),
  ];
  for (const register of handlers) register(connection);
  return server;
}
