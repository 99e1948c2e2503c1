import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP server for the sandbox tests, listening on 127.0.0.1 on a free port. */
export interface TestHttpServer {
  port: number;
  /** `127.0.0.1:<port>`, the exact grant the tests give. */
  host: string;
  url(path: string): string;
  /** Paths requested so far, to prove that a refused request never reached the server. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Routes: /hello (JSON), /echo (method, headers and body back), /redirect?to=URL (302),
 * /big?bytes=N, /slow?ms=N, /ping (for the responsiveness probe).
 */
export async function startTestHttpServer(): Promise<TestHttpServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/ping') requests.push(url.pathname + url.search);
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      switch (url.pathname) {
        case '/hello':
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ hello: 'world' }));
          return;
        case '/echo':
          response.end(JSON.stringify({ method: request.method, auth: request.headers.authorization ?? null, host: request.headers.host, body }));
          return;
        case '/redirect':
          response.statusCode = 302;
          response.setHeader('location', url.searchParams.get('to') ?? '/hello');
          response.end();
          return;
        case '/big':
          response.end('x'.repeat(Number(url.searchParams.get('bytes') ?? '1000')));
          return;
        case '/slow':
          setTimeout(() => response.end('late'), Number(url.searchParams.get('ms') ?? '1000'));
          return;
        default:
          response.end('pong');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    host: `127.0.0.1:${port}`,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * Runs `action` while checking that the main thread keeps answering: a 10 ms timer measures the
 * event-loop lag, and a request to the local server measures a real round trip during the run.
 */
export async function withResponsivenessProbe<T>(server: TestHttpServer, action: () => Promise<T>): Promise<{ result: T; maxLagMs: number; pingMs: number }> {
  let maxLagMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxLagMs = Math.max(maxLagMs, now - last - 10);
    last = now;
  }, 10);
  const ping = (async () => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = performance.now();
    await (await fetch(server.url('/ping'))).text();
    return performance.now() - started;
  })();
  try {
    const result = await action();
    return { result, maxLagMs, pingMs: await ping };
  } finally {
    clearInterval(timer);
  }
}
