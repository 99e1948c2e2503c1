import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  CodeActionKind,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type DidChangeTextDocumentParams,
  type DidOpenTextDocumentParams,
  type DocumentDiagnosticReport,
  type DocumentDiagnosticParams,
  type ExecuteCommandParams,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CATEGORIES, applyTextEdits, type Category, type CodexConfig, type CodexOptions, type Finding, type RuleSetting } from '../../codex-core';
import { LearningStore, createOpenAiFixModel, type FixModel } from '../../codex-core/llm';
import {
  FIX_ALL_KIND,
  ServerCommands,
  type CodexInitializationOptions,
  type CodexState,
  type LlmSettings,
  type RevertLastFixResult,
  type RunLayer,
  type RunSnapshot,
  type ScanWorkspaceResult,
} from '../../protocol/lsp-methods';
import { AppliedFixes } from './applied-fixes';
import { AiFixes } from './ai-fixes';
import { inProcessEngine, type AnalysisEngine, type ScanCacheFile } from './analysis-engine';
import { findingKey, mergeFindings, shiftFindings, type DocumentRun } from './document-runs';
import { fileOf, toDiagnostic, toDisableLineAction, toQuickFix, uriOf, type DiagnosticData } from './finding-conversion';
import type { ServerClient } from './server-client';
import { SnapshotRing } from './snapshots';
import { lspEditsBetween } from './text-diff';

/** How the server is created: its client, and a model factory tests can replace. */
export interface CodexServerOptions {
  client: ServerClient;
  /** Creates the model for AI fixes from the current settings (default: the `openai` client). */
  createModel?: (settings: LlmSettings) => FixModel | undefined;
  /** Reads the environment for LLM settings the client did not give (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * Creates the engine of the deep layers (semantic, project, fixes, verification). The entry file
   * passes a worker-thread engine; by default they share the in-process engine of the fast layers.
   */
  createDeepEngine?: (options: CodexOptions) => AnalysisEngine;
  /**
   * Names the build of the engine (a hash of the server bundle): workspace scans keep a check cache
   * only when it is known, so results of another build, whose rules may differ, are never reused.
   * Asked for on the first scan, not at start-up (hashing the bundle takes tens of milliseconds).
   */
  engineSalt?: () => string | undefined;
}

const SUPPORTED_LANGUAGES = new Set(['typescript', 'javascript', 'typescriptreact', 'javascriptreact']);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function defaultModel(settings: LlmSettings): FixModel | undefined {
  if (!settings.baseUrl || !settings.model) return undefined;
  return createOpenAiFixModel({ baseUrl: settings.baseUrl, model: settings.model, ...(settings.apiKey ? { apiKey: settings.apiKey } : {}) });
}

/** The layers from shallowest to deepest (`undefined`: nothing shown yet). */
const LAYER_DEPTH: readonly DocumentRun['layer'][] = [undefined, 'syntax', 'fast', 'full', 'project'];

/**
 * The codex language server, independent of the connection: every handler is a method here, every
 * call to the client goes through {@link ServerClient}. Diagnostics run per document in layers —
 * syntax, then lint (the fast layer), then semantic and codex rules (full), then project rules — each
 * published as soon as it is ready; a change cancels the run in progress.
 */
export class CodexLanguageServer {
  readonly documents = new Map<string, TextDocument>();
  private readonly runs = new Map<string, DocumentRun>();
  private readonly snapshots = new SnapshotRing(10);
  private readonly applied = new AppliedFixes();
  private engineCache: { fast: AnalysisEngine; deep: AnalysisEngine } | undefined;
  /** The folder where workspace scans keep their check cache (none: no cache). */
  private scanCacheFolder: string | undefined;
  /** Where workspace scans keep their check cache, settled on the first scan (undefined: no cache). */
  private scanCacheFile: ScanCacheFile | undefined | null = null;
  private root = process.cwd();
  private pull = false;
  /**
   * The deep layer's debounce. Short, because a request superseded before it starts is dropped, so a
   * burst of keystrokes queues at most one check behind the running one.
   */
  private debounceMs = 50;
  private projectDebounceMs = 400;
  private categories: Category[] | undefined;
  private severityOverrides: Record<string, RuleSetting> = {};
  private llm: LlmSettings = {};
  private store = new LearningStore();
  private state: CodexState = 'starting';
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly ai: AiFixes;

  constructor(private readonly options: CodexServerOptions) {
    this.ai = new AiFixes({
      client: options.client,
      applied: this.applied,
      store: () => this.store,
      model: () => (this.options.createModel ?? defaultModel)(this.llmSettings()),
      maxAttempts: () => this.llm.maxAttempts ?? 3,
      engine: () => this.engines().deep,
      documentText: (uri) => this.documents.get(uri)?.getText(),
    });
  }

  private get client(): ServerClient {
    return this.options.client;
  }

  initialize(params: InitializeParams): InitializeResult {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
    if (folder) this.root = fileOf(folder);
    else if (params.rootPath) this.root = params.rootPath;
    const init = (params.initializationOptions ?? {}) as CodexInitializationOptions;
    this.pull = init.diagnosticMode === 'pull' && !!params.capabilities.textDocument?.diagnostic;
    this.applySettings(init);
    if (init.storagePath) this.store = new LearningStore(join(init.storagePath, 'codex-fix-learning.json'));
    if (init.storagePath && init.scanCache !== false) this.scanCacheFolder = init.storagePath;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: 2, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: true },
        executeCommandProvider: { commands: [ServerCommands.fixAll, ServerCommands.fixApplied] },
        ...(this.pull ? { diagnosticProvider: { identifier: 'codex', interFileDependencies: true, workspaceDiagnostics: false } } : {}),
      },
      serverInfo: { name: 'plugin-codex', version: '0.1.0' },
    };
  }

  initialized(): void {
    this.setState('idle');
  }

  private applySettings(settings: CodexInitializationOptions): void {
    if (settings.debounceMs !== undefined) this.debounceMs = settings.debounceMs;
    this.categories = settings.categories && settings.categories.length > 0 ? (settings.categories as Category[]) : undefined;
    this.severityOverrides = (settings.severityOverrides ?? {}) as Record<string, RuleSetting>;
    if (settings.llm) this.llm = { ...this.llm, ...settings.llm };
  }

  /** LLM settings from the client, completed from the environment. */
  private llmSettings(): LlmSettings {
    const env = this.options.env ?? process.env;
    return {
      baseUrl: this.llm.baseUrl || env.CODEX_LLM_BASE_URL || env.OPENAI_BASE_URL,
      model: this.llm.model || env.CODEX_LLM_MODEL,
      apiKey: this.llm.apiKey || env.CODEX_LLM_API_KEY || env.OPENAI_API_KEY,
      maxAttempts: this.llm.maxAttempts,
    };
  }

  /**
   * The fast layers (syntax, lint) run in this thread; the deep ones in the deep engine (a worker
   * thread when the entry file provides one), so a long type check never delays the next edit's
   * first diagnostics.
   */
  private engines(): { fast: AnalysisEngine; deep: AnalysisEngine } {
    if (!this.engineCache) {
      const options: CodexOptions = { root: this.root, config: { rules: this.severityOverrides } satisfies CodexConfig };
      const fast = inProcessEngine(options);
      const deep = this.options.createDeepEngine?.(options) ?? fast;
      // Documents open in the editor are the truth, not the files on disk.
      for (const [uri, document] of this.documents) deep.setOverlay(fileOf(uri), document.getText());
      this.engineCache = { fast, deep };
    }
    return this.engineCache;
  }

  // ---- documents and diagnostics ----

  didOpen(params: DidOpenTextDocumentParams): void {
    const { uri, languageId, version, text } = params.textDocument;
    if (!SUPPORTED_LANGUAGES.has(languageId) || !uri.startsWith('file:')) return;
    this.documents.set(uri, TextDocument.create(uri, languageId, version, text));
    this.runs.set(uri, { uri, file: fileOf(uri), shown: [], shownIds: [], shownVersion: version, projectFindings: [], waiters: [] });
    this.schedule(uri, []);
  }

  didChange(params: DidChangeTextDocumentParams): void {
    const document = this.documents.get(params.textDocument.uri);
    if (!document) return;
    const updated = TextDocument.update(document, params.contentChanges, params.textDocument.version);
    this.documents.set(params.textDocument.uri, updated);
    this.schedule(params.textDocument.uri, params.contentChanges as { range?: Diagnostic['range']; text: string }[]);
  }

  /** A saved document gets a complete run, project rules included. */
  didSave(uri: string): void {
    if (this.documents.has(uri)) this.schedule(uri, [], true);
  }

  didClose(uri: string): void {
    const run = this.runs.get(uri);
    run?.controller?.abort();
    this.documents.delete(uri);
    this.runs.delete(uri);
    this.ai.forget(uri);
    this.engineCache?.deep.setOverlay(fileOf(uri), undefined);
    if (!this.pull) this.client.publishDiagnostics({ uri, diagnostics: [] });
  }

  /** A watched configuration file changed: start again from a fresh codex and re-run every document. */
  configurationFilesChanged(): void {
    const engines = this.engineCache;
    this.engineCache = undefined;
    if (engines) {
      engines.fast.dispose();
      if (engines.deep !== engines.fast) engines.deep.dispose();
    }
    for (const uri of this.documents.keys()) this.schedule(uri, []);
  }

  /** `workspace/didChangeConfiguration` with `{ codex: CodexInitializationOptions }` settings. */
  settingsChanged(settings: unknown): void {
    const codex = (settings as { codex?: CodexInitializationOptions } | undefined)?.codex;
    if (!codex) return;
    this.applySettings(codex);
    this.configurationFilesChanged();
  }

  llmSettingsChanged(settings: LlmSettings): void {
    this.llm = { ...this.llm, ...settings };
  }

  /**
   * Starts a run of a document, cancelling the one in progress. The project layer (whole-project
   * rules) runs on open, save and configuration changes, not on every edit: its results are carried
   * through edits until then, so typing never waits for a project-wide pass.
   */
  private schedule(uri: string, changes: { range?: Diagnostic['range']; text: string }[], withProject = changes.length === 0): void {
    const run = this.runs.get(uri);
    const document = this.documents.get(uri);
    if (!run || !document) return;
    run.controller?.abort();
    const controller = new AbortController();
    run.controller = controller;
    if (changes.length > 0) {
      run.shown = shiftFindings(run.shown, changes);
      run.projectFindings = shiftFindings(run.projectFindings, changes);
    }
    void this.analyze(run, document, controller.signal, withProject);
  }

  private async analyze(run: DocumentRun, document: TextDocument, signal: AbortSignal, withProject: boolean): Promise<void> {
    const snapshot = this.snapshots.start(run.uri, document.version);
    const text = document.getText();
    const version = document.version;
    this.setState('analyzing', run.uri);
    let failed = false;
    let fullKeys = new Set<string>();
    const previous = run.shown;
    /** This version's lint findings (fast layer) and deep findings (full layer), once known; until then the previous ones, moved through the edit. */
    let lintNow: Finding[] | undefined;
    let deepNow: Finding[] | undefined;
    const lintShown = (): Finding[] => lintNow ?? previous.filter((finding) => finding.category === 'lint');
    const deepShown = (): Finding[] => deepNow ?? previous.filter((finding) => finding.category !== 'lint');
    const stage = async (layer: RunLayer | 'syntax', carried: () => Finding[]): Promise<boolean> => {
      // Let the connection write what the previous stage published (its writer runs on setImmediate)
      // before a synchronous pass (ESLint, the type checker) holds the thread.
      await nextTick();
      if (signal.aborted) return false;
      const started = performance.now();
      const engines = this.engines();
      const engine = layer === 'syntax' || layer === 'fast' ? engines.fast : engines.deep;
      // The deep layers leave lint to the fast layer, which lints this very text.
      const categories = layer === 'syntax' ? ['type' as const] : layer === 'fast' ? this.categories : (this.categories ?? CATEGORIES).filter((category) => category !== 'lint');
      // The debounce of the deep layers is kept by their engine (a worker): counted from now, not
      // from when this thread is free again after linting.
      const schedule = layer === 'full' ? { notBefore: Date.now() + this.debounceMs, signal } : layer === 'project' ? { signal } : undefined;
      const result = await engine.analyze(run.file, text, layer === 'syntax' ? 'fast' : layer, categories, schedule);
      if (!result || signal.aborted) return false;
      if (layer !== 'syntax') snapshot.timings[layer] = Math.round(performance.now() - started);
      if (result.typeCheck) snapshot.typeCheck = result.typeCheck;
      if (result.error) {
        // A failed analysis shows as a status and no findings, never the previous ones.
        failed = true;
        snapshot.errors.push(`${layer}: ${result.error}`);
        run.projectFindings = [];
        this.show(run, version, [], layer);
        this.setState('error', run.uri, `Analysis failed: ${result.error}`);
        return false;
      }
      if (layer === 'fast') lintNow = result.findings.filter((finding) => finding.category === 'lint');
      if (layer === 'full') {
        fullKeys = new Set(result.findings.map(findingKey));
        deepNow = result.findings;
      }
      if (layer === 'project') {
        run.projectFindings = result.findings.filter((finding) => !fullKeys.has(findingKey(finding)));
        deepNow = result.findings.filter((finding) => finding.category !== 'lint');
      }
      this.show(run, version, mergeFindings(result.findings, carried()), layer);
      snapshot.layer = run.layer === 'syntax' ? undefined : run.layer;
      snapshot.findings = run.shown;
      return true;
    };
    try {
      await nextTick();
      // Syntax first (milliseconds), with the other layers' previous results moved through the edit.
      if (!(await stage('syntax', () => previous))) return;
      // Then lint here and the deep layer in its worker, side by side: whichever finishes second
      // publishes with the other's results for this very text.
      const deep = stage('full', () => [...lintShown(), ...run.projectFindings]);
      const fast = stage('fast', deepShown);
      const [deepDone, fastDone] = await Promise.all([deep, fast]);
      if (!deepDone || !fastDone || !withProject) return;
      await sleep(this.projectDebounceMs);
      if (!(await stage('project', lintShown))) return;
    } finally {
      snapshot.outcome = failed ? 'failed' : signal.aborted ? 'cancelled' : 'completed';
      this.snapshots.finish(snapshot);
      this.client.runFinished(snapshot);
      if (!signal.aborted && !failed) this.setState('idle');
    }
  }

  /** Shows findings for a document version: published (push) or kept for the next pull. */
  private show(run: DocumentRun, version: number, findings: Finding[], layer: DocumentRun['layer']): void {
    // The layers of one version may finish in any order (lint here, the deep ones in the worker): the deepest one shown stays the layer.
    const deeper = run.shownVersion === version && LAYER_DEPTH.indexOf(run.layer) > LAYER_DEPTH.indexOf(layer);
    run.shown = findings;
    run.shownIds = findings.map((_, index) => `${version}:${index}`);
    run.shownVersion = version;
    if (!deeper) run.layer = layer;
    if (this.pull) {
      for (const resolve of run.waiters.splice(0)) resolve();
      if (!this.refreshTimer) {
        this.refreshTimer = setTimeout(() => {
          this.refreshTimer = undefined;
          this.client.refreshDiagnostics();
        }, 20);
      }
    } else {
      this.client.publishDiagnostics({ uri: run.uri, version, diagnostics: this.diagnosticsOf(run) });
    }
  }

  private diagnosticsOf(run: DocumentRun): Diagnostic[] {
    return run.shown.map((finding, index) => toDiagnostic(finding, run.shownIds[index]!));
  }

  /** `textDocument/diagnostic` (pull mode): the current results, waiting for the first layer of a new version. */
  async pullDiagnostics(params: DocumentDiagnosticParams): Promise<DocumentDiagnosticReport> {
    const run = this.runs.get(params.textDocument.uri);
    const document = this.documents.get(params.textDocument.uri);
    if (!run || !document) return { kind: 'full', items: [] };
    // A pull answers with the fast layer (syntax and lint) at least; the deeper ones announce themselves with a refresh.
    const deadline = Date.now() + 10_000;
    while ((run.shownVersion !== document.version || run.layer === undefined || run.layer === 'syntax') && Date.now() < deadline && this.runs.get(run.uri) === run) {
      await new Promise<void>((resolve) => {
        run.waiters.push(resolve);
        setTimeout(resolve, 1_000).unref();
      });
    }
    return { kind: 'full', items: this.diagnosticsOf(run) };
  }

  private setState(state: CodexState, uri?: string, message?: string): void {
    this.state = state;
    const findings = [...this.runs.values()].reduce((sum, run) => sum + run.shown.length, 0);
    this.client.status({ state, findings, ...(uri ? { uri } : {}), ...(message ? { message } : {}) });
  }

  // ---- code actions ----

  private findingOf(run: DocumentRun, diagnostic: Diagnostic): Finding | undefined {
    const id = (diagnostic.data as DiagnosticData | undefined)?.findingId;
    const index = id ? run.shownIds.indexOf(id) : -1;
    if (index >= 0) return run.shown[index];
    return run.shown.find((finding) => finding.range.start.line === diagnostic.range.start.line && finding.range.start.character === diagnostic.range.start.character && (typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value).startsWith(finding.message));
  }

  async codeActions(params: CodeActionParams): Promise<CodeAction[]> {
    const uri = params.textDocument.uri;
    const run = this.runs.get(uri);
    const document = this.documents.get(uri);
    if (!run || !document) return [];
    const only = params.context.only;
    const wants = (kind: string): boolean => !only || only.some((requested) => kind === requested || kind.startsWith(`${requested}.`));
    const actions: CodeAction[] = [];
    if (wants(CodeActionKind.QuickFix)) {
      const asked = params.context.diagnostics.filter((diagnostic) => diagnostic.source === 'codex').map((diagnostic) => ({ diagnostic, finding: this.findingOf(run, diagnostic) }));
      if (asked.some(({ finding }) => finding?.fixesPending)) await this.resolvePendingFixes(run, document);
      for (const { diagnostic } of asked) {
        const finding = this.findingOf(run, diagnostic);
        if (!finding) continue;
        for (const fix of finding.fixes) actions.push(toQuickFix(fix, diagnostic));
        actions.push(this.ai.placeholder(uri, document.version, finding, diagnostic));
        const disable = toDisableLineAction(finding, diagnostic, run.file, document.getText());
        if (disable) actions.push(disable);
      }
    }
    if (wants(FIX_ALL_KIND) && (only || run.shown.some((finding) => finding.fixesPending || finding.fixes.some((fix) => fix.kind === 'trivial')))) {
      const action: CodeAction = { title: 'Fix all trivial problems (codex)', kind: FIX_ALL_KIND, data: { type: 'fixAll', uri, version: document.version } };
      // On save (`only` asks for it) the edit is needed right away; in the light bulb it is resolved lazily.
      if (only) return [...actions, await this.resolveCodeAction(action)];
      actions.push(action);
    }
    return actions;
  }

  /**
   * Computes the compiler's code fixes the per-edit analysis left pending (they cost a full check of
   * the file) and puts them on the shown findings, when the document has not changed meanwhile.
   */
  private async resolvePendingFixes(run: DocumentRun, document: TextDocument): Promise<void> {
    const version = document.version;
    if (run.shownVersion !== version) return;
    let resolved: Finding[];
    try {
      resolved = await this.engines().deep.resolveFixes(run.file, document.getText());
    } catch {
      return;
    }
    if (run.shownVersion !== version || this.documents.get(run.uri)?.version !== version) return;
    const byKey = new Map(resolved.map((finding) => [findingKey(finding), finding]));
    run.shown = run.shown.map((finding) => {
      if (!finding.fixesPending) return finding;
      const { fixesPending: _pending, ...rest } = finding;
      return { ...rest, fixes: byKey.get(findingKey(finding))?.fixes ?? [] };
    });
  }

  async resolveCodeAction(action: CodeAction, token?: CancellationToken): Promise<CodeAction> {
    const data = action.data as { type?: string; uri?: string } | undefined;
    if (data?.type === 'fixAll' && data.uri) {
      const fix = await this.computeFixAll(data.uri);
      if (fix) {
        action.edit = fix.edit;
        action.command = { title: 'Record the fix', command: ServerCommands.fixApplied, arguments: [fix.id] };
      }
      return action;
    }
    if (data?.type === 'ai') return this.ai.resolve(action, token);
    return action;
  }

  private async computeFixAll(uri: string): Promise<{ edit: { changes: Record<string, ReturnType<typeof lspEditsBetween>> }; id: string } | undefined> {
    const document = this.documents.get(uri);
    if (!document) return undefined;
    const before = document.getText();
    const file = fileOf(uri);
    const fixes = await this.engines().deep.fixAll(file, before);
    const edits = fixes.find((fix) => fix.file === file)?.edits ?? [];
    if (edits.length === 0) return undefined;
    const after = applyTextEdits(before, edits);
    const id = this.applied.pend({ uri, title: 'Fix all trivial problems', before, after });
    return { edit: { changes: { [uri]: lspEditsBetween(before, after) } }, id };
  }

  async executeCommand(params: ExecuteCommandParams): Promise<unknown> {
    const [argument] = params.arguments ?? [];
    if (params.command === ServerCommands.fixApplied && typeof argument === 'string') {
      const fix = this.applied.confirm(argument);
      if (fix?.ai) this.ai.accepted(fix.id);
      return fix !== undefined;
    }
    if (params.command === ServerCommands.fixAll && typeof argument === 'string') {
      const fix = await this.computeFixAll(argument);
      if (!fix) {
        this.client.showMessage('info', 'No trivial problems to fix.');
        return false;
      }
      const ok = await this.client.applyEdit(fix.edit, 'Fix all trivial problems');
      if (ok) this.applied.confirm(fix.id);
      return ok;
    }
    return undefined;
  }

  // ---- custom methods ----

  snapshotsList(): RunSnapshot[] {
    return this.snapshots.list();
  }

  async revertLastFix(): Promise<RevertLastFixResult> {
    const result = await this.applied.revertLast((uri) => this.documents.get(uri)?.getText(), (edit, label) => this.client.applyEdit(edit, label));
    if (result.fix?.ai) this.ai.reverted(result.fix.id);
    return { reverted: result.reverted, message: result.message };
  }

  async scanWorkspace(workDoneToken: string | number | undefined, token?: CancellationToken): Promise<ScanWorkspaceResult> {
    const controller = new AbortController();
    token?.onCancellationRequested(() => controller.abort());
    const progress = await this.client.progress('Codex: scanning the workspace', workDoneToken);
    this.setState('analyzing', undefined, 'Scanning the workspace');
    try {
      const analysis = await this.engines().deep.analyzeProject(
        this.categories,
        ({ done, total, file }) => progress.report(`${done}/${total} ${file.slice(this.root.length + 1)}`, Math.round((done / total) * 100)),
        controller.signal,
        this.scanCache(),
      );
      const byFile = new Map<string, Finding[]>();
      for (const finding of analysis.findings) (byFile.get(finding.file) ?? byFile.set(finding.file, []).get(finding.file)!).push(finding);
      const open = new Set([...this.runs.values()].map((run) => run.file));
      if (!this.pull) {
        for (const [file, findings] of byFile) {
          if (open.has(file)) continue;
          this.client.publishDiagnostics({ uri: uriOf(file), diagnostics: findings.map((finding, index) => toDiagnostic(finding, `scan:${index}`)) });
        }
      }
      const byCategory: Record<string, number> = {};
      for (const finding of analysis.findings) byCategory[finding.category] = (byCategory[finding.category] ?? 0) + 1;
      this.setState('idle');
      return { files: analysis.files, findings: analysis.findings.length, byCategory, errors: analysis.errors, durationMs: Math.round(analysis.durationMs), ...(analysis.cache ? { cache: analysis.cache } : {}) };
    } catch (error) {
      this.setState('error', undefined, `Workspace scan failed: ${(error as Error).message}`);
      throw error;
    } finally {
      progress.done();
    }
  }

  /** The scan's check cache file: one per workspace root, since the global storage folder, the fallback, is shared by all of them. */
  private scanCache(): ScanCacheFile | undefined {
    if (this.scanCacheFile === null) {
      const salt = this.scanCacheFolder ? this.options.engineSalt?.() : undefined;
      this.scanCacheFile = salt ? { path: join(this.scanCacheFolder!, `scan-cache-${createHash('sha1').update(this.root).digest('hex').slice(0, 12)}.json`), salt } : undefined;
    }
    return this.scanCacheFile;
  }

  /** The current state, for tests and the status request. */
  currentState(): CodexState {
    return this.state;
  }

  shutdown(): void {
    for (const run of this.runs.values()) run.controller?.abort();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.configurationFilesChanged();
  }
}
