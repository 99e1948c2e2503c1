import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { mintHs256 } from './registry-token';

describe('mintHs256', () => {
  it('mints a token the registry\'s verifier (jose, HS256) accepts', async () => {
    const secret = 'x'.repeat(64);
    const { payload, protectedHeader } = await jwtVerify(mintHs256(secret, { sub: 'admin', role: 'super-admin' }), new TextEncoder().encode(secret));
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ sub: 'admin', role: 'super-admin' });
    expect(payload.exp! - payload.iat!).toBe(12 * 3600);
  });

  it('is refused with another secret', async () => {
    await expect(jwtVerify(mintHs256('a'.repeat(64), { sub: 'admin', role: 'user' }), new TextEncoder().encode('b'.repeat(64)))).rejects.toThrow();
  });
});
