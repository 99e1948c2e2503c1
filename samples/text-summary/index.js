// Summarises a text by picking its most informative sentences. It depends on @codex/text-stats and
// calls that plugin's tools through ctx.callTool (only plugins listed in "dependencies" are callable).

const STATS = '@codex/text-stats';
const STOP_WORDS = new Set(('a an and are as at be but by for from has have he her his i in is it its of on or ' +
  'our she so that the their them they this to was we were will with you your').split(' '));

function wordsOf(sentence) {
  const matches = sentence.toLowerCase().match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu);
  return matches ? matches : [];
}

async function summarize(input, ctx) {
  if (!input || typeof input.text !== 'string') throw new Error('input.text must be a string');
  const maxSentences = input.maxSentences === undefined ? 2 : input.maxSentences;
  const { sentences } = await ctx.callTool(STATS, 'splitSentences', { text: input.text });
  const stats = await ctx.callTool(STATS, 'analyze', { text: input.text });

  // Score each sentence by how often its content words occur in the whole text (a classic
  // frequency summariser), normalised by length so long sentences do not always win.
  const frequency = new Map();
  for (const sentence of sentences) {
    for (const word of wordsOf(sentence)) {
      if (!STOP_WORDS.has(word)) frequency.set(word, (frequency.get(word) || 0) + 1);
    }
  }
  const scored = sentences.map((sentence, index) => {
    const content = wordsOf(sentence).filter((word) => !STOP_WORDS.has(word));
    const total = content.reduce((sum, word) => sum + frequency.get(word), 0);
    return { sentence, index, score: content.length === 0 ? 0 : total / content.length };
  });
  const chosen = scored
    .slice()
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, maxSentences)
    .sort((a, b) => a.index - b.index);
  const summary = chosen.map((item) => item.sentence).join(' ');
  return {
    summary,
    sentenceCount: chosen.length,
    original: { words: stats.words, sentences: stats.sentences },
    compression: stats.words === 0 ? 1 : Math.round((wordsOf(summary).length / stats.words) * 100) / 100,
  };
}

export default {
  tools: { summarize },
  async healthCheck(ctx) {
    // Healthy only when the dependency answers: a broken text-stats makes this plugin unhealthy too.
    const stats = await ctx.callTool(STATS, 'analyze', { text: 'Ping.' });
    if (stats.words !== 1) throw new Error('@codex/text-stats answered unexpectedly: ' + JSON.stringify(stats));
    return { ok: true };
  },
};
