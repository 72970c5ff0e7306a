import { describe, expect, test } from '@jest/globals';
import { classifyTarget, compilePatterns, olderThan, onAllowedHost, parseSince, passesPatterns } from '../../../src/sitemap/filters.js';

describe('sitemap filters', () => {
  const now = Date.parse('2026-12-06T00:00:00Z');

  test('--since takes a date or a duration back from now; anything else is a usage error', () => {
    expect(parseSince('2026-11-01', now)).toBe(Date.parse('2026-11-01'));
    expect(parseSince('2026-11-01T12:00:00Z', now)).toBe(Date.parse('2026-11-01T12:00:00Z'));
    expect(parseSince('7d', now)).toBe(now - 7 * 86_400_000);
    expect(() => parseSince('last week', now)).toThrow(/--since: 'last week'/);
    expect(() => parseSince('2026-13-45', now)).toThrow(/--since/);
  });

  test('lastmod before --since is older; a missing or unparsable lastmod is not', () => {
    const since = Date.parse('2026-11-01');
    expect(olderThan('2026-10-31', since)).toBe(true);
    expect(olderThan('2026-10-31T23:59:59+00:00', since)).toBe(true);
    expect(olderThan('2026-11-01', since)).toBe(false);
    expect(olderThan('2026-11-02T10:00+01:00', since)).toBe(false);
    expect(olderThan(undefined, since)).toBe(false);
    expect(olderThan('yesterday', since)).toBe(false);
    expect(olderThan('2020-01-01', undefined)).toBe(false);
  });

  test('--include needs one match, --exclude none; a bad pattern names its flag', () => {
    const include = compilePatterns(['/products/', '/blog/'], '--include');
    const exclude = compilePatterns(['\\?sort='], '--exclude');
    expect(passesPatterns('http://shop.test/products/1', include, exclude)).toBe(true);
    expect(passesPatterns('http://shop.test/about', include, exclude)).toBe(false);
    expect(passesPatterns('http://shop.test/products/1?sort=asc', include, exclude)).toBe(false);
    expect(passesPatterns('http://shop.test/anything', [], [])).toBe(true);
    expect(() => compilePatterns(['('], '--exclude')).toThrow(/--exclude: '\('/);
  });

  test('the protocol host rule: only the allowed hosts (port and case do not matter)', () => {
    const hosts = new Set(['shop.test']);
    expect(onAllowedHost('http://SHOP.test:8080/a', hosts)).toBe(true);
    expect(onAllowedHost('http://cdn.shop.test/a', hosts)).toBe(false);
    expect(onAllowedHost('http://other.test/a', new Set(['shop.test', 'other.test']))).toBe(true);
  });

  test('a site root means discovery, any other path is a sitemap; bad targets are usage errors', () => {
    expect(classifyTarget('http://shop.test/').kind).toBe('site');
    expect(classifyTarget('http://shop.test').kind).toBe('site');
    expect(classifyTarget('http://shop.test/sitemap.xml').kind).toBe('sitemap');
    expect(classifyTarget('http://shop.test/?page=2').kind).toBe('sitemap');
    expect(() => classifyTarget('shop.test')).toThrow(/is not a URL/);
    expect(() => classifyTarget('ftp://shop.test/s.xml')).toThrow(/only http and https/);
  });
});
