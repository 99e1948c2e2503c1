// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { $$, mount } from '../../test-support/render';
import './code-view';

afterEach(() => { document.body.innerHTML = ''; });

describe('codex-code-view', () => {
  it('numbers lines and colours tokens without interpreting markup', async () => {
    const view = await mount('codex-code-view', { path: 'index.js', code: 'const a = "<b>x</b>"; // note\nreturn 42;\n' });
    expect($$(view, '.line')).toHaveLength(2);
    expect($$(view, '.tok-keyword').map((t) => t.textContent)).toEqual(['const', 'return']);
    expect($$(view, '.tok-string').map((t) => t.textContent)).toEqual(['"<b>x</b>"']);
    expect($$(view, '.tok-comment').map((t) => t.textContent)).toEqual(['// note']);
    expect($$(view, '.tok-number').map((t) => t.textContent)).toEqual(['42']);
    expect($$(view, 'b')).toHaveLength(0);
  });
});
