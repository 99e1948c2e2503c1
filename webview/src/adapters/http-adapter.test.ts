import { describe, expect, it } from 'vitest';
import { fetchTransport, storedToken, storeToken, TOKEN_STORAGE_KEY } from './http-adapter';

function memoryStorage() {
  const values = new Map<string, string>();
  return { getItem: (key: string) => values.get(key) ?? null, setItem: (key: string, value: string) => { values.set(key, value); }, removeItem: (key: string) => { values.delete(key); }, values };
}

describe('http adapter', () => {
  it('keeps the token for the tab and forgets it on sign-out', () => {
    const storage = memoryStorage();
    storeToken(' abc ', storage);
    expect(storage.values.get(TOKEN_STORAGE_KEY)).toBe('abc');
    expect(storedToken(storage)).toBe('abc');
    storeToken(undefined, storage);
    expect(storedToken(storage)).toBeUndefined();
  });

  it('sends the bearer token and JSON body, and parses JSON answers', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const transport = fetchTransport('http://registry', () => 'tok', async (url, init) => {
      seen.push({ url: String(url), init: init! });
      return new Response(JSON.stringify({ ok: true }), { status: 201, headers: { 'content-type': 'application/json' } });
    });
    expect(await transport({ method: 'POST', path: '/api/plugin-requests', body: { title: 'x' } })).toEqual({ status: 201, body: { ok: true } });
    expect(seen[0]!.url).toBe('http://registry/api/plugin-requests');
    expect(seen[0]!.init.headers).toEqual({ accept: 'application/json', authorization: 'Bearer tok', 'content-type': 'application/json' });
    expect(seen[0]!.init.body).toBe('{"title":"x"}');
  });

  it('answers status 0 when the registry cannot be reached', async () => {
    const transport = fetchTransport('http://registry', () => undefined, async () => { throw new TypeError('fetch failed'); });
    expect(await transport({ method: 'GET', path: '/api/me' })).toEqual({ status: 0, body: 'the registry at http://registry cannot be reached (fetch failed)' });
  });
});
