// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { listItem } from '../../test-support/fake-adapter';
import { $, $$, mount, textOf } from '../../test-support/render';
import { isNewer, type PluginActionDetail } from './plugin-card';
import './plugin-card';

afterEach(() => { document.body.innerHTML = ''; });

const installation = (version: string, lastKnownGoodVersion: string | null = null) => ({
  targetId: 'default', pluginId: '@codex/text-stats', version, lastKnownGoodVersion, config: {}, grantedPermissions: {}, dataSchema: 'p', asDependency: false,
  status: 'active', installedBy: 'admin', installedAt: '', updatedAt: '',
});

describe('isNewer', () => {
  it.each([
    ['1.1.0', '1.0.0', true], ['1.0.0', '1.0.0', false], ['1.0.0', '1.1.0', false], ['2.0.0', '1.9.9', true], ['1.0.10', '1.0.9', true],
    [null, '1.0.0', false], ['1.0.0', undefined, false],
  ])('%s newer than %s: %s', (latest, installed, expected) => {
    expect(isNewer(latest, installed)).toBe(expected);
  });
});

describe('codex-plugin-card', () => {
  it('shows the title, id, badges, counts and an Install button when not installed', async () => {
    const card = await mount('codex-plugin-card', { plugin: listItem() });
    const text = textOf(card);
    expect(text).toContain('Text statistics');
    expect(text).toContain('@codex/text-stats');
    expect(text).toContain('official');
    expect(text).toContain('recommended');
    expect(text).toContain('12 installs');
    expect(text).toContain('★ 4.5 (2)');
    expect($$(card, 'button').map((b) => b.textContent?.trim())).toEqual(['Install']);
    expect($(card, 'article').getAttribute('role')).toBe('listitem');
  });

  it('shows the installed version, an available update, and upgrade, roll back and remove', async () => {
    const card = await mount('codex-plugin-card', { plugin: listItem({ version: '1.1.0' }), installation: installation('1.0.0', '0.9.0') });
    expect($(card, '[data-state=installed]').textContent).toContain('installed 1.0.0');
    expect($(card, '[data-state=update]').textContent).toContain('update 1.1.0');
    expect(card.updateAvailable).toBe(true);
    expect($$(card, 'button').map((b) => b.textContent?.trim())).toEqual(['Upgrade', 'Roll back', 'Remove']);
  });

  it('offers no upgrade when the installed version is the latest', async () => {
    const card = await mount('codex-plugin-card', { plugin: listItem(), installation: installation('1.0.0') });
    expect($$(card, '[data-state=update]')).toHaveLength(0);
    expect($$(card, 'button').map((b) => b.textContent?.trim())).toEqual(['Remove']);
  });

  it('fires codex-open-plugin on click and on Enter, and codex-plugin-action (without opening) on a button', async () => {
    const card = await mount('codex-plugin-card', { plugin: listItem() });
    const opened: string[] = [];
    const actions: PluginActionDetail[] = [];
    card.addEventListener('codex-open-plugin', (event) => opened.push(event.detail.pluginId));
    card.addEventListener('codex-plugin-action', (event) => actions.push(event.detail));
    $(card, 'article').click();
    $(card, 'article').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    $(card, 'button').click();
    expect(opened).toEqual(['@codex/text-stats', '@codex/text-stats']);
    expect(actions).toEqual([{ kind: 'install', pluginId: '@codex/text-stats' }]);
  });
});
