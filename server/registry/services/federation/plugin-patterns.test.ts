import { describe, expect, it } from 'vitest';
import { isSelected, matchesPattern } from './plugin-patterns';

describe('plugin id patterns', () => {
  it.each([
    ['@codex/text-stats', '@codex/*', true],
    ['@codex/text-stats', '@codex/text-*', true],
    ['@codexx/text-stats', '@codex/*', false],
    ['@acme/a.b', '@acme/a.b', true],
    ['@acme/axb', '@acme/a.b', false],
    ['@acme/ab', '@acme/a?', true],
    ['@acme/anything', '*', true],
  ])('%s against %s is %s', (id, pattern, expected) => {
    expect(matchesPattern(id, pattern)).toBe(expected);
  });

  it('takes everything without includes, and an exclude wins', () => {
    expect(isSelected('@acme/x', [], [])).toBe(true);
    expect(isSelected('@acme/x', ['@acme/*'], ['@acme/x'])).toBe(false);
    expect(isSelected('@other/x', ['@acme/*'], [])).toBe(false);
  });
});
