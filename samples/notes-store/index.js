// A small notes database. Notes live in the installation's private key/value storage (ctx.storage,
// granted by "permissions.storage"); the manifest's migrations create the matching table in the
// plugin's own schema, so installs, upgrades and rollbacks exercise the plugin-migration lifecycle.

const NOTE_PREFIX = 'note:';
const COUNTER_KEY = 'meta:next-id';

async function nextId(ctx) {
  const current = (await ctx.storage.get(COUNTER_KEY)) || 1;
  await ctx.storage.put(COUNTER_KEY, current + 1);
  return 'note-' + current;
}

function numberOf(id) {
  return Number(id.slice('note-'.length));
}

async function allNotes(ctx) {
  const keys = await ctx.storage.list(NOTE_PREFIX);
  // The reads are independent: the bridge serves them together.
  const notes = (await Promise.all(keys.map((key) => ctx.storage.get(key)))).filter(Boolean);
  return notes.sort((a, b) => numberOf(a.id) - numberOf(b.id));
}

function requireString(value, name) {
  if (typeof value !== 'string' || value.trim() === '') throw new Error(name + ' must be a non-empty string');
  return value;
}

export default {
  tools: {
    async addNote(input, ctx) {
      const note = {
        id: await nextId(ctx),
        title: requireString(input.title, 'title'),
        body: typeof input.body === 'string' ? input.body : '',
        tags: Array.isArray(input.tags) ? input.tags.filter((tag) => typeof tag === 'string') : [],
        createdAt: new Date().toISOString(),
      };
      await ctx.storage.put(NOTE_PREFIX + note.id, note);
      return note;
    },
    async listNotes(input, ctx) {
      const tag = input && typeof input.tag === 'string' ? input.tag : undefined;
      const notes = await allNotes(ctx);
      return { notes: tag === undefined ? notes : notes.filter((note) => note.tags.indexOf(tag) !== -1) };
    },
    async getNote(input, ctx) {
      const note = await ctx.storage.get(NOTE_PREFIX + requireString(input.id, 'id'));
      return { found: Boolean(note), note: note || null };
    },
    async deleteNote(input, ctx) {
      return { deleted: await ctx.storage.delete(NOTE_PREFIX + requireString(input.id, 'id')) };
    },
  },
  async healthCheck(ctx) {
    // Storage must answer; listing is read-only, so the probe leaves no trace.
    await ctx.storage.list(NOTE_PREFIX);
    return { ok: true };
  },
};
