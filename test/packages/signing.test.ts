import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadSigningKey, publicKeyInfo, signRelease, SIGNING_KEY_FILE, verifyPublisherSignature, verifyRelease,
} from '../../server/registry/packages/signing.js';

const scratch = mkdtempSync(join(tmpdir(), 'signing-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const integrity = 'sha512-' + Buffer.alloc(64, 7).toString('base64');

describe('release signatures', () => {
  const key = loadSigningKey({}, join(scratch, 'data'));
  const { publicKeyPem, keyId, algorithm } = publicKeyInfo(key);

  it('sign → verify round-trips over id@version:integrity', () => {
    const signature = signRelease(key, '@codex/text-stats', '1.0.0', integrity);
    expect(Buffer.from(signature, 'base64')).toHaveLength(64);
    expect(verifyRelease(publicKeyPem, '@codex/text-stats', '1.0.0', integrity, signature)).toBe(true);
    expect(algorithm).toBe('ed25519');
    expect(keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it.each([
    ['another id', '@codex/text-stat', '1.0.0', integrity],
    ['another version', '@codex/text-stats', '1.0.1', integrity],
    ['another integrity', '@codex/text-stats', '1.0.0', 'sha512-' + Buffer.alloc(64, 8).toString('base64')],
  ])('rejects the signature for %s', (_name, id, version, otherIntegrity) => {
    const signature = signRelease(key, '@codex/text-stats', '1.0.0', integrity);
    expect(verifyRelease(publicKeyPem, id, version, otherIntegrity, signature)).toBe(false);
  });

  it('rejects a tampered, truncated or garbage signature and a wrong key without throwing', () => {
    const signature = Buffer.from(signRelease(key, '@a/b', '1.0.0', integrity), 'base64');
    signature[10] = (signature[10] as number) ^ 1;
    expect(verifyRelease(publicKeyPem, '@a/b', '1.0.0', integrity, signature.toString('base64'))).toBe(false);
    expect(verifyRelease(publicKeyPem, '@a/b', '1.0.0', integrity, signature.subarray(0, 32).toString('base64'))).toBe(false);
    expect(verifyRelease(publicKeyPem, '@a/b', '1.0.0', integrity, '%%%')).toBe(false);
    expect(verifyRelease('not a key', '@a/b', '1.0.0', integrity, signRelease(key, '@a/b', '1.0.0', integrity))).toBe(false);
    const other = publicKeyInfo(loadSigningKey({}, join(scratch, 'other')));
    expect(verifyRelease(other.publicKeyPem, '@a/b', '1.0.0', integrity, signRelease(key, '@a/b', '1.0.0', integrity))).toBe(false);
  });

  it('verifies publisher signatures over the same message', () => {
    const publisher = generateKeyPairSync('ed25519');
    const signature = signRelease({ privateKey: publisher.privateKey, publicKey: publisher.publicKey }, '@acme/x', '2.0.0', integrity);
    const pem = publisher.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(verifyPublisherSignature(pem, '@acme/x', '2.0.0', integrity, signature)).toBe(true);
    expect(verifyPublisherSignature(publicKeyPem, '@acme/x', '2.0.0', integrity, signature)).toBe(false);
  });
});

describe('loadSigningKey', () => {
  it('generates a key once into the fallback folder with mode 0600, then reuses it', () => {
    const dir = join(scratch, 'generated');
    const first = loadSigningKey({}, dir);
    expect(first).toMatchObject({ generated: true, source: 'generated', path: join(dir, SIGNING_KEY_FILE) });
    expect(statSync(join(dir, SIGNING_KEY_FILE)).mode & 0o777).toBe(0o600);
    const second = loadSigningKey({}, dir);
    expect(second).toMatchObject({ generated: false, source: 'file' });
    expect(publicKeyInfo(second).keyId).toBe(publicKeyInfo(first).keyId);
  });

  it('reads REGISTRY_SIGNING_KEY as PKCS#8 PEM (also with escaped newlines) and as a base64 seed', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32).toString('base64');
    const fromPem = loadSigningKey({ REGISTRY_SIGNING_KEY: pem });
    const fromEscaped = loadSigningKey({ REGISTRY_SIGNING_KEY: pem.replace(/\n/g, '\\n') });
    const fromSeed = loadSigningKey({ REGISTRY_SIGNING_KEY: seed }, join(scratch, 'unused'));
    expect(fromPem).toMatchObject({ source: 'env', generated: false });
    expect(publicKeyInfo(fromEscaped).keyId).toBe(publicKeyInfo(fromPem).keyId);
    expect(publicKeyInfo(fromSeed).keyId).toBe(publicKeyInfo(fromPem).keyId);
    expect(existsSync(join(scratch, 'unused'))).toBe(false);
  });

  it('refuses keys that are not Ed25519, and no key without a folder', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadSigningKey({ REGISTRY_SIGNING_KEY: rsa })).toThrow(/rsa key; the registry signs with Ed25519/);
    expect(() => loadSigningKey({ REGISTRY_SIGNING_KEY: 'c2hvcnQ=' })).toThrow(/REGISTRY_SIGNING_KEY is not a usable Ed25519 private key/);
    expect(() => loadSigningKey({})).toThrow(/REGISTRY_SIGNING_KEY is not set/);
    expect(readFileSync(join(scratch, 'data', SIGNING_KEY_FILE), 'utf8')).toContain('BEGIN PRIVATE KEY');
  });
});
