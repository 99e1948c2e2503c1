import type { ApiRequest, ApiResponse } from '../../../protocol/webview-messages';
import type { MarketplaceAdapter } from './marketplace-adapter';
import { createRegistryAdapter, type ApiTransport } from './registry-client';

/** Where the web console keeps the token the user signed in with (cleared when the tab closes). */
export const TOKEN_STORAGE_KEY = 'plugin-codex.token';

/** The token the user signed in with in this tab, if any. */
export function storedToken(storage: Pick<Storage, 'getItem'> = sessionStorage): string | undefined {
  return storage.getItem(TOKEN_STORAGE_KEY) ?? undefined;
}

/** Keeps (or, with undefined, forgets) the token for this tab. */
export function storeToken(token: string | undefined, storage: Pick<Storage, 'setItem' | 'removeItem'> = sessionStorage): void {
  if (token) storage.setItem(TOKEN_STORAGE_KEY, token.trim());
  else storage.removeItem(TOKEN_STORAGE_KEY);
}

/**
 * A transport that calls the registry with fetch, sending the token from `token()` as a bearer
 * credential. Network failures become status 0 so the UI can say the registry is unreachable.
 */
export function fetchTransport(baseUrl: string, token: () => string | undefined, fetchImpl: typeof fetch = fetch): ApiTransport {
  return async (request: ApiRequest): Promise<ApiResponse> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    const credential = token();
    if (credential) headers.authorization = `Bearer ${credential}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${request.path}`, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
    } catch (error) {
      return { status: 0, body: `the registry at ${baseUrl || 'this address'} cannot be reached (${error instanceof Error ? error.message : String(error)})` };
    }
    const text = await response.text();
    let body: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) {
      try { body = JSON.parse(text); } catch { body = text; }
    }
    return { status: response.status, body };
  };
}

/** The browser adapter: same-origin fetch with the token stored at sign-in. */
export function createHttpAdapter(baseUrl = '', storage: Pick<Storage, 'getItem'> = sessionStorage): MarketplaceAdapter {
  return createRegistryAdapter(fetchTransport(baseUrl, () => storedToken(storage)));
}
