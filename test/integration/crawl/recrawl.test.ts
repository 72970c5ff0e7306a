/**
 * Recrawls with validators: `work --follow --refetch-after` keeps each page's ETag / Last-Modified and sends them
 * when the URL comes round again; a loopback site answers 304 to a matching validator. The second pass: the
 * unchanged pages end as `not-modified` (a metric each, counted, no page record), the page whose ETag changed is
 * a page again, and the hub (no validators) is fetched in full.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, testRedisUrl, uniqueName } from '../../helpers/env.js';
import { readAll } from '../../helpers/kafka.js';
import { startTarget, type Target } from '../../helpers/http-targets.js';

const LAST_MODIFIED = 'Tue, 01 Dec 2026 10:00:00 GMT';
/** The current ETag of each page with one (changed by the test between passes). */
const etags: Record<string, string> = { '/p1': '"p1-v1"', '/p2': 'W/"p2-v1"', '/p3': '"p3-v1"' };
/** The conditional headers each request carried, per path. */
const conditional: { path: string; ifNoneMatch?: string; ifModifiedSince?: string }[] = [];
let site: Target;

function page(path: string, links: string[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const ifNoneMatch = req.headers['if-none-match'];
    const ifModifiedSince = req.headers['if-modified-since'];
    conditional.push({ path, ...(ifNoneMatch ? { ifNoneMatch } : {}), ...(ifModifiedSince ? { ifModifiedSince } : {}) });
    const etag = etags[path];
    const lastModified = path === '/lm' ? LAST_MODIFIED : undefined;
    const unchanged = (etag !== undefined && ifNoneMatch === etag) || (etag === undefined && lastModified !== undefined && ifModifiedSince === lastModified);
    if (etag) res.setHeader('etag', etag);
    if (lastModified) res.setHeader('last-modified', lastModified);
    if (unchanged) { res.statusCode = 304; res.end(); return; }
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html><body>${links.map((l) => `<a href="${l}">${l}</a>`).join('\n')}<p>${etag ?? 'no etag'}</p></body></html>`);
  };
}

beforeAll(async () => {
  site = await startTarget('127.0.9.1', {
    '/robots.txt': (_req, res) => { res.statusCode = 404; res.end(); },
    // The hub has no validators (it changes with every visit on a real site): always fetched, so its links come round.
    '/': page('/', ['/p1', '/p2', '/p3', '/lm']),
    '/p1': page('/p1', []), '/p2': page('/p2', []), '/p3': page('/p3', []), '/lm': page('/lm', []),
  });
});

afterAll(async () => {
  await site.close();
});

describe('kscrape work --follow --refetch-after (recrawl with validators)', () => {
  test('the second pass sends the validators: unchanged pages are not-modified (no page record), a changed one is a page', async () => {
    const prefix = `${uniqueName('crawl2-recrawl')}.`;
    const env = { KSCRAPE_BROKERS: testBrokers(), KSCRAPE_TOPIC_PREFIX: prefix, KSCRAPE_REDIS_URL: testRedisUrl() };
    expect((await runCli(['topics', 'create', '--replication-factor', '1', '--partitions', 'urls=2'], { env, timeoutMs: 60_000 })).code).toBe(0);
    const crawlId = uniqueName('recrawl');
    const group = uniqueName('g');
    const pass = async () => {
      const produced = await runCli(['produce', '--crawl', crawlId], { env, input: `${site.origin}/\n`, timeoutMs: 60_000 });
      expect(produced.code).toBe(0);
      const work = await runCli(['work', '--follow', '--group', group, '--allow-cidr', '127.0.9.0/24', '--refetch-after', '1s',
        '--commit-interval', '300ms', '--idle-exit', '3s', '--shutdown-timeout', '10s', '--json'], { env, timeoutMs: 120_000 });
      if (work.code !== 0) process.stderr.write(work.stderr);
      expect(work.code).toBe(0);
      return JSON.parse(work.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    };

    const first = await pass();
    expect(first).toMatchObject({ pages: 5, notModified: 0, errors: 0, dlq: 0 });
    expect(conditional.filter((c) => c.ifNoneMatch || c.ifModifiedSince)).toEqual([]);
    const firstRequests = conditional.length;

    await new Promise((r) => setTimeout(r, 2_100)); // past --refetch-after (whole seconds in the store)
    etags['/p3'] = '"p3-v2"';
    const second = await pass();
    const again = conditional.slice(firstRequests).filter((c) => c.path !== '/robots.txt');
    expect(again.map((c) => c.path).sort()).toEqual(['/', '/lm', '/p1', '/p2', '/p3']);
    expect(again.find((c) => c.path === '/p1')).toEqual({ path: '/p1', ifNoneMatch: '"p1-v1"' });
    expect(again.find((c) => c.path === '/p2')).toEqual({ path: '/p2', ifNoneMatch: 'W/"p2-v1"' });
    expect(again.find((c) => c.path === '/p3')).toEqual({ path: '/p3', ifNoneMatch: '"p3-v1"' });
    expect(again.find((c) => c.path === '/lm')).toEqual({ path: '/lm', ifModifiedSince: LAST_MODIFIED });
    expect(again.find((c) => c.path === '/')).toEqual({ path: '/' });
    expect(second).toMatchObject({ pages: 2, notModified: 3, errors: 0, dlq: 0, byStatus: { 200: 2, 304: 3 } });

    const pages = (await readAll(`${prefix}pages`)).map((m) => JSON.parse(m.value!) as { url: string });
    const paths = pages.map((p) => new URL(p.url).pathname).sort();
    expect(paths).toEqual(['/', '/', '/lm', '/p1', '/p2', '/p3', '/p3']);
    const metrics = (await readAll(`${prefix}metrics`)).map((m) => JSON.parse(m.value!) as { url: string; outcome: string; status: number });
    const notModified = metrics.filter((m) => m.outcome === 'not-modified');
    expect(notModified.map((m) => [new URL(m.url).pathname, m.status]).sort()).toEqual([['/lm', 304], ['/p1', 304], ['/p2', 304]]);
    expect(await readAll(`${prefix}errors`)).toEqual([]);
    expect(await readAll(`${prefix}dlq`)).toEqual([]);
    const stats = JSON.parse((await runCli(['crawl', 'stats', crawlId, '--json'], { env, timeoutMs: 30_000 })).stdout) as Record<string, unknown>;
    expect(stats).toMatchObject({ pages: 7, not_modified: 3 });
  }, 240_000);
});
