// @vitest-environment happy-dom
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleDirectories } from '../../samples/index.js';

const sample = (name: string) => sampleDirectories().find((dir) => dir.endsWith(`/samples/${name}`)) as string;

beforeAll(async () => {
  await import(pathToFileURL(join(sample('sparkline-block'), 'ui/sparkline.js')).href);
  await import(pathToFileURL(join(sample('todo-app'), 'ui/todo-app.js')).href);
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('<codex-sparkline-block>', () => {
  it('draws the values attribute as a polyline and shows the range', () => {
    const block = document.createElement('codex-sparkline-block');
    block.setAttribute('values', '3,1,4,1,5');
    document.body.append(block);
    const points = block.shadowRoot?.querySelector('polyline')?.getAttribute('points')?.split(' ');
    expect(points).toHaveLength(5);
    expect(points?.[0]).toBe('0.00,15.00');
    expect(points?.[4]).toBe('100.00,2.00');
    expect(block.shadowRoot?.querySelector('.range')?.textContent).toBe('min 1 · max 5');
    expect(block.shadowRoot?.querySelector('.last')?.textContent).toBe('last 5 (up)');
  });

  it('takes the series tool output through its data property', () => {
    const block = document.createElement('codex-sparkline-block') as HTMLElement & { data: unknown };
    document.body.append(block);
    block.data = { values: [5, 4, 3], trend: 'down' };
    expect(block.shadowRoot?.querySelector('.last')?.textContent).toBe('last 3 (down)');
    block.data = { values: [] };
    expect(block.shadowRoot?.querySelector('.range')?.textContent).toBe('no data');
  });
});

describe('<codex-todo-app>', () => {
  it('lists, adds and completes todos through the host-provided callTool', async () => {
    const todos: { id: number; title: string; done: boolean }[] = [{ id: 1, title: 'Existing', done: false }];
    const calls: string[] = [];
    const app = document.createElement('codex-todo-app') as HTMLElement & { callTool: (tool: string, input: Record<string, unknown>) => Promise<unknown> };
    app.callTool = async (tool, input) => {
      calls.push(tool);
      if (tool === 'addTodo') todos.push({ id: todos.length + 1, title: String(input.title), done: false });
      if (tool === 'completeTodo') (todos.find((todo) => todo.id === input.id) as { done: boolean }).done = true;
      return { todos: structuredClone(todos), remaining: todos.filter((todo) => !todo.done).length };
    };
    document.body.append(app);
    await settle();
    const root = app.shadowRoot as ShadowRoot;
    expect([...root.querySelectorAll('li span')].map((span) => span.textContent)).toEqual(['Existing']);

    (root.querySelector('input[name=title]') as HTMLInputElement).value = 'Write tests';
    root.querySelector('form')?.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect([...root.querySelectorAll('li span')].map((span) => span.textContent)).toEqual(['Existing', 'Write tests']);

    const box = root.querySelector('li input[type=checkbox]') as HTMLInputElement;
    box.checked = true;
    box.dispatchEvent(new Event('change', { bubbles: true }));
    await settle();
    expect(root.querySelector('li')?.className).toBe('done');
    expect(root.querySelector('.status')?.textContent).toBe('1 left');
    expect(calls).toEqual(['listTodos', 'addTodo', 'listTodos', 'completeTodo', 'listTodos']);
  });

  it('shows a tool error instead of failing silently', async () => {
    const app = document.createElement('codex-todo-app') as HTMLElement & { callTool: () => Promise<unknown> };
    app.callTool = async () => {
      throw new Error('storage permission not granted');
    };
    document.body.append(app);
    await settle();
    expect(app.shadowRoot?.querySelector('.status.error')?.textContent).toBe('storage permission not granted');
  });
});
