import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LearningStore, type FixOutcomeKind } from './learning-store';

function record(store: LearningStore, id: string, ruleId: string, outcome: FixOutcomeKind, after = 'const x = 1;'): void {
  store.record({ id, ruleId, outcome, message: 'm', before: 'let x = 1;', after, reason: 'r' });
}

describe('LearningStore', () => {
  it('computes per-rule acceptance from the latest outcome of each fix', () => {
    const store = new LearningStore();
    record(store, 'a', 'lint', 'offered');
    record(store, 'a', 'lint', 'accepted');
    record(store, 'b', 'lint', 'offered');
    record(store, 'b', 'lint', 'rejected');
    record(store, 'c', 'lint', 'offered');
    record(store, 'c', 'lint', 'accepted');
    record(store, 'c', 'lint', 'reverted');
    record(store, 'd', 'lint', 'failed-verification');
    expect(store.stats('lint')).toMatchObject({ offered: 3, accepted: 1, rejected: 1, reverted: 1, failedVerification: 1, acceptanceRate: 2 / 5 });
    expect(store.stats('other').acceptanceRate).toBe(0.5);
  });

  it('picks accepted, never reverted fixes as examples, newest first', () => {
    const store = new LearningStore();
    record(store, 'a', 'type-check', 'accepted', 'first');
    record(store, 'b', 'type-check', 'accepted', 'second');
    record(store, 'b', 'type-check', 'reverted', 'second');
    record(store, 'c', 'type-check', 'accepted', 'third');
    expect(store.examples('type-check').map((example) => example.after)).toEqual(['third', 'first']);
  });

  it('ranks candidates like accepted fixes above candidates like rejected ones', () => {
    const store = new LearningStore();
    record(store, 'a', 'lint', 'accepted', 'const value = Number(input);');
    record(store, 'b', 'lint', 'rejected', 'const value = input as any;');
    expect(store.score('lint', 'const total = Number(raw);')).toBeGreaterThan(store.score('lint', 'const total = raw as any;'));
  });

  it('persists to a JSON file and reads it back', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'codex-learning-')), 'nested/learning.json');
    record(new LearningStore(file), 'a', 'lint', 'accepted');
    expect(JSON.parse(readFileSync(file, 'utf8')).outcomes).toHaveLength(1);
    expect(new LearningStore(file).all()).toHaveLength(1);
  });
});
