import { createTwoFilesPatch, diffLines } from 'diff';
import type { Finding, Severity } from '../../protocol/findings';
import { CandidateFormatError, parseCandidates } from './candidate-parser';
import { buildFixPrompt } from './fix-prompt';
import type { LearningStore } from './learning-store';
import type { FixModel } from './llm-client';

/** Re-diagnoses a candidate text of the file (in memory) and returns its findings. */
export type Diagnose = (text: string, signal?: AbortSignal) => Promise<Finding[]>;

/** A candidate that passed verification. */
export interface VerifiedFix {
  /** Stable id for the learning record. */
  id: string;
  reason: string;
  newText: string;
  /** A unified diff of the change, for the preview. */
  diff: string;
  /** The changed lines before and after, for the learning record. */
  before: string;
  after: string;
  /** The attempt (1-based) that produced it. */
  attempt: number;
}

/** What {@link suggestVerifiedFix} reports while it works. */
export interface FixProgress {
  attempt: number;
  maxAttempts: number;
  message: string;
}

/** Options of {@link suggestVerifiedFix}. */
export interface SuggestFixOptions {
  finding: Finding;
  /** The current text of the finding's file. */
  text: string;
  model: FixModel;
  diagnose: Diagnose;
  store: LearningStore;
  /** Model calls at most (default 3). */
  maxAttempts?: number;
  signal?: AbortSignal;
  onProgress?: (progress: FixProgress) => void;
}

/** The outcome: the best verified fix, or why none could be offered. */
export type SuggestFixResult =
  | { ok: true; fix: VerifiedFix; rejected: string[] }
  | { ok: false; rejected: string[] };

const signature = (finding: Finding): string => `${finding.ruleId}|${finding.code ?? ''}|${finding.message}`;
const ERROR: Severity = 'error';

function errorCounts(findings: readonly Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const finding of findings) if (finding.severity === ERROR) counts.set(signature(finding), (counts.get(signature(finding)) ?? 0) + 1);
  return counts;
}

/** The changed lines of a change, for the learning record and its few-shot examples. */
export function changedLines(before: string, after: string): { before: string; after: string } {
  const removed: string[] = [];
  const added: string[] = [];
  for (const change of diffLines(before, after)) {
    if (change.removed) removed.push(change.value.replace(/\n$/, ''));
    if (change.added) added.push(change.value.replace(/\n$/, ''));
  }
  return { before: removed.join('\n').slice(0, 800), after: added.join('\n').slice(0, 800) };
}

let counter = 0;

/**
 * Asks the model for fixes of one finding and offers only verified ones: each candidate is applied
 * in memory and re-diagnosed; it passes when the target finding is gone and no new error appears.
 * Refusals (unparseable answers, edits that do not apply, failed verification) are fed back to the
 * model, up to `maxAttempts` calls. Passing candidates are ranked by the learning store.
 */
export async function suggestVerifiedFix(options: SuggestFixOptions): Promise<SuggestFixResult> {
  const { finding, text, diagnose, store, signal } = options;
  const maxAttempts = options.maxAttempts ?? 3;
  const baseline = await diagnose(text, signal);
  const baselineErrors = errorCounts(baseline);
  const targetCount = baseline.filter((candidate) => signature(candidate) === signature(finding)).length;
  const examples = store.examples(finding.ruleId);
  const rejected: string[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    signal?.throwIfAborted();
    options.onProgress?.({ attempt, maxAttempts, message: attempt === 1 ? 'Asking the model for a fix' : `Retrying (${attempt}/${maxAttempts}): ${rejected[rejected.length - 1] ?? ''}` });
    const answer = await options.model.complete(buildFixPrompt({ finding, text, examples, failures: rejected.slice(-3) }), signal);
    let candidates;
    try {
      candidates = parseCandidates(text, answer);
    } catch (error) {
      if (!(error instanceof CandidateFormatError)) throw error;
      rejected.push(`unusable answer: ${error.message}`);
      continue;
    }
    const passed: VerifiedFix[] = [];
    for (const candidate of candidates) {
      signal?.throwIfAborted();
      const lines = changedLines(text, candidate.newText);
      const id = `ai-${Date.now().toString(36)}-${(counter++).toString(36)}`;
      const fail = (reason: string): void => {
        rejected.push(reason);
        store.record({ id, ruleId: finding.ruleId, ...(finding.code ? { code: finding.code } : {}), outcome: 'failed-verification', message: `${finding.message} — ${reason}`, ...lines, reason: candidate.reason });
      };
      if (candidate.newText === text) {
        fail('the candidate changes nothing');
        continue;
      }
      options.onProgress?.({ attempt, maxAttempts, message: 'Verifying a candidate' });
      const after = await diagnose(candidate.newText, signal);
      const remaining = after.filter((candidateFinding) => signature(candidateFinding) === signature(finding)).length;
      if (remaining >= targetCount) {
        fail(`the candidate does not remove the problem "${finding.message}"`);
        continue;
      }
      const newErrors = [...errorCounts(after)].filter(([key, count]) => count > (baselineErrors.get(key) ?? 0)).map(([key]) => key.split('|').slice(2).join('|'));
      if (newErrors.length > 0) {
        fail(`the candidate introduces a new error: ${newErrors[0]}`);
        continue;
      }
      passed.push({
        id,
        reason: candidate.reason,
        newText: candidate.newText,
        diff: createTwoFilesPatch(finding.file, finding.file, text, candidate.newText, 'current', 'fixed'),
        ...lines,
        attempt,
      });
    }
    if (passed.length > 0) {
      passed.sort((a, b) => store.score(finding.ruleId, b.after) - store.score(finding.ruleId, a.after));
      return { ok: true, fix: passed[0]!, rejected };
    }
  }
  return { ok: false, rejected };
}
