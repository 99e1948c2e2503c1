// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { $, mount, textOf } from '../../test-support/render';
import './ui-preview';

afterEach(() => { document.body.innerHTML = ''; });

describe('codex-ui-preview', () => {
  it('frames the plugin UI with scripts allowed but never the same origin', async () => {
    const preview = await mount('codex-ui-preview', { frameUrl: '/console/preview.html', code: 'customElements.define("x-y", class extends HTMLElement {})', element: 'x-y', height: 80 });
    const frame = $<HTMLIFrameElement>(preview, 'iframe');
    expect(frame.getAttribute('sandbox')).toBe('allow-scripts');
    expect(frame.getAttribute('src')).toBe('/console/preview.html');
    expect(frame.getAttribute('height')).toBe('80');
    expect(preview.message).toEqual({ type: 'codex-preview', code: 'customElements.define("x-y", class extends HTMLElement {})', element: 'x-y' });
  });

  it('says when no preview frame is available', async () => {
    const preview = await mount('codex-ui-preview', { code: 'x' });
    expect(textOf(preview)).toBe('The preview is not available here.');
  });
});
