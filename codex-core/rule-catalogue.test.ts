import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES } from './rule-catalogue';

describe('rule catalogue', () => {
  it.each(RULES.map((rule) => [rule.id, rule] as const))('%s has a doc page that names it', (id, rule) => {
    expect(existsSync(rule.docsPath)).toBe(true);
    expect(readFileSync(rule.docsPath, 'utf8')).toMatch(new RegExp(`^# ${id}\\n`));
  });
  it('has unique ids', () => {
    expect(new Set(RULES.map((rule) => rule.id)).size).toBe(RULES.length);
  });
});
