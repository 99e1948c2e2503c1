import { CodeActionKind, type CancellationToken, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import type { Finding } from '../../codex-core';
import { suggestVerifiedFix, type FixModel, type LearningStore } from '../../codex-core/llm';
import { ServerCommands } from '../../protocol/lsp-methods';
import type { AppliedFixes } from './applied-fixes';
import type { AnalysisEngine } from './analysis-engine';
import { fileOf } from './finding-conversion';
import type { ServerClient } from './server-client';
import { lspEditsBetween } from './text-diff';

/** What the AI fixes need from the server around them. */
export interface AiFixDependencies {
  client: ServerClient;
  applied: AppliedFixes;
  store: () => LearningStore;
  model: () => FixModel | undefined;
  maxAttempts: () => number;
  engine: () => AnalysisEngine;
  documentText: (uri: string) => string | undefined;
}

interface AiActionData {
  type: 'ai';
  uri: string;
  version: number;
  finding: Finding;
}

const ANNOTATION = 'codex-ai-fix';

/** Rules whose findings only the project layer reports. */
function layerOf(finding: Finding): 'full' | 'project' {
  return finding.category === 'dependency' || finding.category === 'schema-drift' || finding.ruleId.startsWith('dead-unused') ? 'project' : 'full';
}

/**
 * "Suggest a fix with AI": a code action that costs nothing until the user picks it; resolving it
 * asks the model, verifies the candidates in memory (re-diagnosed by the deep engine), and returns the best verified one as an edit the editor previews
 * (`needsConfirmation`) with the model's reason.
 */
export class AiFixes {
  /** Offered, not (yet) applied AI fixes per document: they count as rejected when superseded. */
  private readonly offered = new Map<string, { id: string; finding: Finding; before: string; after: string; reason: string }>();

  constructor(private readonly deps: AiFixDependencies) {}

  placeholder(uri: string, version: number, finding: Finding, diagnostic: Diagnostic): CodeAction {
    const data: AiActionData = { type: 'ai', uri, version, finding: { ...finding, fixes: [] } };
    return { title: 'Suggest a fix with AI', kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], data };
  }

  async resolve(action: CodeAction, token?: CancellationToken): Promise<CodeAction> {
    const { uri, finding } = action.data as AiActionData;
    const { client } = this.deps;
    const model = this.deps.model();
    if (!model) {
      client.showMessage('warning', 'Set the codex LLM endpoint and model (settings "pluginCodex.llm.baseUrl" and "pluginCodex.llm.model") to get AI fixes.');
      action.disabled = { reason: 'No LLM endpoint is configured.' };
      return action;
    }
    const text = this.deps.documentText(uri);
    if (text === undefined) {
      action.disabled = { reason: 'The document is closed.' };
      return action;
    }
    this.supersede(uri);
    const controller = new AbortController();
    token?.onCancellationRequested(() => controller.abort());
    const progress = await client.progress('Codex: suggesting a fix with AI');
    const file = fileOf(uri);
    const store = this.deps.store();
    // Every engine call carries the text it analyses, so a trial leaves nothing to restore.
    const diagnose = async (candidate: string): Promise<Finding[]> => {
      const analysis = await this.deps.engine().analyze(file, candidate, layerOf(finding));
      if (analysis.error) throw new Error(`re-diagnosis failed: ${analysis.error}`);
      return analysis.findings;
    };
    try {
      const result = await suggestVerifiedFix({
        finding,
        text,
        model,
        diagnose,
        store,
        maxAttempts: this.deps.maxAttempts(),
        signal: controller.signal,
        onProgress: ({ message, attempt, maxAttempts }) => progress.report(message, Math.round(((attempt - 1) / maxAttempts) * 100)),
      });
      for (const reason of result.rejected) client.log(`AI fix candidate refused: ${reason}`);
      if (!result.ok) {
        const reason = `No verified fix after ${this.deps.maxAttempts()} attempts: ${result.rejected[result.rejected.length - 1] ?? 'no answer'}`;
        client.showMessage('warning', reason);
        action.disabled = { reason };
        return action;
      }
      const { fix } = result;
      store.record({ id: fix.id, ruleId: finding.ruleId, ...(finding.code ? { code: finding.code } : {}), outcome: 'offered', message: finding.message, before: fix.before, after: fix.after, reason: fix.reason });
      this.offered.set(uri, { id: fix.id, finding, before: fix.before, after: fix.after, reason: fix.reason });
      this.deps.applied.pend({ id: fix.id, uri, title: `AI fix: ${finding.message}`, before: text, after: fix.newText, ai: true });
      const version = (action.data as AiActionData).version;
      action.title = `AI fix: ${fix.reason || 'verified change'}`;
      action.edit = {
        documentChanges: [{ textDocument: { uri, version }, edits: lspEditsBetween(text, fix.newText).map((edit) => ({ ...edit, annotationId: ANNOTATION })) }],
        changeAnnotations: { [ANNOTATION]: { label: 'Codex AI fix (verified)', description: fix.reason, needsConfirmation: true } },
      };
      action.command = { title: 'Record the AI fix', command: ServerCommands.fixApplied, arguments: [fix.id] };
      return action;
    } catch (error) {
      if (controller.signal.aborted) {
        action.disabled = { reason: 'Cancelled.' };
        return action;
      }
      client.showMessage('error', `The AI fix failed: ${(error as Error).message}`);
      action.disabled = { reason: (error as Error).message };
      return action;
    } finally {
      progress.done();
    }
  }

  /** The user applied the offered fix. */
  accepted(id: string): void {
    for (const [uri, offer] of this.offered) {
      if (offer.id !== id) continue;
      this.offered.delete(uri);
      this.deps.store().record({ id, ruleId: offer.finding.ruleId, ...(offer.finding.code ? { code: offer.finding.code } : {}), outcome: 'accepted', message: offer.finding.message, before: offer.before, after: offer.after, reason: offer.reason });
    }
  }

  reverted(id: string): void {
    const store = this.deps.store();
    const last = store.latest(id);
    if (last) store.record({ ...last, outcome: 'reverted' });
  }

  /** A document closed: its offered fix was not taken. */
  forget(uri: string): void {
    this.supersede(uri);
  }

  private supersede(uri: string): void {
    const offer = this.offered.get(uri);
    if (!offer) return;
    this.offered.delete(uri);
    this.deps.store().record({ id: offer.id, ruleId: offer.finding.ruleId, ...(offer.finding.code ? { code: offer.finding.code } : {}), outcome: 'rejected', message: offer.finding.message, before: offer.before, after: offer.after, reason: offer.reason });
  }
}
