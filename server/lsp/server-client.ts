import type { ProgressToken, PublishDiagnosticsParams, WorkspaceEdit } from 'vscode-languageserver';
import type { RunSnapshot, StatusParams } from '../../protocol/lsp-methods';

/** Reports the progress of one long operation and ends it. */
export interface ProgressReporter {
  report(message: string, percentage?: number): void;
  done(): void;
}

/**
 * Everything the server asks of its client. The connection implements it in lsp-connection.ts;
 * tests implement it with plain objects, so handlers run without a connection.
 */
export interface ServerClient {
  publishDiagnostics(params: PublishDiagnosticsParams): void;
  /** Asks a pull-mode client to pull diagnostics again (`workspace/diagnostic/refresh`). */
  refreshDiagnostics(): void;
  status(params: StatusParams): void;
  runFinished(snapshot: RunSnapshot): void;
  /** `workspace/applyEdit`; resolves with whether the client applied it. */
  applyEdit(edit: WorkspaceEdit, label: string): Promise<boolean>;
  showMessage(type: 'info' | 'warning' | 'error', message: string): void;
  log(message: string): void;
  /** Starts work-done progress, on the client's token if it gave one, else on a server-created one. */
  progress(title: string, token?: ProgressToken): Promise<ProgressReporter>;
}
