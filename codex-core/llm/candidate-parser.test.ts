import { createTwoFilesPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { applyLineEdits, CandidateFormatError, parseCandidates } from './candidate-parser';

const TEXT = 'one\ntwo\nthree\n';

describe('parseCandidates', () => {
  it.each([
    ['a JSON list of candidates', JSON.stringify({ candidates: [{ reason: 'r', edits: [{ startLine: 2, endLine: 2, replacement: 'TWO' }] }] }), 'one\nTWO\nthree\n'],
    ['a single JSON candidate in a code fence', '```json\n{"reason":"r","edits":[{"startLine":1,"endLine":1,"replacement":"ONE"}]}\n```', 'ONE\ntwo\nthree\n'],
    ['an insertion (endLine = startLine - 1)', JSON.stringify({ reason: 'r', edits: [{ startLine: 2, endLine: 1, replacement: 'one and a half' }] }), 'one\none and a half\ntwo\nthree\n'],
    ['a deletion (empty replacement)', JSON.stringify({ reason: 'r', edits: [{ startLine: 2, endLine: 2, replacement: '' }] }), 'one\nthree\n'],
    ['a unified diff after a reason', `Because.\n${createTwoFilesPatch('a.ts', 'a.ts', TEXT, 'one\n2\nthree\n')}`, 'one\n2\nthree\n'],
  ])('reads %s', (_, answer, expected) => {
    expect(parseCandidates(TEXT, answer)[0]!.newText).toBe(expected);
  });

  it('keeps the reason of a diff answer without the patch headers', () => {
    expect(parseCandidates(TEXT, `Because.\n${createTwoFilesPatch('a.ts', 'a.ts', TEXT, 'one\n2\nthree\n')}`)[0]!.reason).toBe('Because.');
  });

  it.each([
    ['prose', 'I would change line two.'],
    ['JSON without edits', '{"candidates":[{"reason":"r","edits":[]}]}'],
    ['lines out of range', JSON.stringify({ reason: 'r', edits: [{ startLine: 9, endLine: 9, replacement: 'x' }] })],
    ['a diff whose context does not match', '--- a.ts\n+++ a.ts\n@@ -1,2 +1,2 @@\n zero\n-uno\n+dos\n'],
  ])('refuses %s with a reason for the model', (_, answer) => {
    expect(() => parseCandidates(TEXT, answer)).toThrow(CandidateFormatError);
  });

  it('refuses overlapping edits', () => {
    expect(() => applyLineEdits(TEXT, [{ startLine: 1, endLine: 2, replacement: 'a' }, { startLine: 2, endLine: 3, replacement: 'b' }])).toThrow('overlap');
  });
});
