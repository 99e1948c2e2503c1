// The tools behind the todo micro-app; the UI (ui/todo-app.js) calls them through the host.
// Todos live in the installation's private storage as `todo:<n>` plus a `meta:next-id` counter.

const PREFIX = 'todo:';
const COUNTER = 'meta:next-id';

async function load(ctx) {
  const keys = await ctx.storage.list(PREFIX);
  // The reads are independent: the bridge serves them together.
  const todos = (await Promise.all(keys.map((key) => ctx.storage.get(key)))).filter(Boolean);
  return todos.sort((a, b) => a.id - b.id);
}

export default {
  tools: {
    async addTodo(input, ctx) {
      const title = input && typeof input.title === 'string' ? input.title.trim() : '';
      if (title === '') throw new Error('title must be a non-empty string');
      const id = (await ctx.storage.get(COUNTER)) || 1;
      await ctx.storage.put(COUNTER, id + 1);
      const todo = { id, title, done: false };
      await ctx.storage.put(PREFIX + id, todo);
      return todo;
    },
    async listTodos(input, ctx) {
      const todos = await load(ctx);
      const includeDone = !input || input.includeDone !== false;
      const visible = includeDone ? todos : todos.filter((todo) => !todo.done);
      return { todos: visible, remaining: todos.filter((todo) => !todo.done).length };
    },
    async completeTodo(input, ctx) {
      const id = input && input.id;
      const todo = await ctx.storage.get(PREFIX + id);
      if (!todo) throw new Error('there is no todo with id ' + JSON.stringify(id));
      todo.done = true;
      await ctx.storage.put(PREFIX + id, todo);
      return todo;
    },
  },
  async healthCheck(ctx) {
    await ctx.storage.list(PREFIX);
    return { ok: true };
  },
};
