// <codex-todo-app>: the micro-app's UI, a dependency-free custom element shown in the registry's
// sandboxed iframe. It calls the plugin's tools through the host:
// - preferably through a `callTool(tool, input) => Promise<output>` function the host assigns to
//   the element's `callTool` property;
// - otherwise by posting { type: 'plugin-codex:call-tool', requestId, tool, input } to the parent
//   window and waiting for { type: 'plugin-codex:tool-result', requestId, ok, output | error }.

let nextRequest = 1;
const pending = new Map();

window.addEventListener('message', (event) => {
  const message = event.data;
  if (!message || message.type !== 'plugin-codex:tool-result' || !pending.has(message.requestId)) return;
  const { resolve, reject } = pending.get(message.requestId);
  pending.delete(message.requestId);
  if (message.ok) resolve(message.output);
  else reject(new Error(message.error || 'the tool failed'));
});

function postToolCall(tool, input) {
  return new Promise((resolve, reject) => {
    const requestId = nextRequest++;
    pending.set(requestId, { resolve, reject });
    window.parent.postMessage({ type: 'plugin-codex:call-tool', requestId, tool, input }, '*');
  });
}

class CodexTodoApp extends HTMLElement {
  constructor() {
    super();
    this.callTool = undefined;
    this._todos = [];
    this._error = '';
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `
      <style>
        :host { display: block; font: 13px var(--vscode-font-family, system-ui, sans-serif); color: var(--vscode-foreground, #222); }
        form { display: flex; gap: 6px; margin-bottom: 8px; }
        input[type=text] { flex: 1; padding: 4px 6px; background: var(--vscode-input-background, #fff); color: inherit; border: 1px solid var(--vscode-input-border, #ccc); }
        button { background: var(--vscode-button-background, #0e639c); color: var(--vscode-button-foreground, #fff); border: 0; padding: 4px 10px; cursor: pointer; }
        ul { list-style: none; margin: 0; padding: 0; }
        li { display: flex; align-items: center; gap: 6px; padding: 2px 0; }
        li.done span { text-decoration: line-through; opacity: 0.6; }
        .error { color: var(--vscode-errorForeground, #c00); }
      </style>
      <form><input type="text" name="title" placeholder="What needs doing?" aria-label="New todo"><button type="submit">Add</button></form>
      <ul></ul>
      <p class="status"></p>`;
    root.querySelector('form').addEventListener('submit', (event) => {
      event.preventDefault();
      const field = root.querySelector('input[name=title]');
      const title = field.value.trim();
      if (!title) return;
      field.value = '';
      this._run(() => this._call('addTodo', { title }));
    });
    root.querySelector('ul').addEventListener('change', (event) => {
      const id = Number(event.target.dataset.id);
      if (event.target.checked) this._run(() => this._call('completeTodo', { id }));
    });
  }

  connectedCallback() {
    this._run(async () => undefined);
  }

  _call(tool, input) {
    return typeof this.callTool === 'function' ? this.callTool(tool, input) : postToolCall(tool, input);
  }

  async _run(action) {
    try {
      await action();
      const result = await this._call('listTodos', {});
      this._todos = result.todos;
      this._error = '';
    } catch (error) {
      this._error = error && error.message ? error.message : String(error);
    }
    this._render();
  }

  _render() {
    const root = this.shadowRoot;
    const list = root.querySelector('ul');
    list.textContent = '';
    for (const todo of this._todos) {
      const item = document.createElement('li');
      item.className = todo.done ? 'done' : '';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = todo.done;
      box.disabled = todo.done;
      box.dataset.id = String(todo.id);
      const label = document.createElement('span');
      label.textContent = todo.title;
      item.append(box, label);
      list.append(item);
    }
    const status = root.querySelector('.status');
    status.className = this._error ? 'status error' : 'status';
    status.textContent = this._error || this._todos.filter((todo) => !todo.done).length + ' left';
  }
}

if (!customElements.get('codex-todo-app')) customElements.define('codex-todo-app', CodexTodoApp);
