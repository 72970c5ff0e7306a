/**
 * The demo's pure parts: the shop site's table, where URLs ended (summary and its "lost" checks), the politeness
 * report and the shell quoting of the commands it shows.
 */
import { describe, expect, test } from '@jest/globals';
import { shellQuote } from '../../../scripts/demo/commands.js';
import { mismatches, renderSummary, summarizePipeline, type PipelineRecords } from '../../../scripts/demo/outcomes.js';
import { hostLoads } from '../../../scripts/demo/politeness.js';
import { ROBOTS_TXT, SITE_PATHS, expectedOutcomes, linksOf, respond, sitemapUrls, sitemapXml } from '../../../scripts/demo/shop-site.js';

const A = 'http://shop.test:8080/a';
const B = 'http://shop.test:8080/b';
const C = 'http://blog.test:8080/c';
const env = (url: string, attempt = 0) => JSON.stringify({ url, host: new URL(url).host, customer_id: 'default', priority: 0, discovered_at: 1, attempt });
const page = (url: string, at: number) => JSON.stringify({ url, final_url: url, status: 200, fetched_at: at });
const error = (url: string, reason: string, at: number) => JSON.stringify({ url, reason, status: 404, failed_at: at, original: JSON.parse(env(url)) });
const dlq = (url: string, at: number, attempt = 0) => JSON.stringify({ original: JSON.parse(env(url, attempt)), error: 'HTTP 500', status: 500, failed_at: at, attempts: attempt + 1 });
const records = (r: Partial<PipelineRecords>): PipelineRecords => ({ urls: [], pages: [], errors: [], dlq: [], parked: [], ...r });

describe('summarizePipeline', () => {
  test('the latest outcome is the fate: a retried page, a parked URL, an error', () => {
    const s = summarizePipeline([A, B, C], records({
      urls: [env(A), env(B), env(C), env(A, 1), env(B, 1)],
      dlq: [dlq(A, 10), dlq(B, 11), dlq(B, 30, 1)],
      pages: [page(A, 20)],
      errors: [error(C, 'http-status', 12)],
      parked: [error(B, 'max-attempts', 40)],
    }));
    expect(Object.fromEntries(s.fates)).toEqual({ [A]: 'page', [B]: 'parked', [C]: 'error:http-status' });
    expect(s.counts).toEqual({ pages: 1, errors: { 'http-status': 1 }, dlq: 0, parked: 1 });
    expect([s.lost, s.unfinished, s.unreadable]).toEqual([[], [], 0]);
    expect(renderSummary(s)).toMatch(/^0 lost, 0 unfinished$/m);
  });

  test('a URL without any outcome is lost; a re-emitted one not yet consumed is unfinished and still in the dlq', () => {
    const s = summarizePipeline([A, B], records({ urls: [env(A), env(B), env(B, 1)], dlq: [dlq(B, 10)] }));
    expect(s.lost).toEqual([A]);
    expect(s.unfinished).toEqual([A, B]);
    expect(s.fates.get(B)).toBe('dlq');
    expect(renderSummary(s)).toMatch(/^1 lost: http:\/\/shop.test:8080\/a, 2 unfinished/m);
  });

  test('on equal times the later step wins (dlq < page < parked); unreadable records are counted, not fatal', () => {
    const s = summarizePipeline([A, B], records({ urls: [env(A), env(B)], dlq: [dlq(A, 5), dlq(B, 5)], pages: [page(A, 5)], parked: [error(B, 'max-attempts', 5)], errors: ['{not json', null] }));
    expect([s.fates.get(A), s.fates.get(B), s.unreadable]).toEqual(['page', 'parked', 2]);
  });

  test('mismatches name what ended elsewhere than expected', () => {
    const s = summarizePipeline([A], records({ urls: [env(A)], dlq: [dlq(A, 1)] }));
    expect(mismatches(s, new Map([[A, 'page'], [B, 'page']]))).toEqual([{ url: A, expected: 'page', got: 'dlq' }, { url: B, expected: 'page', got: 'none' }]);
  });
});

describe('the shop site', () => {
  test('the sitemap lists every sitemap path once, and every one has an expected outcome', () => {
    const urls = sitemapUrls(8080);
    expect(new Set(urls).size).toBe(urls.length);
    expect(urls.length).toBe(SITE_PATHS.filter((p) => p.inSitemap).length);
    expect(sitemapXml(8080).match(/<loc>[^<]*/g)!.map((l) => l.slice(5))).toEqual(urls);
    expect([...expectedOutcomes(8080).keys()]).toEqual(urls);
    const counts: Record<string, number> = {};
    for (const o of expectedOutcomes(8080).values()) counts[o] = (counts[o] ?? 0) + 1;
    expect(counts).toMatchObject({ 'error:http-status': 3, 'error:robots': 1, 'error:unsupported-content': 3, parked: 1 });
  });

  test('a crawl from the shop\'s home page (following the links of every HTML page) reaches exactly the sitemap URLs', () => {
    const port = 8080;
    const seen = new Set<string>([`http://shop.test:${port}/`]);
    const queue = [...seen];
    while (queue.length) {
      const url = new URL(queue.shift()!);
      // hits 1: a flaky page answers as it does on its retry.
      const r = respond(url.hostname, port, url.pathname, 1);
      if (r.status !== 200 || !r.headers['content-type']!.startsWith('text/html')) continue;
      const hrefs = [...r.body.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
      expect(hrefs).toEqual(linksOf(url.hostname, url.pathname, port));
      for (const h of hrefs) if (!seen.has(h)) { seen.add(h); queue.push(h); }
    }
    expect([...seen].sort()).toEqual([...sitemapUrls(port)].sort());
  });

  test('answers: robots with Disallow and Crawl-delay, flaky then fine, redirects to a page it serves, 404 otherwise', () => {
    expect(respond('shop.test', 1, '/robots.txt', 0).body).toBe(ROBOTS_TXT);
    expect(ROBOTS_TXT).toMatch(/^Disallow: \/account$/m);
    expect(ROBOTS_TXT).toMatch(/^Crawl-delay: 0\.2$/m);
    expect([respond('shop.test', 1, '/product/16', 0).status, respond('shop.test', 1, '/product/16', 1).status]).toEqual([500, 200]);
    expect([respond('shop.test', 1, '/api/stock', 0).status, respond('shop.test', 1, '/api/stock', 5).status]).toEqual([503, 503]);
    const redirect = respond('shop.test', 1, '/sale', 0);
    expect(redirect.status).toBe(301);
    expect(respond('shop.test', 1, redirect.headers.location!, 0).status).toBe(200);
    expect(respond('blog.test', 1, '/product/1', 0).status).toBe(404);
    expect(respond('shop.test', 8080, '/sitemap.xml', 0).body).toBe(sitemapXml(8080));
    expect(respond('cdn.test', 1, '/img/hero.png', 0).headers['content-type']).toBe('image/png');
  });
});

test('hostLoads: requests and the closest two per host', () => {
  expect(hostLoads({ 'a.test': [{ path: '/x', at: 100, status: 200 }, { path: '/robots.txt', at: 0, status: 200 }, { path: '/y', at: 150, status: 200 }], 'b.test': [] }))
    .toEqual([{ host: 'a.test', requests: 3, minGapMs: 50, minGapPaths: ['/x', '/y'] }, { host: 'b.test', requests: 0, minGapMs: null, minGapPaths: null }]);
});

test('shellQuote keeps plain words and quotes the rest', () => {
  expect(['demo.', 'shop.test:80:127.0.5.1', "<loc>[^<]*", "it's"].map(shellQuote)).toEqual(['demo.', 'shop.test:80:127.0.5.1', "'<loc>[^<]*'", `'it'\\''s'`]);
});
