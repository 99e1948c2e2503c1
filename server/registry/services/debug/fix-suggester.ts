import { LearningStore, suggestVerifiedFix, type FixModel, type FixOutcome, type SuggestFixResult } from '../../../../codex-core/llm/index';
import type { Finding } from '../../../../codex-core/index';
import type { RunTrace } from '../../../../protocol/debug-api';
import type { ResolvedPluginManifest } from '../../../../protocol/plugin-manifest';
import type { FixOutcomeRecord } from '../../db/debug-repository';
import type { Sandbox } from '../../sandbox/sandbox';
import { analyzeText, type PluginWorkspace } from './plugin-workspace';
import { runKey, runTraced } from './traced-runs';

/**
 * The rule id of a failing sandbox run when it is handed to the verified-fix machinery as a finding.
 * protocol/findings.ts has no runtime category, so these findings use `lint` (code that runs wrong)
 * with this rule id and the run's name as `code`; they never leave the debug engine.
 */
export const RUNTIME_RULE = 'runtime-failure';

/** Turns failing runs into findings at the mapped source line (line 1 when the stack says nothing). */
export function runtimeFindings(traces: readonly RunTrace[], entryFile: string): Finding[] {
  return traces.filter((trace) => !trace.ok).map((trace) => {
    const line = Math.max(0, (trace.error?.source?.line ?? 1) - 1);
    return {
      ruleId: RUNTIME_RULE, category: 'lint', severity: 'error', code: runKey(trace),
      message: `${runKey(trace)} fails: ${trace.error?.code ?? 'FAILED'}: ${trace.error?.message ?? ''}`.slice(0, 600),
      file: entryFile, range: { start: { line, character: 0 }, end: { line, character: 0 } }, fixes: [],
    };
  });
}

/** What one suggestion needs. */
export interface SuggestInput {
  workspace: PluginWorkspace;
  manifest: ResolvedPluginManifest;
  sandbox: Sandbox;
  pluginKey: string;
  config: Record<string, unknown>;
  /** Package-relative path of the file to fix. */
  file: string;
  /** Picks the target among the baseline findings of the file (codex and runtime ones together). */
  pick: (baseline: Finding[]) => Finding | undefined;
  model: FixModel;
  /** The learning record of the target's subject, oldest first. */
  history: readonly FixOutcomeRecord[];
  maxAttempts?: number;
  signal?: AbortSignal;
}

/** The outcome, with the learning records verification added (to be stored). */
export interface SuggestOutput {
  target: Finding | undefined;
  result: SuggestFixResult | undefined;
  recorded: FixOutcome[];
}

/**
 * Asks the model for a fix of one finding or failing run and verifies every candidate the way the
 * language server does (codex-core/llm `suggestVerifiedFix`), with a re-diagnosis that covers both
 * worlds: codex-core re-analyses the patched file in memory (an overlay), and when the file is the
 * entry, the health check and examples run again in the sandbox against the patched code. A
 * candidate passes only when the target is gone and no new error — static or runtime — appears.
 */
export async function suggestFix(input: SuggestInput): Promise<SuggestOutput> {
  const { workspace, manifest } = input;
  const absolute = workspace.absolute(input.file);
  const isEntry = input.file === manifest.entry;
  const diagnose = async (text: string, signal?: AbortSignal): Promise<Finding[]> => {
    // codex-core runs in the scan worker: the patched text is an overlay there for this one analysis.
    const analysis = await analyzeText(workspace, absolute, text, signal);
    if (!isEntry) return analysis.findings;
    const traces = await runTraced({ sandbox: input.sandbox, pluginKey: input.pluginKey, manifest, code: text, config: input.config, signal });
    return [...analysis.findings, ...runtimeFindings(traces, absolute)];
  };
  const original = workspace.text(input.file);
  if (original === undefined) return { target: undefined, result: undefined, recorded: [] };
  const target = input.pick(await diagnose(original, input.signal));
  if (!target) return { target: undefined, result: undefined, recorded: [] };

  // The learning record lives in the database; the store is rebuilt from it for this request, so
  // few-shot examples and candidate ranking follow every registry instance's outcomes.
  const store = new LearningStore();
  for (const record of input.history) {
    store.record({ id: record.suggestionId ?? record.id, ruleId: target.ruleId, outcome: record.outcome, message: record.message, before: record.before, after: record.after, reason: record.reason });
  }
  const seeded = store.all().length;
  const result = await suggestVerifiedFix({ finding: target, text: original, model: input.model, diagnose, store, maxAttempts: input.maxAttempts ?? 3, signal: input.signal });
  return { target, result, recorded: store.all().slice(seeded) };
}
