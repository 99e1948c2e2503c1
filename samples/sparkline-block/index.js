// The data side of the sparkline block: a tool that turns numbers (given, or a reproducible
// pseudo-random walk) into the series the <codex-sparkline> element draws.

function walk(length, seed) {
  // A small linear congruential generator: the same seed always gives the same series.
  let state = seed >>> 0;
  let value = 50;
  const values = [];
  for (let index = 0; index < length; index += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    value += ((state / 4294967296) - 0.5) * 10;
    values.push(Math.round(value * 100) / 100);
  }
  return values;
}

function describe(values) {
  if (values.length === 0) return { values, min: null, max: null, last: null, trend: 'flat' };
  const first = values[0];
  const last = values[values.length - 1];
  const trend = last > first ? 'up' : last < first ? 'down' : 'flat';
  return { values, min: Math.min.apply(null, values), max: Math.max.apply(null, values), last, trend };
}

export default {
  tools: {
    async series(input) {
      if (input && Array.isArray(input.values)) {
        if (!input.values.every((value) => typeof value === 'number' && Number.isFinite(value))) throw new Error('values must be finite numbers');
        return describe(input.values);
      }
      const length = input && Number.isInteger(input.length) ? input.length : 20;
      const seed = input && Number.isInteger(input.seed) ? input.seed : 1;
      return describe(walk(length, seed));
    },
  },
  async healthCheck() {
    const { values } = describe(walk(3, 1));
    if (values.length !== 3) throw new Error('sparkline self-test failed');
    return { ok: true };
  },
};
