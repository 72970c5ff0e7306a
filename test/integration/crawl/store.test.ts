import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { CRAWL_STORE_DEFAULTS, MemoryCrawlStore, RedisCrawlStore, crawlKeyPrefix, type CrawlLimits, type CrawlStore } from '../../../src/crawl/store.js';
import { ownerToken } from '../../../src/crawl/url-hash.js';
import { testRedisUrl, uniqueName } from '../../helpers/env.js';

let redis: Redis;
let lastPrefix = '';
const prefix = () => (lastPrefix = `kst:crawl:${uniqueName('store')}:`);

beforeAll(() => { redis = new Redis(testRedisUrl(), { lazyConnect: false }); });
afterAll(async () => {
  const keys = await redis.keys('kst:crawl:store-*');
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  await redis.quit();
});

const link = (path: string, host = 'a.test') => ({ url: `http://${host}${path}`, host });
const P1 = ownerToken('http://a.test/p1');
const P2 = ownerToken('http://a.test/p2');

function stores(limits: Partial<CrawlLimits> = {}): [string, () => CrawlStore][] {
  const l = { ...CRAWL_STORE_DEFAULTS, ...limits };
  return [
    ['redis', () => new RedisCrawlStore({ redis, keyPrefix: prefix(), limits: l })],
    ['memory', () => new MemoryCrawlStore(l)],
  ];
}

describe.each(stores())('%s crawl store: claims', (_name, make) => {
  test('a link is claimed once per crawl; other pages see it; another crawl claims it again', async () => {
    const s = make();
    const first = await s.visit({ crawlId: 'c', owner: P1, links: [link('/x'), link('/y'), link('/x')], refused: {} });
    expect(first.codes).toEqual(['new', 'new', 'again']);
    const second = await s.visit({ crawlId: 'c', owner: P2, links: [link('/x'), link('/z')], refused: {} });
    expect(second.codes).toEqual(['seen', 'new']);
    expect((await s.visit({ crawlId: 'other', owner: P2, links: [link('/x')], refused: {} })).codes).toEqual(['new']);
  });

  test('the same page again (a retry after a crash) claims its links again: nothing it claimed is lost', async () => {
    const s = make();
    await s.visit({ crawlId: 'c', owner: P1, links: [link('/x')], refused: {} });
    expect((await s.visit({ crawlId: 'c', owner: P1, links: [link('/x')], refused: {} })).codes).toEqual(['again']);
  });

  test('seeds (owner 0) and fetched pages count as discovered', async () => {
    const s = make();
    await s.visit({ crawlId: 'c', owner: 0, links: [link('/')], refused: {} });
    await s.visit({ crawlId: 'c', owner: P1, page: { url: 'http://a.test/plain-seed', host: 'a.test', depth: 0 }, links: [], refused: {} });
    expect((await s.visit({ crawlId: 'c', owner: P2, links: [link('/'), link('/plain-seed')], refused: {} })).codes).toEqual(['seen', 'seen']);
  });
});

describe.each(stores({ maxPages: 3, maxPagesPerHost: 2 }))('%s crawl store: caps', (_name, make) => {
  test('per-host and per-crawl caps count queued URLs', async () => {
    const s = make();
    const r = await s.visit({ crawlId: 'c', owner: P1, links: [link('/1'), link('/2'), link('/3'), link('/1', 'b.test'), link('/2', 'b.test')], refused: {} });
    expect(r.codes).toEqual(['new', 'new', 'host-cap', 'new', 'crawl-cap']);
  });
});

describe.each(stores({ refetchAfterSec: 1 }))('%s crawl store: refetch after', (_name, make) => {
  test('a URL is claimable again once refetch-after has passed since its claim or fetch', async () => {
    const s = make();
    await s.visit({ crawlId: 'c', owner: P1, links: [link('/x')], refused: {} });
    expect((await s.visit({ crawlId: 'c', owner: P2, links: [link('/x')], refused: {} })).codes).toEqual(['seen']);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await s.visit({ crawlId: 'c', owner: P2, links: [link('/x')], refused: {} })).codes).toEqual(['again']);
    expect((await s.visit({ crawlId: 'c', owner: P1, links: [link('/x')], refused: {} })).codes).toEqual(['seen']);
  });
});

describe.each(stores({ refetchAfterSec: 1 }))('%s crawl store: validators for recrawls', (_name, make) => {
  test('a fetched page\'s validators come back with its claim when its refetch is due, and follow its changes', async () => {
    const s = make();
    const page = (path: string, validators?: { etag?: string; lastModified?: string } | null) =>
      ({ url: `http://a.test${path}`, host: 'a.test', depth: 1, ...(validators === undefined ? {} : { validators }) });
    const first = await s.visit({ crawlId: 'c', owner: P1, links: [link('/x'), link('/y'), link('/z')], refused: {} });
    expect(first.validators).toEqual([undefined, undefined, undefined]);
    await s.visit({ crawlId: 'c', owner: ownerToken('http://a.test/x'), page: page('/x', { etag: '"x1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' }), links: [], refused: {} });
    await s.visit({ crawlId: 'c', owner: ownerToken('http://a.test/y'), page: page('/y', { etag: 'W/"y1"' }), links: [], refused: {} });
    await s.visit({ crawlId: 'c', owner: ownerToken('http://a.test/z'), page: page('/z', null), links: [], refused: {} });
    // Not due yet: seen, nothing handed back.
    expect((await s.visit({ crawlId: 'c', owner: P2, links: [link('/x')], refused: {} })).validators).toEqual([undefined]);
    await new Promise((r) => setTimeout(r, 2100));
    const again = await s.visit({ crawlId: 'c', owner: P2, links: [link('/x'), link('/y'), link('/z'), link('/new')], refused: {} });
    expect(again.codes).toEqual(['again', 'again', 'again', 'new']);
    expect(again.validators).toEqual([{ etag: '"x1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' }, { etag: 'W/"y1"' }, undefined, undefined]);
    // /y answers without validators now: they are forgotten; /x's 304 (no visit) keeps its own.
    await s.visit({ crawlId: 'c', owner: ownerToken('http://a.test/y'), page: page('/y', null), links: [], refused: {} });
    await new Promise((r) => setTimeout(r, 2100));
    const third = await s.visit({ crawlId: 'c', owner: P1, links: [link('/x'), link('/y')], refused: {} });
    expect(third.validators).toEqual([{ etag: '"x1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' }, undefined]);
  });
});

describe.each(stores())('%s crawl store: no validators without refetch-after', (_name, make) => {
  test('a crawl that never refetches keeps no validators (no memory spent on them)', async () => {
    const s = make();
    await s.visit({ crawlId: 'c', owner: P1, links: [link('/p')], refused: {} });
    await s.visit({ crawlId: 'c', owner: P1, page: { url: 'http://a.test/p', host: 'a.test', depth: 0, validators: { etag: '"p"' } }, links: [], refused: {} });
    const r = await s.visit({ crawlId: 'c', owner: P1, links: [link('/p')], refused: {} });
    expect(r.codes).toEqual(['again']);
    expect(r.validators).toEqual([undefined]);
    if (s instanceof RedisCrawlStore) {
      const keys = await redis.keys(`${lastPrefix}kscrape:crawl:c:v:*`);
      expect(keys).toEqual([]);
    }
  });
});

describe('redis crawl store: stats, stop, expiry', () => {
  test('counters, depth histogram, top hosts and the refused reasons land in the crawl keys, which expire', async () => {
    const kp = prefix();
    const s = new RedisCrawlStore({ redis, keyPrefix: kp, limits: { ...CRAWL_STORE_DEFAULTS, ttlSec: 600, topHosts: 1 } });
    await s.visit({ crawlId: 'c', owner: P1, page: { url: 'http://a.test/', host: 'a.test', depth: 0 }, links: [link('/x'), link('/y')], refused: { 'out-of-scope': 2, nofollow: 0 } });
    await s.visit({ crawlId: 'c', owner: P2, page: { url: 'http://a.test/x', host: 'a.test', depth: 1 }, links: [link('/y')], refused: {} });
    for (const h of ['b.test', 'c.test', 'd.test']) await s.visit({ crawlId: 'c', owner: P2, page: { url: `http://${h}/`, host: h, depth: 1 }, links: [], refused: {} });
    const base = crawlKeyPrefix(kp, 'c');
    expect(await redis.hgetall(`${base}stats`)).toEqual({
      pages: '5', 'depth:0': '1', 'depth:1': '4', queued: '2', 'refused:out-of-scope': '2', 'refused:seen': '1',
    });
    expect(await redis.zrevrange(`${base}top`, 0, 0)).toEqual(['a.test']);
    expect(await redis.zcard(`${base}top`)).toBeLessThanOrEqual(2);
    const ttl = await redis.ttl(`${base}stats`);
    expect(ttl).toBeGreaterThan(590);
    const buckets = await redis.keys(`${base}s:*`);
    expect(buckets.length).toBeGreaterThan(0);
    for (const k of buckets) expect(await redis.ttl(k)).toBeGreaterThan(590);
    expect(await s.isStopped('c')).toBe(false);
    await redis.set(`${base}stop`, '1');
    expect(await s.isStopped('c')).toBe(true);
    expect((await s.visit({ crawlId: 'c', owner: P1, links: [], refused: {} })).stopped).toBe(true);
  });

  test('buckets stay listpack-encoded (the memory bound)', async () => {
    const kp = prefix();
    const s = new RedisCrawlStore({ redis, keyPrefix: kp, limits: CRAWL_STORE_DEFAULTS, bucketBits: 11 });
    const links = Array.from({ length: 20_000 }, (_, i) => link(`/p${i}`));
    for (let i = 0; i < links.length; i += 500) await s.visit({ crawlId: 'c', owner: P1, links: links.slice(i, i + 500), refused: {} });
    const buckets = await redis.keys(`${crawlKeyPrefix(kp, 'c')}s:*`);
    expect(buckets.length).toBeGreaterThan(1900);
    const sample = buckets.slice(0, 50);
    for (const k of sample) expect(await redis.object('ENCODING', k)).toBe('listpack');
    expect(Number(await redis.hget(`${crawlKeyPrefix(kp, 'c')}stats`, 'queued'))).toBe(20_000);
  });
});
