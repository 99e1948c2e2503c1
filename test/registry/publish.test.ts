import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPluginsRepository } from '../../server/registry/db/plugins-repository';
import { integrityOf, readPluginPackage } from '../../server/registry/packages/plugin-package';
import { verifyRelease } from '../../server/registry/packages/signing';
import { rawTar, rawTgz, validEntries } from '../packages/tar-fixtures';
import { startTestRegistry, type TestRegistry } from '../support/test-app';
import { testDatabaseKinds } from '../support/test-databases';

const zeros = (n: number) => Buffer.alloc(n);
const tgz = (manifest: Record<string, unknown>, extra: Parameters<typeof validEntries>[0] = []) => rawTgz(validEntries(extra, manifest));

/** Every class of bad upload, with the code and status the route answers. */
const BAD_UPLOADS: { name: string; bytes: () => Buffer; code: string; status: number }[] = [
  { name: 'path traversal', bytes: () => tgz({ id: '@bad/a' }, [{ path: 'package/../../etc/cron.d/evil', body: 'x' }]), code: 'CODEX_ERR_PACKAGE_PATH_TRAVERSAL', status: 400 },
  { name: 'absolute path', bytes: () => tgz({ id: '@bad/a' }, [{ path: '/etc/passwd', body: 'root' }]), code: 'CODEX_ERR_PACKAGE_ABSOLUTE_PATH', status: 400 },
  { name: 'backslash name', bytes: () => tgz({ id: '@bad/a' }, [{ path: 'package\\x.js', body: 'x' }]), code: 'CODEX_ERR_PACKAGE_BAD_PATH', status: 400 },
  { name: 'outside package/', bytes: () => tgz({ id: '@bad/a' }, [{ path: 'other/x.js', body: 'x' }]), code: 'CODEX_ERR_PACKAGE_LAYOUT', status: 400 },
  { name: 'symlink', bytes: () => tgz({ id: '@bad/a' }, [{ path: 'package/link', type: 'SymbolicLink', linkpath: '/etc/passwd' }]), code: 'CODEX_ERR_PACKAGE_LINK', status: 400 },
  { name: 'device', bytes: () => tgz({ id: '@bad/a' }, [{ path: 'package/null', type: 'CharacterDevice', devmaj: 1, devmin: 3 }]), code: 'CODEX_ERR_PACKAGE_SPECIAL_FILE', status: 400 },
  { name: 'duplicate entry', bytes: () => tgz({ id: '@bad/a' }, [{ path: 'package/index.js', body: 'x' }]), code: 'CODEX_ERR_PACKAGE_DUPLICATE_ENTRY', status: 400 },
  { name: 'not gzip', bytes: () => rawTar(validEntries([], { id: '@bad/a' })), code: 'CODEX_ERR_PACKAGE_CORRUPT', status: 400 },
  { name: 'truncated gzip', bytes: () => tgz({ id: '@bad/a' }).subarray(0, 60), code: 'CODEX_ERR_PACKAGE_CORRUPT', status: 400 },
  { name: 'gzip bomb', bytes: () => tgz({ id: '@bad/a' }, [{ path: 'package/bomb.bin', body: zeros(60 * 1024 * 1024) }]), code: 'CODEX_ERR_PACKAGE_UNPACKED_TOO_LARGE', status: 413 },
  { name: 'archive over the package limit', bytes: () => Buffer.concat([tgz({ id: '@bad/a' }), Buffer.alloc(11 * 1024 * 1024, 1)]), code: 'CODEX_ERR_PACKAGE_TOO_LARGE', status: 413 },
  { name: 'missing manifest', bytes: () => rawTgz([{ path: 'package/index.js', body: 'export default {};' }]), code: 'CODEX_ERR_PACKAGE_MANIFEST_MISSING', status: 422 },
  { name: 'invalid manifest', bytes: () => tgz({ id: '@bad/a', version: 'one' }), code: 'CODEX_ERR_PACKAGE_MANIFEST_INVALID', status: 422 },
  { name: 'entry missing', bytes: () => rawTgz([{ path: 'package/plugin.json', body: JSON.stringify({ ...JSON.parse(validEntries([], { id: '@bad/a' })[0]!.body as string), entry: 'dist/index.js' }) }]), code: 'CODEX_ERR_PACKAGE_ENTRY_MISSING', status: 422 },
  { name: 'id the database cannot hold', bytes: () => tgz({ id: '@bad.ns/a' }), code: 'CODEX_ERR_PACKAGE_MANIFEST_INVALID', status: 422 },
];

describe.each(testDatabaseKinds())('publishing on $name', (kind) => {
  let registry: TestRegistry;
  let dev: Record<string, string>;
  let admin: Record<string, string>;
  const publish = (bytes: Buffer, headers: Record<string, string>, query = '') =>
    registry.app.inject({ method: 'POST', url: `/api/plugins/publish${query}`, headers: { ...headers, 'content-type': 'application/gzip' }, payload: bytes });
  const snapshot = async () => {
    const counts = await createPluginsRepository(registry.database.db).counts();
    // Debug sessions that earlier publishes started run in the background and journal their own
    // events; a refused upload must add none of the publishing kind.
    const events = await registry.database.db.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE type NOT LIKE 'debug.%' AND type NOT LIKE 'fix.%'");
    counts.events = Number(events.rows[0]!.n);
    const digest = await registry.database.db.query("SELECT string_agg(plugin_id || '@' || version || ':' || status, ',' ORDER BY plugin_id, version) AS d FROM plugin_versions");
    return { counts, digest: digest.rows[0] };
  };

  beforeAll(async () => {
    registry = await startTestRegistry(kind);
    dev = await registry.as('developer', 'dev-1');
    admin = await registry.as('super-admin', 'root');
  });
  afterAll(async () => {
    await registry.close();
  });

  it('seeds the official samples at start, active and signed', async () => {
    const list = (await registry.app.inject({ method: 'GET', url: '/api/plugins/list?tier=official&limit=100' })).json();
    const ids = list.items.map((item: { id: string }) => item.id);
    expect(ids).toEqual(expect.arrayContaining(['@codex/text-stats', '@codex/todo-app', '@codex/flaky-greeter']));
    expect(list.items.find((item: { id: string }) => item.id === '@codex/flaky-greeter').version).toBe('1.1.0');
    // Seeding again is a no-op.
    const { seedSampleCatalogue } = await import('../../server/registry/services/sample-seeding');
    const again = await seedSampleCatalogue(registry.app.registryServices, { info: () => undefined, warn: () => undefined });
    expect(again.published).toEqual([]);
  });

  it('publishes a version: integrity, registry signature checked with GET /api/keys, artifact served back', async () => {
    const bytes = tgz({ id: '@acme/hello', tags: ['greeting'] });
    const response = await publish(bytes, dev);
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({ id: '@acme/hello', version: '1.0.0', tier: 'third-party', status: 'active', integrity: integrityOf(bytes), size: bytes.length, approvals: [] });
    const keys = (await registry.app.inject({ method: 'GET', url: '/api/keys' })).json();
    expect(keys.keys[0].keyId).toBe(body.signingKeyId);
    expect(verifyRelease(keys.keys[0].publicKeyPem, '@acme/hello', '1.0.0', body.integrity, body.signature)).toBe(true);
    expect(verifyRelease(keys.keys[0].publicKeyPem, '@acme/hello', '1.0.1', body.integrity, body.signature)).toBe(false);
    const artifact = await registry.app.inject({ method: 'GET', url: '/api/plugins/@acme/hello/versions/1.0.0/artifact' });
    expect(artifact.statusCode).toBe(200);
    expect(artifact.headers['x-codex-integrity']).toBe(body.integrity);
    expect(artifact.rawPayload.equals(bytes)).toBe(true);
    const events = await registry.database.db.query<{ type: string; subject: string; actor: string }>("SELECT type, subject, actor FROM events WHERE type = 'plugin.published' AND subject = '@acme/hello@1.0.0'");
    expect(events.rows).toEqual([{ type: 'plugin.published', subject: '@acme/hello@1.0.0', actor: 'dev-1' }]);
  });

  it('refuses the same id and version again (409) and keeps the first bytes', async () => {
    const again = await publish(tgz({ id: '@acme/hello', description: 'A different description.' }), dev);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('CODEX_ERR_VERSION_EXISTS');
    expect(again.json().error.message).toContain('@acme/hello@1.0.0');
  });

  it.each(BAD_UPLOADS)('refuses $name with $code and stores nothing', async ({ bytes, code, status }) => {
    const before = await snapshot();
    const response = await publish(bytes(), dev);
    expect(response.json().error.code).toBe(code);
    expect(response.statusCode).toBe(status);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a body over the upload limit and a request without a tarball', async () => {
    const huge = await publish(Buffer.alloc(21 * 1024 * 1024, 7), dev);
    expect(huge.statusCode).toBe(413);
    const json = await registry.app.inject({ method: 'POST', url: '/api/plugins/publish', headers: dev, payload: { not: 'a tarball' } });
    expect(json.statusCode).toBe(400);
    expect(json.json().error.message).toContain('application/gzip');
    const anonymous = await registry.app.inject({ method: 'POST', url: '/api/plugins/publish', headers: { 'content-type': 'application/gzip' }, payload: tgz({ id: '@anon/x' }) });
    expect(anonymous.statusCode).toBe(401);
    const user = await publish(tgz({ id: '@anon/x' }), await registry.as('user', 'u-1'));
    expect(user.statusCode).toBe(403);
  });

  it('verifies a publisher signature when one is sent, and refuses a wrong one', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const bytes = tgz({ id: '@acme/signed' });
    const signature = sign(null, Buffer.from(`@acme/signed@1.0.0:${integrityOf(bytes)}`), privateKey).toString('base64');
    const wrong = sign(null, Buffer.from(`@acme/signed@9.9.9:${integrityOf(bytes)}`), privateKey).toString('base64');
    const before = await snapshot();
    const refused = await publish(bytes, { ...dev, 'x-publisher-signature': wrong, 'x-publisher-key': pem.replace(/\n/g, '\\n') });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('CODEX_ERR_PUBLISHER_SIGNATURE_INVALID');
    expect(await snapshot()).toEqual(before);
    const accepted = await publish(bytes, { ...dev, 'x-publisher-signature': signature, 'x-publisher-key': Buffer.from(pem).toString('base64') });
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json().publisherSignatureVerified).toBe(true);
  });

  it('keeps namespaces to their creators', async () => {
    const other = await registry.as('developer', 'dev-2');
    const response = await publish(tgz({ id: '@acme/intruder' }), other);
    expect(response.statusCode).toBe(403);
    expect(response.json().error.message).toContain('dev-1');
    const official = await publish(tgz({ id: '@codex/sneaky' }), dev);
    expect(official.statusCode).toBe(403);
    expect(official.json().error.message).toContain('reserved');
  });

  it('refuses a look-alike of an existing plugin with a pointer to it; a super-admin may override, recorded', async () => {
    expect((await publish(tgz({ id: '@mail/mailer' }), dev)).statusCode).toBe(201);
    const before = await snapshot();
    const lookalike = await publish(tgz({ id: '@mail/rnailer' }), dev);
    expect(lookalike.statusCode).toBe(409);
    expect(lookalike.json().error).toMatchObject({ code: 'CODEX_ERR_CONFUSABLE_NAME', details: { conflicts: [{ rule: 'confusable-name', existing: '@mail/mailer' }] } });
    expect(lookalike.json().error.message).toContain('@mail/mailer');
    expect(await snapshot()).toEqual(before);
    const notAllowed = await publish(tgz({ id: '@mail/rnailer' }), dev, '?override=true&reason=because');
    expect(notAllowed.statusCode).toBe(403);
    const noReason = await publish(tgz({ id: '@mail/rnailer' }), admin, '?override=true');
    expect(noReason.statusCode).toBe(400);
    const overridden = await publish(tgz({ id: '@mail/rnailer' }), admin, '?override=true&reason=a%20different%20product');
    expect(overridden.statusCode).toBe(201);
    expect(overridden.json().approvals).toEqual([expect.objectContaining({ kind: 'duplicate-override', status: 'approved' })]);
    const recorded = (await registry.app.inject({ method: 'GET', url: '/api/admin/approvals?status=approved', headers: admin })).json();
    expect(recorded.items).toContainEqual(expect.objectContaining({ kind: 'duplicate-override', pluginId: '@mail/rnailer', reason: 'a different product', decidedBy: 'root', payload: { conflicts: [{ rule: 'confusable-name', existing: '@mail/mailer' }] } }));
  });

  it('refuses content that is already published under another plugin', async () => {
    const bytes = tgz({ id: '@copy/original-two' });
    const { contentHash } = await readPluginPackage(bytes);
    expect((await publish(tgz({ id: '@copy/original' }), dev)).statusCode).toBe(201);
    // Equal content under another id cannot be packed (the manifest names the id), so the
    // existing version is given this package's content hash, as a mirror of it would have.
    await registry.database.db.query("UPDATE plugin_versions SET content_hash = $1 WHERE plugin_id = '@copy/original'", [contentHash]);
    const response = await publish(bytes, dev);
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: 'CODEX_ERR_DUPLICATE_CONTENT', details: { conflicts: [{ rule: 'duplicate-content', existing: '@copy/original@1.0.0' }] } });
  });

  it('holds official versions for approval; approving makes them active and listed', async () => {
    const response = await publish(tgz({ id: '@codex/new-official', title: 'Brand new official' }), admin);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ tier: 'official', status: 'pending-approval', approvals: [{ kind: 'official-version', status: 'pending' }] });
    const listed = () => registry.app.inject({ method: 'GET', url: '/api/plugins/list?q=brand%20new%20official' }).then((r) => r.json().items.map((item: { id: string }) => item.id));
    expect(await listed()).toEqual([]);
    expect((await registry.app.inject({ method: 'GET', url: '/api/plugins/@codex/new-official' })).statusCode).toBe(404);
    const adminView = (await registry.app.inject({ method: 'GET', url: '/api/plugins/@codex/new-official', headers: admin })).json();
    expect(adminView.version.status).toBe('pending-approval');
    const queue = (await registry.app.inject({ method: 'GET', url: '/api/admin/approvals', headers: admin })).json();
    const approval = queue.items.find((item: { pluginId: string }) => item.pluginId === '@codex/new-official');
    expect(approval).toMatchObject({ kind: 'official-version', status: 'pending', version: '1.0.0', requestedBy: 'root' });
    expect((await registry.app.inject({ method: 'GET', url: '/api/admin/approvals', headers: dev })).statusCode).toBe(403);
    const decided = await registry.app.inject({ method: 'POST', url: `/api/admin/approvals/${approval.id}`, headers: admin, payload: { decision: 'approve', reason: 'reviewed' } });
    expect(decided.statusCode).toBe(200);
    expect(decided.json()).toMatchObject({ approval: { status: 'approved', decidedBy: 'root', reason: 'reviewed' }, versionStatus: 'active' });
    expect(await listed()).toEqual(['@codex/new-official']);
    const twice = await registry.app.inject({ method: 'POST', url: `/api/admin/approvals/${approval.id}`, headers: admin, payload: { decision: 'reject' } });
    expect(twice.statusCode).toBe(409);
  });

  it('holds core permissions for approval; a rejection yanks the version', async () => {
    const response = await publish(tgz({ id: '@acme/core-hook', permissions: { core: ['core:events'] } }), dev);
    expect(response.json()).toMatchObject({ status: 'pending-approval', approvals: [{ kind: 'core-permission' }] });
    const approvalId = response.json().approvals[0].id;
    const ownerView = (await registry.app.inject({ method: 'GET', url: '/api/plugins/@acme/core-hook', headers: dev })).json();
    expect(ownerView.version).toMatchObject({ status: 'pending-approval' });
    const rejected = await registry.app.inject({ method: 'POST', url: `/api/admin/approvals/${approvalId}`, headers: admin, payload: { decision: 'reject', reason: 'too broad' } });
    expect(rejected.json()).toMatchObject({ approval: { status: 'rejected', payload: { permissions: ['core:events'] } }, versionStatus: 'yanked' });
    const version = await registry.database.db.query("SELECT status, status_reason FROM plugin_versions WHERE plugin_id = '@acme/core-hook'");
    expect(version.rows[0]).toMatchObject({ status: 'yanked', status_reason: expect.stringContaining('too broad') });
    const granted = await publish(tgz({ id: '@acme/core-hook', version: '1.0.1', permissions: { core: ['core:events'] } }), dev);
    const grant = await registry.app.inject({ method: 'POST', url: `/api/admin/approvals/${granted.json().approvals[0].id}`, headers: admin, payload: { decision: 'approve' } });
    expect(grant.json()).toMatchObject({ approval: { kind: 'core-permission', status: 'approved', payload: { permissions: ['core:events'] } }, versionStatus: 'active' });
  });
});
