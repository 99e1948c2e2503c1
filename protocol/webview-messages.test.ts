import { describe, expect, it } from 'vitest';
import { isForwardableApiRequest, isHostToWebview, isWebviewToHost, type ApiRequest } from './webview-messages';

describe('webview messages', () => {
  it.each<[ApiRequest, boolean]>([
    [{ method: 'GET', path: '/api/plugins/list?q=a' }, true],
    [{ method: 'POST', path: '/api/plugins/install', body: {} }, true],
    [{ method: 'GET', path: '/console/main.js' }, false],
    [{ method: 'GET', path: 'https://evil.example/api/x' }, false],
    [{ method: 'GET', path: '//evil.example/api/x' }, false],
    [{ method: 'GET', path: '/api/../admin' }, false],
    [{ method: 'GET', path: '/api/x\\y' }, false],
    [{ method: 'PATCH' as never, path: '/api/x' }, false],
  ])('the host forwards %o: %s', (request, allowed) => {
    expect(isForwardableApiRequest(request)).toBe(allowed);
  });

  it('recognises each side\'s messages', () => {
    expect(isWebviewToHost({ type: 'ready' })).toBe(true);
    expect(isWebviewToHost({ type: 'show-view' })).toBe(false);
    expect(isHostToWebview({ type: 'show-view', view: 'admin' })).toBe(true);
    expect(isHostToWebview(null)).toBe(false);
  });
});
