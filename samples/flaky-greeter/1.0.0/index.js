// flaky-greeter 1.0.0: the good version. Its health check passes, so it becomes an installation's
// last known good version.

function greet(input) {
  const name = input && typeof input.name === 'string' && input.name.trim() !== '' ? input.name.trim() : 'world';
  return { greeting: 'Hello, ' + name + '!' };
}

export default {
  tools: {
    async greet(input) {
      return greet(input);
    },
  },
  async healthCheck() {
    if (greet({ name: 'health' }).greeting !== 'Hello, health!') throw new Error('greet returned an unexpected greeting');
    return { ok: true };
  },
};
