import { describe, expect, test } from '@jest/globals';
import { hostKey, hostKeyOf, normalizeUrl, politenessHost, politenessHostOf } from '../../../src/records/index.js';
import { rulesFor } from '../../../src/ratelimit/rules.js';

// Moved from partition-audit.test.ts (was `hostOfUrl`, the audit's stop-gap copy).
describe('hostKey (the partition key)', () => {
  test('lowercase, punycode, default ports dropped, other ports kept; only http(s)', () => {
    expect(hostKey('https://Example.COM/a')).toBe('example.com');
    expect(hostKey('http://bücher.example:80/')).toBe('xn--bcher-kva.example');
    expect(hostKey(' https://example.com:8443/x ')).toBe('example.com:8443');
    expect(hostKey('ftp://example.com/')).toBeNull();
    expect(hostKey('not a url')).toBeNull();
    expect(hostKey('')).toBeNull();
  });

  test('ports: the scheme default is dropped, any other kept', () => {
    expect(hostKey('https://a.example:443/')).toBe('a.example');
    expect(hostKey('http://a.example:443/')).toBe('a.example:443');
    expect(hostKey('https://a.example:80/')).toBe('a.example:80');
    expect(hostKey('http://127.0.0.1:8080/x')).toBe('127.0.0.1:8080');
  });

  test('IDN and uppercase: punycode, lowercased', () => {
    expect(hostKey('https://BÜCHER.Example/')).toBe('xn--bcher-kva.example');
    expect(hostKey('HTTPS://WWW.EXAMPLE.COM/Path')).toBe('www.example.com');
  });

  test('IPv6 literals keep their brackets (and a port when not the default)', () => {
    expect(hostKey('http://[::1]/')).toBe('[::1]');
    expect(hostKey('http://[::1]:8080/')).toBe('[::1]:8080');
    expect(hostKey('https://[2001:DB8::1]:443/')).toBe('[2001:db8::1]');
  });

  test('invalid: no host, bad port, bad characters, other schemes', () => {
    expect(hostKey('http://')).toBeNull();
    expect(hostKey('http://a.example:99999/')).toBeNull();
    expect(hostKey('http://exa mple.com/')).toBeNull();
    expect(hostKey('mailto:a@example.com')).toBeNull();
    expect(hostKey('   ')).toBeNull();
  });

  test('is the envelope host produce computes, for the same URL', () => {
    for (const url of ['http://Shop.test:8080/a', 'https://bücher.example/', 'http://[::1]:81/', 'https://a.example:443/x']) {
      const n = normalizeUrl(url);
      expect(n.ok && n.host).toBe(hostKey(url));
      expect(hostKeyOf(new URL(url))).toBe(hostKey(url));
    }
  });
});

describe('politenessHost (limiter, robots, scheduler)', () => {
  test('the host name without any port, from a URL or a bare host', () => {
    expect(politenessHost('http://Shop.test:8080/a')).toBe('shop.test');
    expect(politenessHost('Shop.test:8080')).toBe('shop.test');
    expect(politenessHost('shop.test')).toBe('shop.test');
    expect(politenessHost('https://a.example:443/')).toBe('a.example');
    expect(politenessHostOf(new URL('http://127.0.0.1:9/'))).toBe('127.0.0.1');
  });

  test('IDN, uppercase, IPv6', () => {
    expect(politenessHost('BÜCHER.example')).toBe('xn--bcher-kva.example');
    expect(politenessHost('https://WWW.Example.COM/')).toBe('www.example.com');
    expect(politenessHost('[::1]:81')).toBe('[::1]');
    expect(politenessHost('http://[2001:DB8::1]:8080/')).toBe('[2001:db8::1]');
  });

  test('invalid: undefined, and each caller keeps its own fallback', () => {
    expect(politenessHost('a.example:99999')).toBeUndefined();
    expect(politenessHost('exa mple')).toBeUndefined();
    // The limiter's rules keep an unparsable host lowercased, as before.
    expect(rulesFor({ hostDelayMs: 100, hostIntervalMs: new Map(), customerIntervalMs: new Map(), burst: 0 }, 'A.Example:99999'))
      .toEqual([{ key: 'host:a.example:99999', intervalMs: 100, burst: 0 }]);
  });

  test('the two notions differ only in the port', () => {
    const url = 'http://Shop.test:8080/a';
    expect(hostKey(url)).toBe('shop.test:8080');
    expect(politenessHost(url)).toBe('shop.test');
    expect(politenessHost(hostKey(url)!)).toBe('shop.test');
  });
});
