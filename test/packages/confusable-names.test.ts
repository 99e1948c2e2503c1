import { describe, expect, it } from 'vitest';
import { findConfusable, normalisePluginName } from '../../server/registry/packages/confusable-names.js';

const existing = ['@codex/text-stats', '@acme/mailer', '@acme/weather', '@tools/json-lint', '@ai/db'];

describe('normalisePluginName', () => {
  it.each([
    ['@codex/text-stats', 'codextextstats'],
    ['@C0DEX/Text_Stats', 'codextextstats'],
    ['@codex/text.stats', 'codextextstats'],
    ['@acme/rnailer', 'acmemaiier'],
    ['@acme/mailer', 'acmemaiier'],
    ['@acme/vveather', 'acmeweather'],
    ['@too1s/json-lint', 'toolsjsonlint'.replace(/l/g, 'i')],
    ['@café/ünïcode', 'cafeunicode'],
    ['@соdех/text', 'codextext'],
  ])('%s → %s', (id, normalised) => {
    expect(normalisePluginName(id)).toBe(normalised);
  });
});

describe('findConfusable', () => {
  it.each([
    ['@c0dex/text-stats', '@codex/text-stats'],
    ['@codex/text_stats', '@codex/text-stats'],
    ['@codex/textstats', '@codex/text-stats'],
    ['@codex/text-stat', '@codex/text-stats'],
    ['@codex/text-statz', '@codex/text-stats'],
    ['@acme/rnailer', '@acme/mailer'],
    ['@acme/maiIer', '@acme/mailer'],
    ['@acme/vveather', '@acme/weather'],
    ['@acme/weathers', '@acme/weather'],
    ['@too1s/json-lint', '@tools/json-lint'],
    ['@ai/d-b', '@ai/db'],
  ])('%s is confusable with %s', (newId, match) => {
    expect(findConfusable(newId, existing)).toBe(match);
  });

  it.each([
    ['@codex/text-stats', 'the same id is a new version, not a confusion'],
    ['@codex/text-summary', 'a different name'],
    ['@acme/weather-radar', 'more than one edit away'],
    ['@ai/dc', 'one edit away but shorter than 5 characters'],
    ['@other/thing', 'nothing similar'],
  ])('%s is not confusable (%s)', (newId) => {
    expect(findConfusable(newId, existing)).toBeUndefined();
  });

  it('prefers an exact normalised match over a near one', () => {
    expect(findConfusable('@acme/mailer2', ['@acme/mailers', '@acme/maiier2'])).toBe('@acme/maiier2');
  });
});
