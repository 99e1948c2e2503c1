import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What happened to an AI fix. */
export type FixOutcomeKind = 'offered' | 'accepted' | 'rejected' | 'reverted' | 'failed-verification';

/** One recorded outcome. `before`/`after` are the changed lines only (a few lines), for few-shot examples. */
export interface FixOutcome {
  id: string;
  ruleId: string;
  /** The underlying tool's code (`TS2322`, an ESLint rule), when there is one. */
  code?: string;
  outcome: FixOutcomeKind;
  message: string;
  before: string;
  after: string;
  reason: string;
  at: string;
}

/** Acceptance figures of one rule. */
export interface RuleStats {
  offered: number;
  accepted: number;
  rejected: number;
  reverted: number;
  failedVerification: number;
  /** Accepted (and not reverted) over offered, with a neutral prior of 0.5 for rules without history. */
  acceptanceRate: number;
}

const MAX_RECORDS = 500;

/**
 * The learning record of AI fixes, kept as one JSON file (in the editor's workspace storage). Every
 * outcome is appended; the per-rule acceptance rate picks the few-shot examples and ranks candidates.
 * Writes are atomic (temp file and rename) so a crash never leaves half a file.
 */
export class LearningStore {
  private records: FixOutcome[] = [];

  /** `file` undefined keeps the records in memory only. */
  constructor(private readonly file?: string) {
    if (file && existsSync(file)) {
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as { outcomes?: FixOutcome[] };
        if (Array.isArray(parsed.outcomes)) this.records = parsed.outcomes;
      } catch {
        // A damaged learning file only costs the history; start afresh.
      }
    }
  }

  /** Appends an outcome and saves the file. */
  record(outcome: Omit<FixOutcome, 'at'>): void {
    this.records.push({ ...outcome, at: new Date().toISOString() });
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS);
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ version: 1, outcomes: this.records }, null, 1));
    renameSync(temp, this.file);
  }

  /** Every outcome, oldest first. */
  all(): readonly FixOutcome[] {
    return this.records;
  }

  /** The latest outcome recorded for a fix id. */
  latest(id: string): FixOutcome | undefined {
    for (let index = this.records.length - 1; index >= 0; index--) if (this.records[index]!.id === id) return this.records[index];
    return undefined;
  }

  /** Acceptance figures of a rule (the latest outcome of each fix counts). */
  stats(ruleId: string): RuleStats {
    const latestById = new Map<string, FixOutcome>();
    const offeredIds = new Set<string>();
    let failedVerification = 0;
    for (const record of this.records) {
      if (record.ruleId !== ruleId) continue;
      if (record.outcome === 'failed-verification') failedVerification++;
      else {
        if (record.outcome === 'offered') offeredIds.add(record.id);
        latestById.set(record.id, record);
      }
    }
    let accepted = 0;
    let rejected = 0;
    let reverted = 0;
    for (const record of latestById.values()) {
      if (record.outcome === 'accepted') accepted++;
      else if (record.outcome === 'rejected') rejected++;
      else if (record.outcome === 'reverted') reverted++;
    }
    const offered = offeredIds.size;
    return { offered, accepted, rejected, reverted, failedVerification, acceptanceRate: (accepted + 1) / (offered + 2) };
  }

  /** Up to `limit` accepted (never reverted) fixes of the rule, newest first: the few-shot examples. */
  examples(ruleId: string, limit = 3): FixOutcome[] {
    // Rules the user mostly rejects get fewer examples: their accepted fixes are less representative.
    const rate = this.stats(ruleId).acceptanceRate;
    const count = rate >= 0.5 ? limit : Math.max(1, Math.floor(limit * rate * 2));
    const reverted = new Set(this.records.filter((record) => record.outcome === 'reverted').map((record) => record.id));
    const result: FixOutcome[] = [];
    for (let index = this.records.length - 1; index >= 0 && result.length < count; index--) {
      const record = this.records[index]!;
      if (record.ruleId === ruleId && record.outcome === 'accepted' && !reverted.has(record.id)) result.push(record);
    }
    return result;
  }

  /**
   * Scores a candidate's change against the rule's history: closer to accepted fixes is better, closer
   * to rejected or reverted ones is worse, and smaller changes win ties.
   */
  score(ruleId: string, after: string): number {
    const words = tokens(after);
    let score = 0;
    for (const record of this.records) {
      if (record.ruleId !== ruleId) continue;
      const similarity = overlap(words, tokens(record.after));
      if (record.outcome === 'accepted') score += similarity;
      else if (record.outcome === 'rejected' || record.outcome === 'reverted') score -= similarity;
    }
    return score - after.length / 10_000;
  }
}

function tokens(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z_$][\w$]*|[^\s\w]/g) ?? []);
}

function overlap(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const token of a) if (b.has(token)) shared++;
  return shared / Math.max(a.size, b.size);
}
