// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../../adapters/marketplace-adapter';
import { createFakeAdapter } from '../../test-support/fake-adapter';
import { $, mount, settle, textOf } from '../../test-support/render';
import type { PluginRequestedDetail } from './request-form';
import './request-form';

afterEach(() => { document.body.innerHTML = ''; });

function fill(form: HTMLElement, title: string, description: string) {
  $<HTMLInputElement>(form, '[name=title]').value = title;
  $<HTMLTextAreaElement>(form, '[name=description]').value = description;
  $<HTMLFormElement>(form, 'form').dispatchEvent(new Event('submit', { cancelable: true }));
}

describe('codex-request-form', () => {
  it('sends a new-plugin request and thanks the user', async () => {
    const adapter = createFakeAdapter();
    const form = await mount('codex-request-form', { adapter });
    const sent: PluginRequestedDetail[] = [];
    form.addEventListener('codex-plugin-requested', (event) => sent.push(event.detail));
    fill(form, '  CSV to chart  ', 'Draw charts from CSV files');
    await settle(form);
    expect(adapter.calls.at(-1)).toEqual({ method: 'createPluginRequest', args: [{ kind: 'new-plugin', title: 'CSV to chart', description: 'Draw charts from CSV files' }] });
    expect(textOf($(form, '[role=status]'))).toContain('your request “CSV to chart” was recorded (status: open)');
    expect(sent).toHaveLength(1);
  });

  it('asks for a title and shows the registry error', async () => {
    const form = await mount('codex-request-form', { adapter: createFakeAdapter({ createPluginRequest: async () => { throw new AdapterError(401, 'CODEX_ERR_UNAUTHENTICATED', 'needs a signed-in user'); } }) });
    await form.submit(' ', '');
    await settle(form);
    expect(textOf($(form, '[role=alert]'))).toBe('Give the plugin a title.');
    fill(form, 'Thing', '');
    await settle(form);
    expect(textOf($(form, '[role=alert]'))).toBe('needs a signed-in user');
  });
});
