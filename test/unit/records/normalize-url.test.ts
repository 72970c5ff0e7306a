import { describe, expect, test } from '@jest/globals';
import { normalizeUrl } from '../../../src/records/index.js';

const ok = (input: string) => {
  const r = normalizeUrl(input);
  if (!r.ok) throw new Error(`expected ${input} to be accepted, got ${r.reason}`);
  return r;
};
const reason = (input: string, maxLength?: number) => {
  const r = normalizeUrl(input, { maxLength });
  return r.ok ? 'accepted' : r.reason;
};

describe('normalizeUrl', () => {
  test('lowercases the host, drops the default port and the fragment, keeps path case and query', () => {
    expect(ok('HTTP://ExAmple.COM:80/Path/A?Q=1#frag')).toEqual({ ok: true, url: 'http://example.com/Path/A?Q=1', host: 'example.com' });
    expect(ok('https://a.example:443').url).toBe('https://a.example/');
    expect(ok('http://a.example/#').url).toBe('http://a.example/');
  });

  test('keeps a non-default port in the host key', () => {
    expect(ok('http://a.example:8080/x')).toMatchObject({ host: 'a.example:8080', url: 'http://a.example:8080/x' });
  });

  test('unicode hosts become punycode; non-ASCII paths are percent-encoded', () => {
    expect(ok('http://münchen.de/ä')).toEqual({ ok: true, url: 'http://xn--mnchen-3ya.de/%C3%A4', host: 'xn--mnchen-3ya.de' });
    expect(ok('https://例え.テスト/').host).toBe('xn--r8jz45g.xn--zckzah');
  });

  test('surrounding whitespace, CR and a BOM are trimmed', () => {
    expect(ok('  https://a.example/x\r').url).toBe('https://a.example/x');
    expect(ok('\uFEFFhttps://a.example/').url).toBe('https://a.example/');
  });

  test('refuses other schemes, missing scheme or host, whitespace, control bytes, bad hosts', () => {
    expect(reason('javascript:alert(1)')).toBe('unsupported-scheme');
    expect(reason('file:///etc/passwd')).toBe('unsupported-scheme');
    expect(reason('ftp://a.example/')).toBe('unsupported-scheme');
    expect(reason('example.com/path')).toBe('not-a-url');
    expect(reason('http:example.com')).toBe('not-a-url');
    expect(reason('http://')).toBe('no-host');
    expect(reason('http:///path')).toBe('no-host');
    expect(reason('https://:443/x')).toBe('no-host');
    expect(reason('http://user@/x')).toBe('no-host');
    expect(reason('http://a.example/a b')).toBe('whitespace');
    expect(reason('http://a.example/\u0000')).toBe('invalid-characters');
    expect(reason('http://a.example/\uFFFD')).toBe('invalid-characters');
    expect(reason('http://exa mple.com/')).toBe('whitespace');
    expect(reason('http://bad host.com')).toBe('whitespace');
    expect(reason('http://xn--a.com/')).toBe('not-a-url');
    expect(reason('http://a.example:99999/')).toBe('not-a-url');
  });

  test('length limit, before and after normalization', () => {
    const long = `https://a.example/${'x'.repeat(10_000)}`;
    expect(reason(long)).toBe('too-long');
    expect(reason('https://a.example/abc', 20)).toBe('too-long');
    // 19 characters typed, longer once the IDN host is punycoded.
    expect(reason('http://ü.de/aaaaaaa', 19)).toBe('too-long');
    expect(reason('https://a.example/', 20)).toBe('accepted');
  });
});
