/**
 * The custom LSP methods of the codex language server (`codex/*`), and the commands it executes.
 * Both the server (server/lsp/) and its clients (extension/, tests, any LSP client) import them from
 * here; nothing crosses the wire that is not typed in this file or in protocol/findings.ts.
 */
/* eslint-disable @typescript-eslint/no-namespace -- CONVENTIONS.md: one namespace per method (literal method + typed type). */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';

/** What the server is doing, as a status bar shows it. */
export type CodexState = 'starting' | 'idle' | 'analyzing' | 'error';

/** Parameters of {@link StatusNotification}. */
export interface StatusParams {
  state: CodexState;
  /** Findings currently shown over all open documents. */
  findings: number;
  /** A short human-readable line: what is being analysed, or why analysis failed. */
  message?: string;
  /** The document the status is about (a URI), when it is about one. */
  uri?: string;
}

/** Sent from the server to the client whenever its state changes (start, analysis begins or ends, a failure). */
export namespace StatusNotification {
  export const method = 'codex/status' as const;
  export const type = new NotificationType<StatusParams>(method);
}

/** The analysis layers, from cheapest to most complete. */
export type RunLayer = 'fast' | 'full' | 'project';

/** One analysis run of one document, kept in the server's ring of snapshots. */
export interface RunSnapshot {
  /** Increasing id, unique for the server's lifetime. */
  id: number;
  uri: string;
  /** The document version the run analysed. */
  version: number;
  /** ISO time the run started. */
  startedAt: string;
  /** Milliseconds per finished layer (a cancelled or failed run lacks the later layers). */
  timings: Partial<Record<RunLayer, number>>;
  /** The deepest layer whose findings were published. */
  layer?: RunLayer;
  outcome: 'completed' | 'cancelled' | 'failed';
  /** The findings of the deepest published layer, as plain codex-core data. */
  findings: import('./findings').Finding[];
  /** Why the analysis failed, per layer. */
  errors: string[];
  /**
   * How the semantic type check of the deepest layer was made: `incremental` (only the statements
   * the edit can affect, the rest kept from the previous version) or `full`, with the reason.
   */
  typeCheck?: { mode: 'full' | 'incremental'; reason?: string; checkedStatements?: number };
}

/** Sent from the server to the client when a run of a document ends (completed, cancelled or failed). */
export namespace RunFinishedNotification {
  export const method = 'codex/runFinished' as const;
  export const type = new NotificationType<RunSnapshot>(method);
}

/** Sent from the client to the server to read the last runs (newest first, at most 10). */
export namespace SnapshotsRequest {
  export const method = 'codex/snapshots' as const;
  export const type = new RequestType0<RunSnapshot[], void>(method);
}

/** The outcome of {@link ScanWorkspaceRequest}. */
export interface ScanWorkspaceResult {
  files: number;
  findings: number;
  /** Findings per category. */
  byCategory: Record<string, number>;
  /** Files whose analysis failed, with the reason. */
  errors: { file: string; error: string }[];
  durationMs: number;
  /** What the scan reused from the last ones (type checks, codex rule runs, lint results), when it kept a cache. */
  cache?: { typeHits: number; typeMisses: number; ruleHits: number; ruleMisses: number; lintHits: number; lintMisses: number };
}

/**
 * Sent from the client to the server to analyse every project file (all layers). The server
 * publishes the findings of every file and reports progress through `$/progress` when the client
 * passes a work-done token. Cancellable.
 */
export namespace ScanWorkspaceRequest {
  export const method = 'codex/scanWorkspace' as const;
  export const type = new RequestType<{ workDoneToken?: string | number }, ScanWorkspaceResult, void>(method);
}

/** The outcome of {@link RevertLastFixRequest}. */
export interface RevertLastFixResult {
  reverted: boolean;
  /** The title of the fix that was reverted, or why nothing was. */
  message: string;
}

/**
 * Sent from the client to the server to undo the last fix it applied (an AI fix or a fix-all), in
 * one step, through `workspace/applyEdit`. Works even after later edits elsewhere in the file.
 */
export namespace RevertLastFixRequest {
  export const method = 'codex/revertLastFix' as const;
  export const type = new RequestType0<RevertLastFixResult, void>(method);
}

/** Options a client passes in `initializationOptions`. */
export interface CodexInitializationOptions {
  /** `push` (publishDiagnostics, the default) or `pull` (textDocument/diagnostic, if the client supports it). */
  diagnosticMode?: 'push' | 'pull';
  /** Milliseconds to wait after a change before the semantic layers run (default 50; syntax and lint run at once). */
  debounceMs?: number;
  /** Categories to report (default: every enabled one). */
  categories?: string[];
  /** Per-rule settings: `off`, `on` or a severity. */
  severityOverrides?: Record<string, string>;
  /** Where the server keeps its learning records and the workspace scan's check cache (the workspace storage folder). */
  storagePath?: string;
  /** Reuse the results of unchanged files between workspace scans (default true; needs `storagePath`). */
  scanCache?: boolean;
  llm?: LlmSettings;
}

/** The OpenAI-compatible endpoint the AI fixes use. The key comes from the client's secret storage or the environment. */
export interface LlmSettings {
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  /** Attempts per suggestion before giving up (default 3). */
  maxAttempts?: number;
}

/** Sent from the client to the server when the LLM key or settings change (the key never sits in settings files). */
export namespace LlmSettingsNotification {
  export const method = 'codex/llmSettings' as const;
  export const type = new NotificationType<LlmSettings>(method);
}

/** Commands the server executes (`workspace/executeCommand`). */
export const ServerCommands = {
  /** Arguments: `[uri]`. Applies the verified trivial fixes of the document through `workspace/applyEdit`. */
  fixAll: 'codex.server.fixAll',
  /** Arguments: `[fixId]`. Run by the client after it applied a fix-all or AI fix code action, so it is recorded and revertible. */
  fixApplied: 'codex.server.fixApplied',
} as const;

/** The code action kind of "Fix all trivial problems" (usable in `editor.codeActionsOnSave`). */
export const FIX_ALL_KIND = 'source.fixAll.codex';
