import { describe, expect, test } from '@jest/globals';
import { TRAP_DEFAULTS, trapReason } from '../../../src/crawl/traps.js';

const trap = (url: string, limits = TRAP_DEFAULTS) => trapReason(new URL(url), limits);

describe('trapReason', () => {
  test('ordinary URLs pass', () => {
    expect(trap('http://a.test/')).toBeUndefined();
    expect(trap('http://a.test/shop/cat/2/item?id=3&ref=x')).toBeUndefined();
    expect(trap('http://a.test/a/a/a')).toBeUndefined();
  });

  test('a path segment repeated past the cap: /a/a/a/a', () => {
    expect(trap('http://a.test/a/a/a/a')).toBe('path-repetition');
    expect(trap('http://a.test/x/a/y/a/z/a/b/a')).toBe('path-repetition');
  });

  test('length, path depth and query parameter caps', () => {
    expect(trap(`http://a.test/${'x'.repeat(2100)}`)).toBe('url-too-long');
    expect(trap(`http://a.test/${Array.from({ length: 40 }, (_, i) => `s${i}`).join('/')}`)).toBe('path-too-deep');
    expect(trap(`http://a.test/?${Array.from({ length: 17 }, (_, i) => `p${i}=1`).join('&')}`)).toBe('too-many-params');
    expect(trap(`http://a.test/?${Array.from({ length: 16 }, (_, i) => `p${i}=1`).join('&')}`)).toBeUndefined();
  });
});
