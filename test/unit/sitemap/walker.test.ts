import { describe, expect, test } from '@jest/globals';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { FetchResult } from '../../../src/fetch/index.js';
import { createLogger } from '../../../src/log.js';
import { SITEMAP_DEFAULTS, type SitemapSettings } from '../../../src/sitemap/options.js';
import { SitemapStats } from '../../../src/sitemap/stats.js';
import { walkSitemaps, type EmittedUrl } from '../../../src/sitemap/walker.js';
import { sitemapIndex, urlset } from './fixtures.js';

/** A pretend web: URL → body (or an HTTP status), robots.txt Sitemap lines per origin. Pure logic, no sockets. */
function fakeWeb(files: Record<string, Buffer | string | number>, robots: Record<string, string[]> = {}) {
  const fetched: string[] = [];
  const admitted: string[] = [];
  const base = (url: string) => ({ url, finalUrl: url, redirects: 0, elapsedMs: 1 });
  const fetcher = {
    async fetchStream(url: string, read: (body: Readable) => Promise<void>): Promise<FetchResult> {
      fetched.push(url);
      const file = files[url];
      if (file === undefined || typeof file === 'number') {
        return { ...base(url), kind: 'error', reason: 'http-status', status: file ?? 404, detail: `HTTP ${file ?? 404}` };
      }
      await read(Readable.from([typeof file === 'string' ? Buffer.from(file) : file]));
      return { ...base(url), kind: 'page', status: 200, contentType: null, headers: {}, body: Buffer.alloc(0), truncated: false, bytes: 0 };
    },
    async robotsSitemaps(origin: string) { return robots[origin] ?? []; },
  };
  return { fetcher, fetched, admitted };
}

const settings = (over: Partial<SitemapSettings> = {}): SitemapSettings => ({
  ...SITEMAP_DEFAULTS, sinceMs: undefined, include: [], exclude: [], maxUrlLength: 4096, ...over,
});

async function walk(targets: string[], web: ReturnType<typeof fakeWeb>, over: Partial<SitemapSettings> = {}) {
  const emitted: EmittedUrl[] = [];
  const warnings: string[] = [];
  const stats = new SitemapStats();
  const logger = { ...createLogger({ write: () => undefined }), warn: (m: string) => { warnings.push(m); } };
  await walkSitemaps(targets, settings(over), {
    fetcher: web.fetcher, stats, logger, signal: new AbortController().signal,
    admit: async (url) => { web.admitted.push(url.href); return {}; },
    emit: async (e) => { emitted.push(e); },
  });
  return { emitted, urls: emitted.map((e) => e.url), stats, warnings };
}

describe('walkSitemaps', () => {
  test('a site root reads the sitemaps robots.txt lists; their cross-host URLs are allowed', async () => {
    const web = fakeWeb({
      'http://cdn.test/sitemaps/shop.xml': urlset([{ loc: 'http://shop.test/a', lastmod: '2026-11-01', priority: '0.4' }, { loc: 'http://cdn.test/x' }]),
    }, { 'http://shop.test': ['http://cdn.test/sitemaps/shop.xml'] });
    const r = await walk(['http://shop.test/'], web);
    expect(r.urls).toEqual(['http://shop.test/a', 'http://cdn.test/x']);
    expect(r.emitted[0]).toEqual({ url: 'http://shop.test/a', lastmod: '2026-11-01', priority: '0.4', sitemap: 'http://cdn.test/sitemaps/shop.xml' });
    expect(web.admitted[0]).toBe('http://shop.test/robots.txt');
  });

  test('without Sitemap: lines a site root falls back to /sitemap.xml; a URL on another host is dropped and counted', async () => {
    const web = fakeWeb({ 'http://shop.test/sitemap.xml': urlset([{ loc: 'http://shop.test/a' }, { loc: 'http://evil.test/b' }, { loc: 'javascript:alert(1)' }]) });
    const r = await walk(['http://shop.test/'], web);
    expect(r.urls).toEqual(['http://shop.test/a']);
    expect(Object.fromEntries(r.stats.skippedUrls)).toEqual({ 'cross-host': 1, 'invalid-url': 1 });
  });

  test('an index: gzip children followed, a broken child reported and skipped, old children not fetched', async () => {
    const web = fakeWeb({
      'http://shop.test/index.xml': sitemapIndex([
        { loc: 'http://shop.test/new.xml.gz', lastmod: '2026-11-20' },
        { loc: 'http://shop.test/old.xml', lastmod: '2025-01-01' },
        { loc: 'http://shop.test/missing.xml' },
        { loc: 'http://shop.test/broken.xml' },
        { loc: 'http://shop.test/new.xml.gz' },
      ]),
      'http://shop.test/new.xml.gz': gzipSync(urlset([{ loc: 'http://shop.test/n1', lastmod: '2026-11-20' }, { loc: 'http://shop.test/n0', lastmod: '2026-01-01' }])),
      'http://shop.test/old.xml': urlset([{ loc: 'http://shop.test/o1' }]),
      'http://shop.test/broken.xml': '<urlset><url><loc>http://shop.test/b1</loc></url><url>',
    });
    const r = await walk(['http://shop.test/index.xml'], web, { sinceMs: Date.parse('2026-11-01') });
    expect(r.urls).toEqual(['http://shop.test/n1', 'http://shop.test/b1']);
    expect(web.fetched).not.toContain('http://shop.test/old.xml');
    expect(Object.fromEntries(r.stats.skippedSitemaps)).toEqual({ 'older-than-since': 1, fetch: 1, parse: 1, duplicate: 1 });
    expect(Object.fromEntries(r.stats.skippedUrls)).toEqual({ 'older-than-since': 1 });
    expect(r.stats.sitemapsRead).toBe(2);
    expect(r.stats.indexesRead).toBe(1);
    expect(r.stats.rootFailures).toBe(0);
    expect(r.warnings.join('\n')).toMatch(/missing\.xml: HTTP 404/);
  });

  test('caps: entries per file, total URLs, index depth', async () => {
    const many = urlset(Array.from({ length: 30 }, (_, i) => ({ loc: `http://shop.test/p${i}` })));
    const web = fakeWeb({
      'http://shop.test/s.xml': many,
      'http://shop.test/i0.xml': sitemapIndex([{ loc: 'http://shop.test/i1.xml' }]),
      'http://shop.test/i1.xml': sitemapIndex([{ loc: 'http://shop.test/s.xml' }]),
    });
    const perFile = await walk(['http://shop.test/s.xml'], web, { maxFileUrls: 10 });
    expect(perFile.urls).toHaveLength(10);
    expect(perFile.stats.skippedSitemaps.get('url-cap')).toBe(1);
    const total = await walk(['http://shop.test/s.xml'], web, { maxUrls: 5 });
    expect(total.urls).toHaveLength(5);
    expect(total.stats.stoppedBy).toBe('total-cap');
    const deep = await walk(['http://shop.test/i0.xml'], web, { maxDepth: 1 });
    expect(deep.urls).toEqual([]);
    expect(deep.stats.skippedSitemaps.get('depth-cap')).toBe(1);
  });

  test('caps: --max-sitemaps counts every sitemap file of the run (the index included); the rest are not fetched', async () => {
    const children = [1, 2, 3, 4].map((i) => `http://shop.test/c${i}.xml`);
    const web = fakeWeb({
      'http://shop.test/index.xml': sitemapIndex(children.map((loc) => ({ loc }))),
      ...Object.fromEntries(children.map((loc, i) => [loc, urlset([{ loc: `http://shop.test/p${i + 1}` }])])),
    });
    const r = await walk(['http://shop.test/index.xml'], web, { maxSitemaps: 3 });
    expect(web.fetched).toEqual(['http://shop.test/index.xml', 'http://shop.test/c1.xml', 'http://shop.test/c2.xml']);
    expect(r.urls).toEqual(['http://shop.test/p1', 'http://shop.test/p2']);
    expect(Object.fromEntries(r.stats.skippedSitemaps)).toEqual({ 'sitemap-cap': 2 });
  });

  test('--include/--exclude and normalization as produce does it', async () => {
    const web = fakeWeb({ 'http://shop.test/s.txt': 'HTTP://Shop.Test:80/products/1#top\nhttp://shop.test/about\nhttp://shop.test/products/2?sort=asc\n' });
    const r = await walk(['http://shop.test/s.txt'], web, { include: [/\/products\//], exclude: [/sort=/] });
    expect(r.urls).toEqual(['http://shop.test/products/1']);
    expect(r.stats.skippedUrls.get('excluded')).toBe(2);
  });

  test('a given sitemap that cannot be read is a root failure', async () => {
    const r = await walk(['http://shop.test/nope.xml'], fakeWeb({}));
    expect(r.stats.rootFailures).toBe(1);
    expect(r.stats.sitemapsRead).toBe(0);
  });
});
