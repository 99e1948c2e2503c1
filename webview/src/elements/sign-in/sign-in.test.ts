// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { $, mount, settle, textOf } from '../../test-support/render';
import './sign-in';

afterEach(() => { document.body.innerHTML = ''; });

describe('codex-sign-in', () => {
  it('fires codex-sign-in with the pasted token, trimmed', async () => {
    const form = await mount('codex-sign-in');
    const tokens: string[] = [];
    form.addEventListener('codex-sign-in', (event) => tokens.push(event.detail.token));
    $<HTMLInputElement>(form, 'input').value = '  eyJabc  ';
    $<HTMLFormElement>(form, 'form').dispatchEvent(new Event('submit', { cancelable: true }));
    expect(tokens).toEqual(['eyJabc']);
    expect($<HTMLInputElement>(form, 'input').type).toBe('password');
  });

  it('asks for a token when the field is empty and shows errors it is given', async () => {
    const form = await mount('codex-sign-in');
    $<HTMLFormElement>(form, 'form').dispatchEvent(new Event('submit', { cancelable: true }));
    await settle(form);
    expect(textOf($(form, '[role=alert]'))).toBe('Paste a token first.');
    form.error = 'The registry did not accept this token.';
    await settle(form);
    expect(textOf($(form, '[role=alert]'))).toBe('The registry did not accept this token.');
  });
});
