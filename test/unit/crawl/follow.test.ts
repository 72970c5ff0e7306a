import { describe, expect, test } from '@jest/globals';
import { CrawlFollower, crawlOf, type FetchedPage } from '../../../src/crawl/follow.js';
import { defaultCrawlSettings, type CrawlSettings } from '../../../src/crawl/options.js';
import { CRAWL_STORE_DEFAULTS, MemoryCrawlStore, type CrawlStore } from '../../../src/crawl/store.js';
import { createPartitioner, hostPartition } from '../../../src/partition/partitioner.js';
import { decodeUrlEnvelope, type UrlEnvelope } from '../../../src/records/index.js';

const seed: UrlEnvelope = { url: 'http://a.test/', host: 'a.test', customer_id: 'c', priority: 2, discovered_at: 1, attempt: 0, crawl_id: 'k', depth: 0 };
const page = (html: string, over: Partial<FetchedPage> = {}): FetchedPage => ({
  finalUrl: 'http://a.test/', contentType: 'text/html; charset=utf-8', headers: {}, body: Buffer.from(html), ...over,
});

function follower(settings: Partial<CrawlSettings> = {}, store: CrawlStore = new MemoryCrawlStore(CRAWL_STORE_DEFAULTS)) {
  return new CrawlFollower({ settings: defaultCrawlSettings(settings), store, partition: createPartitioner('host'), urlsTopic: 'urls', partitions: () => 12, now: () => 42 });
}
const urlsOf = (records: { value: Buffer }[]) => records.map((r) => { const d = decodeUrlEnvelope(r.value); if (!d.ok) throw new Error(d.malformed); return d.envelope; });

describe('CrawlFollower', () => {
  test('queued links become crawl envelopes (depth + 1, referrer, seed, customer and priority kept) on the host partition', async () => {
    const r = await follower().follow(seed, page('<a href="/x">x</a><a href="http://b.test/y">out</a><a href="/">self</a>'));
    expect(r.records.map((x) => [x.topic, x.key, x.partition])).toEqual([['urls', 'a.test', hostPartition('a.test', 12)]]);
    expect(urlsOf(r.records)).toEqual([{
      url: 'http://a.test/x', host: 'a.test', customer_id: 'c', priority: 2, discovered_at: 42, attempt: 0,
      crawl_id: 'k', depth: 1, referrer: 'http://a.test/', seed: 'http://a.test/',
    }]);
    expect(r.counts).toEqual({ 'out-of-scope': 1, queued: 1 });
    expect(r.page).toEqual({ canonical: null, crawl_id: 'k', depth: 0 });
  });

  test('a link found again (by another page) is not queued twice; scope is judged against the seed', async () => {
    const f = follower();
    await f.follow(seed, page('<a href="/x">x</a>'));
    const child = { ...seed, url: 'http://a.test/x', depth: 1, seed: 'http://a.test/', referrer: 'http://a.test/' };
    const r = await f.follow(child, page('<a href="/x">self</a><a href="/">seed</a><a href="/y">y</a>', { finalUrl: 'http://a.test/x' }));
    expect(urlsOf(r.records).map((e) => [e.url, e.depth])).toEqual([['http://a.test/y', 2]]);
    expect(r.counts).toEqual({ queued: 1, seen: 1 });
  });

  test('depth, traps, nofollow and meta robots', async () => {
    const deep = { ...seed, depth: 3 };
    expect((await follower({ maxDepth: 3 }).follow(deep, page('<a href="/x">x</a>'))).counts).toEqual({ depth: 1 });
    expect((await follower().follow(seed, page('<a href="/a/a/a/a">t</a><a rel="nofollow" href="/n">n</a>'))).counts).toEqual({ 'path-repetition': 1, nofollow: 1 });
    const meta = await follower().follow(seed, page('<meta name="robots" content="noindex,nofollow"><a href="/x">x</a>'));
    expect([meta.records.length, meta.noindex, meta.counts]).toEqual([0, true, { nofollow: 1 }]);
    const ignored = await follower({ ignoreRobotsMeta: true, ignoreNofollow: true }).follow(seed, page('<meta name="robots" content="noindex,nofollow"><a rel="nofollow" href="/x">x</a>'));
    expect([ignored.records.length, ignored.noindex]).toEqual([1, false]);
  });

  test('a plain URL (no crawl id) is a seed of crawl "default"; non-HTML pages have no links', async () => {
    const plain: UrlEnvelope = { url: 'http://a.test/p', host: 'a.test', customer_id: 'c', priority: 0, discovered_at: 1, attempt: 0 };
    expect(crawlOf(plain)).toEqual({ crawlId: 'default', depth: 0, seed: 'http://a.test/p' });
    const r = await follower().follow(plain, page('<a href="/q">q</a>', { finalUrl: 'http://a.test/p' }));
    expect(urlsOf(r.records)).toMatchObject([{ crawl_id: 'default', depth: 1, seed: 'http://a.test/p' }]);
    expect((await follower().follow(seed, page('<a href="/x">x</a>', { contentType: 'application/json' }))).records).toEqual([]);
  });

  test('a stopped crawl queues nothing', async () => {
    const store = new MemoryCrawlStore(CRAWL_STORE_DEFAULTS);
    const stopped: CrawlStore = { shared: false, isStopped: () => Promise.resolve(true), count: () => Promise.resolve(), visit: async (v) => ({ ...(await store.visit(v)), stopped: true }) };
    const r = await follower({}, stopped).follow(seed, page('<a href="/x">x</a>'));
    expect([r.records, r.counts]).toEqual([[], { stopped: 1 }]);
  });

  test('a redirect stays in scope and claims its target: followed once, then a duplicate; a later link to it is seen', async () => {
    const store = new MemoryCrawlStore(CRAWL_STORE_DEFAULTS);
    const f = follower({ exclude: [/\/private/] }, store);
    const moved = { ...seed, url: 'http://a.test/moved', depth: 1, seed: 'http://a.test/' };
    const check = f.checkRedirect(moved);
    expect(await check(new URL('http://b.test/away'))).toEqual({ kind: 'refuse', detail: 'redirect to http://b.test/away not followed: out-of-scope (crawl rules)' });
    expect(await check(new URL('http://a.test/private/x'))).toMatchObject({ kind: 'refuse', detail: expect.stringContaining('excluded') });
    expect(await check(new URL('http://a.test/t/t/t/t'))).toMatchObject({ kind: 'refuse', detail: expect.stringContaining('path-repetition') });
    // The target is claimed (the fragment goes, as in produce); the same URL's retry may follow it again.
    expect(await check(new URL('http://a.test/target#top'))).toBeUndefined();
    expect(await f.checkRedirect(moved)(new URL('http://a.test/target'))).toBeUndefined();
    // Another URL redirecting there, or a page linking to it, finds it claimed.
    expect(await f.checkRedirect({ ...moved, url: 'http://a.test/moved2' })(new URL('http://a.test/target'))).toEqual({ kind: 'duplicate', detail: 'redirect to http://a.test/target, which the crawl already has' });
    const r = await f.follow(seed, page('<a href="/target">t</a>'));
    expect([r.records.length, r.counts]).toEqual([0, { seen: 1 }]);
    // A redirect of a seed is judged against the seed.
    expect(await f.checkRedirect({ ...seed, url: 'http://a.test/' })(new URL('http://www.a.test/'))).toMatchObject({ kind: 'refuse' });
  });
});
