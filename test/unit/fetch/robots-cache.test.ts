import { describe, expect, test } from '@jest/globals';
import { RobotsCache, robotsFileOf, type RobotsCacheOptions } from '../../../src/fetch/robots-cache.js';
import type { FetchResult } from '../../../src/fetch/types.js';

const base = { url: 'http://a.test/robots.txt', finalUrl: 'http://a.test/robots.txt', redirects: 0, elapsedMs: 1 };
const page = (body: string): FetchResult => ({ ...base, kind: 'page', status: 200, contentType: 'text/plain', headers: {}, body: Buffer.from(body), truncated: false, bytes: Buffer.byteLength(body) });
const http = (status: number): FetchResult => status >= 500 || status === 429
  ? { ...base, kind: 'retryable', status, error: `HTTP ${status}` }
  : { ...base, kind: 'error', reason: 'http-status', status, detail: `HTTP ${status}` };

function cache(answer: (url: string) => FetchResult, extra: Partial<RobotsCacheOptions> = {}) {
  let now = 1_000_000;
  const asked: string[] = [];
  const c = new RobotsCache({
    fetchRobots: async (url) => { asked.push(url); await new Promise((r) => setTimeout(r, 5)); return answer(url); },
    userAgent: 'kscrape/1.0 (+https://example.invalid)', ttlMs: 3_600_000, errorTtlMs: 300_000,
    maxEntries: 100, maxBytes: 1 << 20, maxCrawlDelayMs: 60_000, now: () => now, ...extra,
  });
  return { c, asked, advance: (ms: number) => { now += ms; } };
}

const RULES = [
  'User-agent: *', 'Disallow: /', '',
  'User-agent: kscrape', 'Disallow: /private', 'Disallow: /*.pdf$', 'Allow: /private/open', 'Crawl-delay: 2.5',
].join('\n');

describe('robotsFileOf', () => {
  test('2xx rules, 4xx allow all, 5xx/429/network unreachable, guard refusal blocked', () => {
    expect(robotsFileOf(page('x'))).toEqual({ kind: 'rules', text: 'x' });
    expect(robotsFileOf(http(404))).toEqual({ kind: 'allow-all', detail: 'robots.txt: HTTP 404' });
    expect(robotsFileOf(http(503))).toEqual({ kind: 'unreachable', detail: 'robots.txt unavailable (HTTP 503)' });
    expect(robotsFileOf(http(429))).toEqual({ kind: 'unreachable', detail: 'robots.txt unavailable (HTTP 429)' });
    expect(robotsFileOf({ ...base, kind: 'retryable', status: null, error: 'ECONNREFUSED' }).kind).toBe('unreachable');
    expect(robotsFileOf({ ...base, kind: 'error', reason: 'blocked-address', status: null, detail: 'x is loopback' })).toEqual({ kind: 'blocked', detail: 'x is loopback' });
    expect(robotsFileOf({ ...base, kind: 'error', reason: 'redirect', status: 301, detail: 'more than 5 redirects' }).kind).toBe('allow-all');
  });
});

describe('RobotsCache', () => {
  test('our group wins over *, with RFC 9309 longest match, wildcards and $', async () => {
    const { c } = cache(() => page(RULES));
    const check = async (path: string) => (await c.check(new URL(`http://a.test${path}`))).allowed;
    expect(await check('/')).toBe(true);
    expect(await check('/private/x')).toBe(false);
    expect(await check('/private/open/x')).toBe(true);
    expect(await check('/doc.pdf')).toBe(false);
    expect(await check('/doc.pdf?x=1')).toBe(true);
    expect(await c.check(new URL('http://a.test/private'))).toEqual({ allowed: false, why: 'disallowed', detail: 'robots.txt disallows /private (line 5)', crawlDelayMs: 2500 });
    expect(await c.check(new URL('http://a.test/ok'))).toEqual({ allowed: true, crawlDelayMs: 2500 });
    expect(c.crawlDelayMs('a.test')).toBe(2500);
    expect(c.crawlDelayMs('http://a.test/any')).toBe(2500);
    expect(c.crawlDelayMs('b.test')).toBeUndefined();
  });

  test('concurrent checks of one origin share one fetch; other origins fetch their own', async () => {
    const { c, asked } = cache(() => page(RULES));
    const all = await Promise.all([...Array(20)].map((_, i) => c.check(new URL(`http://a.test/p${i}`))));
    expect(all.every((v) => v.allowed)).toBe(true);
    await c.check(new URL('https://a.test/'));
    await c.check(new URL('http://a.test:8080/'));
    expect(asked).toEqual(['http://a.test/robots.txt', 'https://a.test/robots.txt', 'http://a.test:8080/robots.txt']);
  });

  test('cached for the TTL, fetched again after it', async () => {
    const { c, asked, advance } = cache(() => page(RULES));
    await c.check(new URL('http://a.test/'));
    advance(3_599_000);
    await c.check(new URL('http://a.test/'));
    expect(asked).toHaveLength(1);
    advance(2_000);
    await c.check(new URL('http://a.test/'));
    expect(asked).toHaveLength(2);
  });

  test('4xx allows everything; 5xx disallows for the shorter error TTL', async () => {
    let status = 503;
    const { c, asked, advance } = cache(() => http(status));
    expect(await c.check(new URL('http://a.test/x'))).toEqual({ allowed: false, why: 'unreachable', detail: 'robots.txt unavailable (HTTP 503)' });
    advance(299_000);
    expect((await c.check(new URL('http://a.test/x'))).allowed).toBe(false);
    expect(asked).toHaveLength(1);
    status = 404;
    advance(2_000);
    expect(await c.check(new URL('http://a.test/x'))).toEqual({ allowed: true });
    expect(asked).toHaveLength(2);
  });

  test('the LRU keeps at most maxEntries origins and maxBytes of text', async () => {
    const { c, asked } = cache(() => page(RULES), { maxEntries: 3 });
    for (const h of ['a', 'b', 'c', 'a', 'd']) await c.check(new URL(`http://${h}.test/`));
    expect(c.size).toBe(3);
    await c.check(new URL('http://a.test/')); // recently used: still cached
    await c.check(new URL('http://b.test/')); // evicted: fetched again
    expect(asked.map((u) => new URL(u).hostname)).toEqual(['a.test', 'b.test', 'c.test', 'd.test', 'b.test']);

    const big = cache(() => page(`User-agent: *\nDisallow: /x\n#${'x'.repeat(40_000)}`), { maxBytes: 100_000 });
    for (const h of ['a', 'b', 'c', 'd']) await big.c.check(new URL(`http://${h}.test/`));
    expect(big.c.size).toBe(2);
  });

  test('a caller that gives up stops waiting; the shared fetch still fills the cache', async () => {
    const { c, asked } = cache(() => page(RULES));
    const abort = new AbortController();
    const waiting = c.check(new URL('http://a.test/'), abort.signal);
    abort.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    expect((await c.check(new URL('http://a.test/'))).allowed).toBe(true);
    expect(asked).toHaveLength(1);
  });
});

describe('Crawl-delay by host name', () => {
  test('a bare host finds the delay of its origin on a non-default port (politeness is per host name)', async () => {
    const { c } = cache(() => page(RULES));
    await c.check(new URL('http://shop.test:8080/ok'));
    expect(c.crawlDelayMs('shop.test')).toBe(2500);
    expect(c.crawlDelayMs('shop.test:8080')).toBe(2500);
    expect(c.crawlDelayMs('SHOP.test:9')).toBe(2500);
    expect(c.crawlDelayMs('http://shop.test:8080/x')).toBe(2500);
    expect(c.crawlDelayMs('other.test')).toBeUndefined();
  });

  test('an evicted origin no longer answers for its host', async () => {
    const { c } = cache(() => page(RULES), { maxEntries: 1 });
    await c.check(new URL('http://a.test:81/ok'));
    await c.check(new URL('http://b.test:82/ok'));
    expect(c.crawlDelayMs('a.test')).toBeUndefined();
    expect(c.crawlDelayMs('b.test')).toBe(2500);
  });
});
