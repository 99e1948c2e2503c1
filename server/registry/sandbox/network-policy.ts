import { isIP } from 'node:net';

/** How a URL relates to the `network` grants of an installation. */
export interface GrantMatch {
  /** Some grant covers the URL's host and port. */
  granted: boolean;
  /** A grant names this exact host (not a `*.` wildcard): only then may it reach a private address. */
  exact: boolean;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/**
 * Matches a URL against grants such as `api.example.com`, `api.example.com:8443`, `*.example.com`
 * or `127.0.0.1:4000`. A grant without a port covers the scheme's default port only, so that
 * granting `example.com` does not open every service on that machine; `*.example.com` covers the
 * subdomains of example.com but not example.com itself.
 */
export function matchGrant(url: URL, grants: readonly string[]): GrantMatch {
  const host = normaliseHost(url.hostname);
  const defaultPort = DEFAULT_PORTS[url.protocol];
  const port = url.port === '' ? defaultPort : Number(url.port);
  let granted = false;
  let exact = false;
  for (const grant of grants) {
    const parsed = parseGrant(grant);
    if (!parsed) continue;
    const portMatches = parsed.port === undefined ? port === defaultPort : parsed.port === port;
    if (!portMatches) continue;
    if (parsed.wildcardSuffix !== undefined) {
      if (host.endsWith(parsed.wildcardSuffix) && host.length > parsed.wildcardSuffix.length) granted = true;
    } else if (parsed.host === host) {
      granted = true;
      exact = true;
    }
  }
  return { granted, exact };
}

interface ParsedGrant {
  host: string;
  /** `.example.com` for `*.example.com`. */
  wildcardSuffix?: string;
  port?: number;
}

function parseGrant(grant: string): ParsedGrant | undefined {
  const text = grant.trim().toLowerCase();
  if (text === '') return undefined;
  let host = text;
  let port: number | undefined;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0) return undefined;
    host = text.slice(1, end);
    const rest = text.slice(end + 1);
    if (rest !== '') {
      if (!/^:\d+$/.test(rest)) return undefined;
      port = Number(rest.slice(1));
    }
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0 && text.indexOf(':') === colon) {
      const portText = text.slice(colon + 1);
      if (!/^\d+$/.test(portText)) return undefined;
      host = text.slice(0, colon);
      port = Number(portText);
    }
  }
  if (host.startsWith('*.')) return { host, wildcardSuffix: host.slice(1), port };
  return { host: normaliseHost(host), port };
}

/** Lower-cases a host name and strips the brackets of an IPv6 literal and a trailing dot. */
export function normaliseHost(hostname: string): string {
  let host = hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host;
}

/**
 * True for addresses a plugin must not reach unless an admin granted that exact host: loopback,
 * private (RFC 1918, unique local), link-local (cloud metadata services live at 169.254.169.254),
 * "this network" and the unspecified address, IPv4-mapped IPv6 forms of all of these, and anything
 * that is not a valid IP address at all.
 */
export function isPrivateAddress(address: string): boolean {
  const ip = normaliseHost(address);
  const version = isIP(ip);
  if (version === 4) return isPrivateIpv4(ip);
  if (version !== 6) return true;
  const words = expandIpv6(ip);
  if (!words) return true;
  const zeroPrefix = words.slice(0, 5).every((word) => word === 0);
  const high = words[6] ?? 0;
  const low = words[7] ?? 0;
  const embeddedIpv4 = `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  if (zeroPrefix && words[5] === 0xffff) return isPrivateIpv4(embeddedIpv4); // ::ffff:a.b.c.d
  if (zeroPrefix && words[5] === 0 && high !== 0) return isPrivateIpv4(embeddedIpv4); // ::a.b.c.d
  if (words.every((word) => word === 0)) return true; // ::
  if (words.slice(0, 7).every((word) => word === 0) && words[7] === 1) return true; // ::1
  const first = words[0] ?? 0;
  if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((first & 0xffc0) === 0xfec0) return true; // fec0::/10 site-local (deprecated)
  if (first === 0x64 && words[1] === 0xff9b) return true; // 64:ff9b::/96 NAT64 can reach IPv4 ranges
  return false;
}

function isPrivateIpv4(ip: string): boolean {
  const parts = ip.split('.').map(Number);
  const [a = 0, b = 0] = parts;
  return (
    a === 0 || // 0.0.0.0/8 "this network"
    a === 10 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) || // 100.64/10 carrier-grade NAT
    a >= 224 // multicast and reserved
  );
}

function expandIpv6(ip: string): number[] | undefined {
  let text = ip;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // An embedded dotted IPv4 tail becomes two hexadecimal words.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    text = text.slice(0, -dotted[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  const words = [...head, ...new Array<string>(missing).fill('0'), ...tail].map((word) => parseInt(word, 16));
  return words.some((word) => Number.isNaN(word)) ? undefined : words;
}
