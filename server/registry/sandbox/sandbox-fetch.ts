import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { SandboxFetchInit, SandboxFetchResponse } from '../../../protocol/plugin-runtime';
import { BridgeError } from './bridge-error';
import { isPrivateAddress, matchGrant, normaliseHost } from './network-policy';

/** What one sandboxed fetch may do. */
export interface FetchPolicy {
  /** The installation's `network` grants. */
  grants: readonly string[];
  maxResponseBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
  /** Aborted when the invocation ends, so that no request outlives it. */
  signal?: AbortSignal;
  /** Resolves a host name to all its addresses; tests replace it, production uses DNS. */
  resolve?: (hostname: string, family: number) => Promise<LookupAddress[]>;
}

function resolveWithDns(hostname: string, family: number): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(hostname, { all: true, family }, (error, addresses) => (error ? reject(error) : resolve(addresses))));
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const METHOD = /^[A-Z]{1,16}$/;
/** Headers the bridge sets itself: a plugin may not aim a granted connection at another virtual host. */
const FORBIDDEN_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'te', 'trailer', 'keep-alive']);
/** Credentials that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie']);

/**
 * Fetches a URL for plugin code. Every hop (redirects are followed here, never by the HTTP client)
 * must be granted; a host that resolves to a private, loopback or link-local address is refused
 * unless that exact host is granted, and the check runs inside the socket's own DNS lookup so that
 * the checked address is the one connected to (no rebinding between check and connect). The body
 * is read fully, up to `maxResponseBytes`, before it goes back to the sandbox.
 */
export async function sandboxFetch(rawUrl: string, init: SandboxFetchInit | undefined, policy: FetchPolicy): Promise<SandboxFetchResponse> {
  const deadline = Date.now() + policy.timeoutMs;
  const maxRedirects = policy.maxRedirects ?? 5;
  let url = parseUrl(rawUrl);
  let method = (init?.method ?? 'GET').toUpperCase();
  if (!METHOD.test(method)) throw new BridgeError('TypeError', `fetch: invalid method "${init?.method}"`);
  let body = init?.body;
  let headers = sanitiseHeaders(init?.headers);
  let previous: URL | undefined;
  for (let hop = 0; ; hop++) {
    checkGrant(url, policy.grants, previous);
    const response = await requestOnce(url, method, headers, body, policy, deadline);
    const location = response.headers.location;
    if (!REDIRECTS.has(response.status) || location === undefined) return response;
    if (hop >= maxRedirects) throw new BridgeError('FetchError', `fetch ${describe(url)}: more than ${maxRedirects} redirects`);
    const next = parseUrl(location, url);
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
    if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name)));
    previous = url;
    url = next;
  }
}

function parseUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new BridgeError('TypeError', `fetch: invalid URL "${text.slice(0, 200)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BridgeError('PermissionDeniedError', `fetch: only http and https URLs are allowed, not ${url.protocol}`);
  if (url.username || url.password) throw new BridgeError('TypeError', 'fetch: URLs with credentials are not allowed');
  return url;
}

function describe(url: URL): string {
  return url.host;
}

function checkGrant(url: URL, grants: readonly string[], redirectedFrom: URL | undefined): void {
  const match = matchGrant(url, grants);
  const via = redirectedFrom ? ` (redirect from ${describe(redirectedFrom)})` : '';
  if (!match.granted) throw new BridgeError('PermissionDeniedError', `fetch to host ${describe(url)} is not granted${via}; granted hosts: ${grants.length ? grants.join(', ') : 'none'}`);
  const literal = normaliseHost(url.hostname);
  if (isIP(literal) && isPrivateAddress(literal) && !match.exact) {
    throw new BridgeError('PermissionDeniedError', `fetch to private address ${describe(url)} is not granted${via}: only an exact host grant allows private, loopback or link-local addresses`);
  }
}

function sanitiseHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const clean: Record<string, string> = {};
  if (headers === undefined || headers === null) return clean;
  if (typeof headers !== 'object') throw new BridgeError('TypeError', 'fetch: headers must be an object of strings');
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (FORBIDDEN_HEADERS.has(lower) || lower === '__proto__') continue;
    if (typeof value !== 'string' || !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(lower) || /[\r\n\0]/.test(value)) {
      throw new BridgeError('TypeError', `fetch: invalid header "${name.slice(0, 100)}"`);
    }
    clean[lower] = value;
  }
  return clean;
}

/** A DNS lookup that refuses private addresses for hosts not granted exactly. */
function guardedLookup(url: URL, exact: boolean, policy: FetchPolicy, onDenied: (error: BridgeError) => void): LookupFunction {
  const resolve = policy.resolve ?? resolveWithDns;
  return (hostname, options, callback) => {
    resolve(hostname, options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0)).then(
      (addresses) => {
        const blocked = exact ? undefined : addresses.find((entry) => isPrivateAddress(entry.address));
        if (blocked || addresses.length === 0) {
          const denied = new BridgeError('PermissionDeniedError', `fetch to host ${describe(url)} is not granted: it resolves to the private address ${blocked?.address ?? '(none)'}, which only an exact host grant allows`);
          onDenied(denied);
          return callback(denied, '', 0);
        }
        if (options.all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
        const first = addresses[0] as LookupAddress;
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

function requestOnce(url: URL, method: string, headers: Record<string, string>, body: string | undefined, policy: FetchPolicy, deadline: number): Promise<SandboxFetchResponse> {
  return new Promise((resolve, reject) => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return reject(new BridgeError('FetchError', `fetch ${describe(url)} exceeded the fetchTimeoutMs limit of ${policy.timeoutMs} ms`));
    if (policy.signal?.aborted) return reject(new BridgeError('FetchError', `fetch ${describe(url)} was cancelled: the invocation ended`));
    let denied: BridgeError | undefined;
    let settled = false;
    const exact = matchGrant(url, policy.grants).exact;
    const options: RequestOptions = {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      // No connection pool: every request runs its own guarded lookup.
      agent: false,
      lookup: guardedLookup(url, exact, policy, (error) => (denied = error)),
    };
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options);
    const fail = (error: BridgeError): void => {
      if (settled) return;
      settled = true;
      cleanup();
      request.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new BridgeError('FetchError', `fetch ${describe(url)} exceeded the fetchTimeoutMs limit of ${policy.timeoutMs} ms`)), remaining);
    const onAbort = (): void => fail(new BridgeError('FetchError', `fetch ${describe(url)} was cancelled: the invocation ended`));
    policy.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      clearTimeout(timer);
      policy.signal?.removeEventListener('abort', onAbort);
    };
    request.on('error', (error) => fail(denied ?? new BridgeError('FetchError', `fetch ${describe(url)} failed: ${error.message}`)));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > policy.maxResponseBytes) {
          fail(new BridgeError('FetchError', `fetch ${describe(url)}: the response body exceeds the fetchResponseBytes limit of ${policy.maxResponseBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', (error) => fail(new BridgeError('FetchError', `fetch ${describe(url)} failed while reading: ${error.message}`)));
      response.on('end', () => {
        if (settled) return;
        settled = true;
        cleanup();
        resolve({ status: response.statusCode ?? 0, headers: flattenHeaders(response.headers), body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.end(body);
  });
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
