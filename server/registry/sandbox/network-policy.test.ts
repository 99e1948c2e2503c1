import { describe, expect, test } from 'vitest';
import { isPrivateAddress, matchGrant } from './network-policy';

describe('matchGrant', () => {
  test.each([
    ['https://api.example.com/x', ['api.example.com'], true, true],
    ['https://API.Example.com./x', ['api.example.com'], true, true],
    ['https://api.example.com:8443/x', ['api.example.com'], false, false],
    ['https://api.example.com:8443/x', ['api.example.com:8443'], true, true],
    ['http://api.example.com/x', ['api.example.com:443'], false, false],
    ['https://a.b.example.com/', ['*.example.com'], true, false],
    ['https://example.com/', ['*.example.com'], false, false],
    ['https://evilexample.com/', ['*.example.com'], false, false],
    ['https://example.com.evil.net/', ['example.com', '*.example.com'], false, false],
    ['http://127.0.0.1:4000/', ['127.0.0.1:4000'], true, true],
    ['http://127.0.0.1:4001/', ['127.0.0.1:4000'], false, false],
    ['http://[::1]:4000/', ['[::1]:4000'], true, true],
    ['http://localhost/', [], false, false],
  ])('%s with %j', (url, grants, granted, exact) => {
    expect(matchGrant(new URL(url), grants)).toEqual({ granted, exact });
  });
});

describe('isPrivateAddress', () => {
  test.each([
    ['127.0.0.1', true], ['127.8.9.10', true], ['10.1.2.3', true], ['172.16.0.1', true], ['172.31.255.255', true],
    ['172.32.0.1', false], ['192.168.1.1', true], ['169.254.169.254', true], ['0.0.0.0', true], ['100.64.0.1', true],
    ['8.8.8.8', false], ['93.184.216.34', false], ['::1', true], ['::', true], ['fc00::1', true], ['fd12:3456::1', true],
    ['fe80::1', true], ['::ffff:127.0.0.1', true], ['::ffff:7f00:1', true], ['::ffff:8.8.8.8', false], ['[::1]', true],
    ['2606:4700:4700::1111', false], ['not an address', true],
  ])('%s → %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});
