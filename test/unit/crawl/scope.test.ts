import { describe, expect, test } from '@jest/globals';
import { directoryOf, registrableDomain, scopeRefusal, type ScopeRules } from '../../../src/crawl/scope.js';

const rules = (over: Partial<ScopeRules> = {}): ScopeRules => ({ mode: 'host', include: [], exclude: [], ...over });
const judge = (link: string, seed: string, r: ScopeRules) => scopeRefusal(new URL(link), new URL(seed), r);

describe('scopeRefusal', () => {
  test('host: the seed host exactly, port included', () => {
    expect(judge('http://a.test/x', 'http://a.test/', rules())).toBeUndefined();
    expect(judge('http://www.a.test/x', 'http://a.test/', rules())).toBe('out-of-scope');
    expect(judge('http://127.0.1.1:81/x', 'http://127.0.1.1:80/', rules())).toBe('out-of-scope');
    expect(judge('https://a.test/x', 'http://a.test/', rules())).toBeUndefined();
  });

  test('domain: subdomains of the registrable domain', () => {
    const r = rules({ mode: 'domain' });
    expect(judge('http://shop.example.co.uk/', 'http://www.example.co.uk/', r)).toBeUndefined();
    expect(judge('http://other.co.uk/', 'http://www.example.co.uk/', r)).toBe('out-of-scope');
    expect(judge('http://blog.example.com/', 'http://example.com/', r)).toBeUndefined();
    expect(judge('http://127.0.1.2/', 'http://127.0.1.1/', r)).toBe('out-of-scope');
  });

  test('prefix: under the seed directory on the same origin', () => {
    const r = rules({ mode: 'prefix' });
    expect(judge('http://a.test/docs/b/c', 'http://a.test/docs/intro', r)).toBeUndefined();
    expect(judge('http://a.test/blog/', 'http://a.test/docs/intro', r)).toBe('out-of-scope');
    expect(judge('http://b.test/docs/x', 'http://a.test/docs/intro', r)).toBe('out-of-scope');
  });

  test('any, then exclude and include on the full URL', () => {
    expect(judge('http://z.test/', 'http://a.test/', rules({ mode: 'any' }))).toBeUndefined();
    const r = rules({ include: [/\/products\//], exclude: [/\?sort=/] });
    expect(judge('http://a.test/products/1', 'http://a.test/', r)).toBeUndefined();
    expect(judge('http://a.test/products/1?sort=asc', 'http://a.test/', r)).toBe('excluded');
    expect(judge('http://a.test/about', 'http://a.test/', r)).toBe('not-included');
  });
});

describe('helpers', () => {
  test('directoryOf and registrableDomain', () => {
    expect(directoryOf('/docs/intro')).toBe('/docs/');
    expect(directoryOf('/')).toBe('/');
    expect(registrableDomain('a.b.example.com')).toBe('example.com');
    expect(registrableDomain('x.example.com.au')).toBe('example.com.au');
    expect(registrableDomain('localhost')).toBe('localhost');
    expect(registrableDomain('127.0.1.1')).toBe('127.0.1.1');
  });
});
