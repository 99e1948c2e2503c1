// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../../adapters/marketplace-adapter';
import { createFakeAdapter } from '../../test-support/fake-adapter';
import { $, $$, mount, settle, textOf } from '../../test-support/render';
import { parseRoute, routeHash, type Route } from './codex-app';
import './codex-app';

afterEach(() => {
  document.body.innerHTML = '';
  location.hash = '';
});

describe('routes', () => {
  it.each<[string, Route]>([
    ['', { view: 'marketplace' }],
    ['#/marketplace', { view: 'marketplace' }],
    ['#/plugins/@codex/text-stats', { view: 'details', pluginId: '@codex/text-stats' }],
    ['#/plugins/%40codex%2Ftext-stats', { view: 'details', pluginId: '@codex/text-stats' }],
    ['#/debug', { view: 'debug' }],
    ['#/debug/@codex/flaky-greeter', { view: 'debug', pluginId: '@codex/flaky-greeter' }],
    ['#/admin', { view: 'admin' }],
    ['#/nonsense', { view: 'marketplace' }],
  ])('%s is %o', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
    if (hash.startsWith('#/') && !hash.includes('%') && hash !== '#/nonsense') expect(routeHash(route)).toBe(hash);
  });
});

describe('codex-app', () => {
  it('asks a browser user without a valid token to sign in', async () => {
    const app = await mount('codex-app', { mode: 'browser', adapter: createFakeAdapter({ me: async () => undefined }) });
    expect($$(app, 'codex-sign-in')).toHaveLength(1);
  });

  it('shows sign-in without asking the registry when the page holds no token', async () => {
    const adapter = createFakeAdapter();
    const app = await mount('codex-app', { mode: 'browser', needsSignIn: true, adapter });
    expect($$(app, 'codex-sign-in')).toHaveLength(1);
    expect(adapter.calls).toEqual([]);
  });

  it('shows the registry\'s reason when it refuses a submitted token', async () => {
    const app = await mount('codex-app', { mode: 'browser', needsSignIn: true, adapter: createFakeAdapter({ me: async () => { throw new AdapterError(401, 'CODEX_ERR_UNAUTHENTICATED', 'the token has expired; sign in again'); } }) });
    await app.tokenStored();
    await settle(app);
    expect($(app, 'codex-sign-in').error).toBe('the token has expired; sign in again');
  });

  it('shows the navigation, the user and the marketplace once signed in; admins see Admin', async () => {
    const app = await mount('codex-app', { mode: 'browser', adapter: createFakeAdapter() });
    expect($$(app, 'nav a').map((a) => textOf(a))).toEqual(['Marketplace', 'Debug', 'Admin', 'Sign out']);
    expect(textOf($(app, '.user'))).toBe('admin (super-admin)');
    expect($$(app, 'codex-marketplace-view')).toHaveLength(1);
  });

  it('hides Admin from plain users and routes to details when a plugin is opened', async () => {
    const app = await mount('codex-app', { mode: 'browser', adapter: createFakeAdapter({ me: async () => ({ userId: 'bob', role: 'user' }) }) });
    expect($$(app, 'nav a').map((a) => textOf(a))).not.toContain('Admin');
    $(app, 'main').dispatchEvent(new CustomEvent('codex-open-plugin', { detail: { pluginId: '@codex/text-stats' }, bubbles: true }));
    await settle(app);
    expect(location.hash).toBe('#/plugins/@codex/text-stats');
    expect($(app, 'codex-plugin-details').pluginId).toBe('@codex/text-stats');
  });

  it('in VS Code shows the view the host picks, without sign-in or navigation', async () => {
    const app = await mount('codex-app', { mode: 'vscode', adapter: createFakeAdapter({ me: async () => undefined }) });
    expect($$(app, 'nav')).toHaveLength(0);
    app.navigate({ view: 'admin' });
    await settle(app);
    expect($$(app, 'codex-admin-console')).toHaveLength(1);
  });
});
