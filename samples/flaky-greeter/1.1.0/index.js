// flaky-greeter 1.1.0: a deliberately broken upgrade for self-healing demos. The tool still
// answers, but the health check always fails, so the registry reverts installations to the last
// known good version (1.0.0).

function greet(input) {
  const name = input && typeof input.name === 'string' && input.name.trim() !== '' ? input.name.trim() : 'world';
  const punctuation = input && input.excited ? '!!!' : '!';
  return { greeting: 'Hello, ' + name + punctuation };
}

export default {
  tools: {
    async greet(input) {
      return greet(input);
    },
  },
  async healthCheck() {
    throw new Error('flaky-greeter 1.1.0 is unhealthy on purpose: its greeting template store is unreachable (a simulated regression for self-healing demos). Roll back to 1.0.0.');
  },
};
