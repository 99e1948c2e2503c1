import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sandboxFetch, type FetchPolicy } from './sandbox-fetch';
import { startTestHttpServer, type TestHttpServer } from './test-http-server';

let server: TestHttpServer;
beforeAll(async () => {
  server = await startTestHttpServer();
});
afterAll(() => server.close());

/** A resolver that sends every name to the local test server, as a hostile DNS record would. */
const toLoopback: FetchPolicy['resolve'] = async () => [{ address: '127.0.0.1', family: 4 }];
const policy = (grants: string[]): FetchPolicy => ({ grants, maxResponseBytes: 10_000, timeoutMs: 2_000, resolve: toLoopback });

describe('sandboxFetch', () => {
  test('a wildcard-granted name that resolves to a private address is refused before connecting', async () => {
    const before = server.requests.length;
    await expect(sandboxFetch(`http://api.example.test:${server.port}/hello`, undefined, policy([`*.example.test:${server.port}`]))).rejects.toThrow(/api\.example\.test:\d+ is not granted: it resolves to the private address 127\.0\.0\.1/);
    expect(server.requests.length).toBe(before);
  });

  test('an exact grant may reach a private address', async () => {
    const response = await sandboxFetch(`http://api.example.test:${server.port}/hello`, undefined, policy([`api.example.test:${server.port}`]));
    expect(response).toMatchObject({ status: 200, body: '{"hello":"world"}' });
  });

  test('credentials do not follow a redirect to another origin, and POST becomes GET on 302', async () => {
    const other = `http://localhost:${server.port}/echo`;
    const response = await sandboxFetch(server.url(`/redirect?to=${encodeURIComponent(other)}`), { method: 'POST', body: 'x', headers: { authorization: 'secret' } }, policy([server.host, `localhost:${server.port}`]));
    expect(JSON.parse(response.body)).toMatchObject({ method: 'GET', auth: null, body: '' });
  });

  test('a slow response ends at fetchTimeoutMs', async () => {
    await expect(sandboxFetch(server.url('/slow?ms=2000'), undefined, { ...policy([server.host]), timeoutMs: 100 })).rejects.toThrow(/fetchTimeoutMs limit of 100 ms/);
  });

  test('too many redirects are refused', async () => {
    const loop = server.url('/redirect?to=' + encodeURIComponent('/redirect?to=/redirect'));
    await expect(sandboxFetch(loop, undefined, { ...policy([server.host]), maxRedirects: 1 })).rejects.toThrow(/more than 1 redirects/);
  });

  test('the Host header cannot be overridden', async () => {
    const response = await sandboxFetch(server.url('/echo'), { headers: { host: 'internal.example' } }, policy([server.host]));
    expect(JSON.parse(response.body)).toMatchObject({ host: server.host });
  });
});
