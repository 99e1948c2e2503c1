import { describe, expect, it } from 'vitest';
import type { Finding } from '../../protocol/findings';
import { mergeFindings, shiftFindings } from './document-runs';

const finding = (line: number, message = `on ${line}`): Finding => ({
  ruleId: 'type-check', category: 'type', severity: 'error', message, file: '/a.ts',
  range: { start: { line, character: 2 }, end: { line, character: 5 } },
  fixes: [{ title: 'fix', kind: 'trivial', edits: [] }],
});
const at = (line: number) => ({ line, character: 0 });

describe('shiftFindings', () => {
  it.each([
    ['keeps findings above an edit', [{ range: { start: at(5), end: at(5) }, text: 'x\n' }], 2, 2],
    ['moves findings below an insertion down', [{ range: { start: at(1), end: at(1) }, text: 'a\nb\n' }], 4, 6],
    ['moves findings below a deletion up', [{ range: { start: at(1), end: at(3) }, text: '' }], 6, 4],
  ])('%s', (_, changes, line, expected) => {
    const [moved] = shiftFindings([finding(line)], changes);
    expect(moved!.range.start.line).toBe(expected);
  });

  it('drops findings on edited lines and the fixes of moved ones (their edits would be stale)', () => {
    const result = shiftFindings([finding(2), finding(9)], [{ range: { start: at(2), end: at(2) }, text: 'x\n' }]);
    expect(result.map((entry) => entry.range.start.line)).toEqual([10]);
    expect(result[0]!.fixes).toEqual([]);
  });

  it('forgets everything on a full-text change', () => {
    expect(shiftFindings([finding(1)], [{ text: 'new' }])).toEqual([]);
  });
});

describe('mergeFindings', () => {
  it('puts fresh findings first and drops carried duplicates', () => {
    expect(mergeFindings([finding(1)], [finding(1), finding(3)]).map((entry) => entry.range.start.line)).toEqual([1, 3]);
  });
});
