// Pure text statistics: no permissions, no state. Runs inside the QuickJS sandbox (no imports).

function words(text) {
  const matches = text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu);
  return matches ? matches : [];
}

function sentences(text) {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  return trimmed
    .split(/(?<=[.!?…])\s+/u)
    .map((sentence) => sentence.trim())
    .filter((sentence) => words(sentence).length > 0);
}

function requireText(input) {
  if (!input || typeof input.text !== 'string') throw new Error('input.text must be a string');
  return input.text;
}

function analyze(input) {
  const text = requireText(input);
  const list = words(text);
  const letters = list.reduce((total, word) => total + Array.from(word).length, 0);
  const paragraphs = text.split(/\n\s*\n/).filter((paragraph) => paragraph.trim() !== '').length;
  return {
    characters: Array.from(text).length,
    charactersNoSpaces: Array.from(text.replace(/\s/gu, '')).length,
    words: list.length,
    sentences: sentences(text).length,
    paragraphs,
    averageWordLength: list.length === 0 ? 0 : Math.round((letters / list.length) * 100) / 100,
    // 200 words a minute, rounded up to whole seconds.
    readingTimeSeconds: Math.ceil((list.length / 200) * 60),
  };
}

export default {
  tools: {
    async analyze(input) {
      return analyze(input);
    },
    async splitSentences(input) {
      return { sentences: sentences(requireText(input)) };
    },
  },
  async healthCheck() {
    const result = analyze({ text: 'One two. Three!' });
    if (result.words !== 3 || result.sentences !== 2) throw new Error('text-stats self-test failed: expected 3 words in 2 sentences');
    return { ok: true };
  },
};
