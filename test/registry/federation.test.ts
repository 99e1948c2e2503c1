import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type RegistryApp } from '../../server/registry/app';
import { createManagedDatabase } from '../../server/registry/db/managed-database';
import { verifyRelease } from '../../server/registry/packages/signing';
import { rawTgz, validEntries } from '../packages/tar-fixtures';
import { startTestRegistry, testConfig, type TestRegistry } from '../support/test-app';
import { isolatedDatabaseOptions, quietLog, testDatabaseKinds } from '../support/test-databases';

const tgz = (id: string, version: string, extra: Record<string, unknown> = {}) => rawTgz(validEntries([], { id, version, title: `${id} ${version}`, description: `The plugin ${id}.`, ...extra }));

/** What the proxy in front of the upstream does to traffic. */
type ProxyMode = 'pass' | 'tamper' | 'down' | 'slow';

/** A tiny HTTP proxy to the upstream that can flip a byte of every artifact, drop connections or hang. */
async function startProxy(target: string): Promise<{ url: string; mode: ProxyMode; close(): Promise<void> }> {
  const state = { mode: 'pass' as ProxyMode };
  const targetUrl = new URL(target);
  const server: Server = createServer((req, res) => {
    if (state.mode === 'down') {
      req.socket.destroy();
      return;
    }
    if (state.mode === 'slow') return; // Never answers: the client's timeout must fire.
    const upstream = httpRequest({ host: targetUrl.hostname, port: targetUrl.port, path: req.url, method: req.method, headers: { ...req.headers, host: targetUrl.host } }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        if (state.mode === 'tamper' && req.url?.endsWith('/artifact') && body.length > 20) body.writeUInt8(body.readUInt8(body.length - 10) ^ 0xff, body.length - 10);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(body);
      });
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get mode() { return state.mode; },
    set mode(mode: ProxyMode) { state.mode = mode; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe.each(testDatabaseKinds())('federation on $name', (kind) => {
  let upstream: TestRegistry;
  let upstreamUrl: string;
  let local: RegistryApp;
  let disposeLocal: () => Promise<void>;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let admin: Record<string, string>;
  let upstreamDev: Record<string, string>;

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = admin) =>
    local.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const publishUpstream = async (bytes: Buffer) => {
    const response = await upstream.app.inject({ method: 'POST', url: '/api/plugins/publish', headers: { ...upstreamDev, 'content-type': 'application/gzip' }, payload: bytes });
    expect(response.statusCode, response.body).toBe(201);
  };

  beforeAll(async () => {
    upstream = await startTestRegistry(kind);
    await upstream.app.listen({ port: 0, host: '127.0.0.1' });
    upstreamUrl = `http://127.0.0.1:${(upstream.app.server.address() as AddressInfo).port}`;
    upstreamDev = await upstream.as('developer', 'dev-up');
    proxy = await startProxy(upstreamUrl);

    // The local registry has a database that shares nothing with the upstream's.
    const isolated = await isolatedDatabaseOptions(kind);
    disposeLocal = isolated.dispose;
    const database = await createManagedDatabase({ ...isolated.options, log: quietLog });
    await database.start();
    local = await buildApp({ config: testConfig(), database });
    admin = { authorization: `Bearer ${await local.registryServices.auth.mintToken({ sub: 'root', role: 'super-admin' })}` };

    process.env.CODEX_UPSTREAM_TOKEN_ACME = (await upstream.as('super-admin', 'mirror-bot')).authorization!.slice('Bearer '.length);
    process.env.CODEX_PEER_TOKEN_UP = (await upstream.as('developer', 'peer-local')).authorization!.slice('Bearer '.length);

    await publishUpstream(tgz('@acme/weather', '1.0.0'));
    await publishUpstream(tgz('@acme/clock', '1.0.0'));
    await publishUpstream(tgz('@other/lib', '1.0.0'));
  });

  afterAll(async () => {
    await local?.close();
    await disposeLocal?.();
    await proxy?.close();
    await upstream?.close();
    delete process.env.CODEX_UPSTREAM_TOKEN_ACME;
    delete process.env.CODEX_PEER_TOKEN_UP;
  });

  it('adds a link upstream (pinning its key), shows its plugins with their origin, and only super-admins manage upstreams', async () => {
    const developer = { authorization: `Bearer ${await local.registryServices.auth.mintToken({ sub: 'dev', role: 'developer' })}` };
    expect((await call('POST', '/api/upstreams', { id: 'acme', url: proxy.url, mode: 'link' }, developer)).statusCode).toBe(403);

    const added = await call('POST', '/api/upstreams', { id: 'acme', url: proxy.url, mode: 'link', include: ['@acme/*'], timeoutMs: 1000, failureThreshold: 2, cooldownMs: 60_000 });
    expect(added.statusCode, added.body).toBe(201);
    const upstreamKey = (await upstream.app.inject({ method: 'GET', url: '/api/keys' })).json().keys[0];
    expect(added.json()).toMatchObject({ id: 'acme', mode: 'link', signingKeyId: upstreamKey.keyId, health: { state: 'closed' } });
    expect(added.json()).not.toHaveProperty('signingKeyPem');
    expect((await call('POST', '/api/upstreams', { id: 'acme', url: proxy.url, mode: 'link' })).statusCode).toBe(409);

    const list = await call('GET', '/api/plugins/list?limit=100');
    expect(list.statusCode).toBe(200);
    const weather = list.json().items.find((item: { id: string }) => item.id === '@acme/weather');
    expect(weather).toMatchObject({ version: '1.0.0', origin: proxy.url });
    // Excluded by the include pattern, and local plugins stay without an origin.
    expect(list.json().items.some((item: { id: string }) => item.id === '@other/lib')).toBe(false);
    expect(list.json().items.find((item: { id: string }) => item.id === '@codex/text-stats')).not.toHaveProperty('origin');
  });

  it('refuses a tampered artifact on install and stores nothing', async () => {
    proxy.mode = 'tamper';
    try {
      const refused = await call('POST', '/api/plugins/install', { pluginId: '@acme/weather', version: '1.0.0' });
      expect(refused.statusCode, refused.body).toBe(502);
      expect(refused.json().error.code).toBe('CODEX_ERR_UPSTREAM_INTEGRITY');
      expect(refused.json().error.message).toContain('@acme/weather@1.0.0');
    } finally {
      proxy.mode = 'pass';
    }
    expect((await call('GET', '/api/plugins/@acme/weather')).statusCode).toBe(404);
    const alerts = (await call('GET', '/api/admin/alerts')).json();
    expect(JSON.stringify(alerts)).toContain('upstream-artifact-refused');
  });

  it('fetches a linked plugin on install, checked and cached, marked with its origin', async () => {
    const installed = await call('POST', '/api/plugins/install', { pluginId: '@acme/weather', version: '1.0.0' });
    expect(installed.statusCode, installed.body).toBe(200);
    expect(installed.json().installation).toMatchObject({ pluginId: '@acme/weather', version: '1.0.0' });

    const details = (await call('GET', '/api/plugins/@acme/weather')).json();
    const upstreamDetails = (await upstream.app.inject({ method: 'GET', url: '/api/plugins/@acme/weather' })).json();
    expect(details.version.integrity).toBe(upstreamDetails.version.integrity);
    // Re-signed by the local registry, which vouches for the copy after checking the upstream's signature.
    const localKey = (await call('GET', '/api/keys')).json().keys[0];
    expect(verifyRelease(localKey.publicKeyPem, '@acme/weather', '1.0.0', details.version.integrity, details.version.signature)).toBe(true);
    const item = (await call('GET', '/api/plugins/list?q=weather')).json().items.find((entry: { id: string }) => entry.id === '@acme/weather');
    expect(item).toMatchObject({ origin: proxy.url });

    // Cached: a second install elsewhere works with the upstream gone.
    await call('POST', '/api/targets', { id: 'offline', name: 'Offline' });
    proxy.mode = 'down';
    try {
      const again = await call('POST', '/api/plugins/install', { pluginId: '@acme/weather', version: '1.0.0', target: 'offline' });
      expect(again.statusCode, again.body).toBe(200);
    } finally {
      proxy.mode = 'pass';
    }
  });

  it('keeps the local catalogue answering quickly when the upstream is down or slow, naming it', async () => {
    proxy.mode = 'down';
    try {
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const started = Date.now();
        const list = await call('GET', '/api/plugins/list?limit=5');
        expect(list.statusCode).toBe(200);
        expect(Date.now() - started).toBeLessThan(1500);
        expect(list.headers['x-codex-upstream-status']).toContain('acme=');
        expect(list.json().items.length).toBeGreaterThan(0);
      }
      const health = (await call('GET', '/api/upstreams')).json().items.find((item: { id: string }) => item.id === 'acme').health;
      expect(health).toMatchObject({ state: 'open', consecutiveFailures: 2 });
      const alerts = (await call('GET', '/api/admin/alerts')).json();
      expect(JSON.stringify(alerts)).toMatch(/upstream-unavailable.*upstream \\"acme\\"|upstream \\"acme\\".*upstream-unavailable/);
      // With the circuit open the upstream is skipped at once, and installing a plugin only it has says why.
      const skipped = await call('POST', '/api/plugins/install', { pluginId: '@acme/clock', version: '1.0.0' });
      expect(skipped.statusCode).toBe(503);
      expect(skipped.json().error).toMatchObject({ code: 'CODEX_ERR_UPSTREAM_UNAVAILABLE' });
      expect(skipped.json().error.message).toContain('"acme"');
    } finally {
      proxy.mode = 'pass';
    }

    proxy.mode = 'slow';
    try {
      const slow = await call('POST', '/api/upstreams', { id: 'slow', url: proxy.url, mode: 'link' });
      expect(slow.statusCode).toBe(504);
      expect(slow.json().error.code).toBe('CODEX_ERR_UPSTREAM_TIMEOUT');
    } finally {
      proxy.mode = 'pass';
    }
  });

  it('mirrors an upstream by following its journal, refusing tampered artifacts', async () => {
    const bad = await call('POST', '/api/upstreams', { id: 'acme-tampered', url: proxy.url, mode: 'mirror', include: ['@acme/*'], tokenEnv: 'CODEX_UPSTREAM_TOKEN_ACME' });
    expect(bad.statusCode, bad.body).toBe(201);
    proxy.mode = 'tamper';
    try {
      const refused = (await call('POST', '/api/upstreams/acme-tampered/sync')).json();
      expect(refused.imported).toEqual([]);
      expect(refused.refused.map((entry: { ref: string; code: string }) => `${entry.ref} ${entry.code}`)).toEqual(['@acme/clock@1.0.0 CODEX_ERR_UPSTREAM_INTEGRITY']);
    } finally {
      proxy.mode = 'pass';
    }
    expect((await call('GET', '/api/plugins/@acme/clock')).statusCode).toBe(404);

    const added = await call('POST', '/api/upstreams', { id: 'acme-mirror', url: upstreamUrl, mode: 'mirror', include: ['@acme/*'], tokenEnv: 'CODEX_UPSTREAM_TOKEN_ACME' });
    expect(added.statusCode, added.body).toBe(201);
    const first = await call('POST', '/api/upstreams/acme-mirror/sync');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().imported).toEqual(['@acme/clock@1.0.0']);
    expect(first.json().skipped).toEqual(expect.arrayContaining([
      { ref: '@acme/weather@1.0.0', reason: 'already copied from upstream "acme"' },
      { ref: '@other/lib@1.0.0', reason: 'not selected by the include/exclude patterns' },
    ]));

    await publishUpstream(tgz('@acme/clock', '1.1.0'));
    const second = (await call('POST', '/api/upstreams/acme-mirror/sync')).json();
    expect(second.imported).toEqual(['@acme/clock@1.1.0']);
    expect(second.cursor).toBeGreaterThan(first.json().cursor);
    const details = (await call('GET', '/api/plugins/@acme/clock')).json();
    expect(details.latestVersion).toBe('1.1.0');
    expect((await call('GET', '/api/upstreams')).json().items.find((item: { id: string }) => item.id === 'acme-mirror').mirrorCursor).toBe(second.cursor);
    // Nothing new: nothing imported.
    expect((await call('POST', '/api/upstreams/acme-mirror/sync')).json().imported).toEqual([]);
  });

  it('clones a plugin from an upstream into a local namespace, keeping forked_from', async () => {
    const cloned = await call('POST', '/api/upstreams/acme-mirror/clone', { pluginId: '@other/lib', version: '1.0.0', into: '@local-ns/lib' });
    expect(cloned.statusCode, cloned.body).toBe(201);
    expect(cloned.json()).toMatchObject({ pluginId: '@local-ns/lib', version: '1.0.0', how: 'clone', forkedFrom: '@other/lib@1.0.0', status: 'active' });
    const details = (await call('GET', '/api/plugins/@local-ns/lib')).json();
    expect(details.manifest.id).toBe('@local-ns/lib');
    const item = (await call('GET', '/api/plugins/list?q=lib&limit=100')).json().items.find((entry: { id: string }) => entry.id === '@local-ns/lib');
    expect(item).toMatchObject({ forkedFrom: '@other/lib@1.0.0' });
    expect(item).not.toHaveProperty('origin');
    expect((await call('POST', '/api/upstreams/acme-mirror/clone', { pluginId: '@other/lib', version: '1.0.0', into: '@local-ns/lib' })).statusCode).toBe(409);
  });

  it('shares a local version with a peer that granted a token, checking the peer\'s integrity and signature', async () => {
    const published = await local.inject({ method: 'POST', url: '/api/plugins/publish', headers: { ...admin, 'content-type': 'application/gzip' }, payload: tgz('@mine/tool', '1.0.0') });
    expect(published.statusCode, published.body).toBe(201);
    const shared = await call('POST', '/api/plugins/@mine/tool/versions/1.0.0/share', { peerUrl: upstreamUrl, tokenEnv: 'CODEX_PEER_TOKEN_UP' });
    expect(shared.statusCode, shared.body).toBe(200);
    expect(shared.json()).toMatchObject({ pluginId: '@mine/tool', version: '1.0.0', integrity: published.json().integrity, peerSignatureVerified: true });
    const atPeer = (await upstream.app.inject({ method: 'GET', url: '/api/plugins/@mine/tool' })).json();
    expect(atPeer.version.integrity).toBe(published.json().integrity);

    // Only variables with the federation prefix may be named, and an unset one is named in the error.
    expect((await call('POST', '/api/plugins/@mine/tool/versions/1.0.0/share', { peerUrl: upstreamUrl, tokenEnv: 'JWT_SECRET' })).statusCode).toBe(400);
    const unset = await call('POST', '/api/plugins/@mine/tool/versions/1.0.0/share', { peerUrl: upstreamUrl, tokenEnv: 'CODEX_PEER_TOKEN_NOPE' });
    expect(unset.json().error.message).toContain('CODEX_PEER_TOKEN_NOPE');
  });

  it('clones an install target with its installations and configurations', async () => {
    const created = await call('POST', '/api/targets', { id: 'source', name: 'Source' });
    expect(created.statusCode, created.body).toBe(201);
    expect((await call('POST', '/api/plugins/install', { pluginId: '@acme/clock', version: '1.0.0', target: 'source' })).statusCode).toBe(200);
    expect((await call('POST', '/api/plugins/install', { pluginId: '@local-ns/lib', target: 'source' })).statusCode).toBe(200);
    const cloned = await call('POST', '/api/targets/source/clone', { id: 'copy', name: 'Copy' });
    expect(cloned.statusCode, cloned.body).toBe(201);
    expect(cloned.json().installed.map((row: { pluginId: string; version: string }) => `${row.pluginId}@${row.version}`).sort()).toEqual(['@acme/clock@1.0.0', '@local-ns/lib@1.0.0']);
    const rows = (await call('GET', '/api/plugins/installed?target=copy')).json().items;
    expect(rows.map((row: { pluginId: string; version: string }) => `${row.pluginId}@${row.version}`).sort()).toEqual(['@acme/clock@1.0.0', '@local-ns/lib@1.0.0']);
    expect((await call('POST', '/api/targets/source/clone', { id: 'copy', name: 'Again' })).statusCode).toBe(409);
  });

  it('removes an upstream and keeps what was copied from it', async () => {
    expect((await call('DELETE', '/api/upstreams/acme-tampered')).statusCode).toBe(204);
    expect((await call('GET', '/api/upstreams')).json().items.map((item: { id: string }) => item.id)).not.toContain('acme-tampered');
    expect((await call('DELETE', '/api/upstreams/acme-tampered')).statusCode).toBe(404);
    expect((await call('GET', '/api/plugins/@acme/clock')).statusCode).toBe(200);
  });
});
