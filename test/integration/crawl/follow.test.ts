/**
 * `kscrape work --follow` on a loopback site with a known link graph: the set of fetched URLs is exactly the
 * in-scope reachable pages, each fetched once; nofollow, meta robots, X-Robots-Tag, robots.txt, an out-of-scope
 * host, a redirect loop, an endless calendar and a /a/a/a path trap all end where they should; politeness holds.
 * Redirects: `/moved` leads to `/target` (linked directly later on, fetched once), `/moved2` to `/a` (linked
 * directly before: a `duplicate`, /a fetched once), `/away` to the other host (refused before any request).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, testRedisUrl, uniqueName } from '../../helpers/env.js';
import { readAll } from '../../helpers/kafka.js';
import { minGapMs } from '../../helpers/http-targets.js';
import { startLinkGraphSite, type LinkGraphSite } from '../../helpers/link-graph-site.js';

const ADDRESSES = ['127.0.3.1', '127.0.3.2'];
const DELAY_MS = 150;
let site: LinkGraphSite;

beforeAll(async () => {
  site = await startLinkGraphSite(ADDRESSES, [{
    '/robots.txt': { headers: { 'content-type': 'text/plain' }, body: 'User-agent: *\nDisallow: /private\n' },
    '/': {
      links: ['/a', '/b', '/c#section', '{1}/x', 'mailto:shop@example.com', '/private/secret', '/loop1', '/cal/1', '/trap/', '/', '/moved', '/moved2', '/away'],
      nofollow: ['/nofollowed'],
    },
    '/a': { links: ['/', '/b', '/a', '/d'] },
    '/b': { base: '/sub/', links: ['e', '/'] },
    '/c': { metaRobots: 'nofollow', links: ['/never'] },
    '/d': { metaRobots: 'noindex', links: ['/f'] },
    '/f': { robotsHeader: 'nofollow', links: ['/never2'] },
    '/sub/e': { canonical: '/b', links: ['/a', '../a', '/target'] },
    '/loop1': { kind: 'redirect', location: '/loop2' },
    '/loop2': { kind: 'redirect', location: '/loop1' },
    '/moved': { kind: 'redirect', location: '/target' },
    '/moved2': { kind: 'redirect', location: '/a' },
    '/away': { kind: 'redirect', location: '{1}/y' },
    '/target': {},
    '/cal/*': { kind: 'counter' },
    '/trap/*': { kind: 'echo-relative', href: 'a/' },
    '/nofollowed': {}, '/never': {}, '/never2': {}, '/private/secret': {},
  }, {
    '/x': { links: ['{0}/'] },
    '/y': {},
  }]);
});

afterAll(async () => {
  await site.close();
});

async function pipeline(urlPartitions = 3) {
  const prefix = `${uniqueName('crawl')}.`;
  const env = { KSCRAPE_BROKERS: testBrokers(), KSCRAPE_TOPIC_PREFIX: prefix, KSCRAPE_REDIS_URL: testRedisUrl() };
  const created = await runCli(['topics', 'create', '--replication-factor', '1', '--partitions', `urls=${urlPartitions}`], { env, timeoutMs: 60_000 });
  expect(created.code).toBe(0);
  return { prefix, env };
}

const workArgs = (group: string, extra: string[] = []) => ['work', '--follow', '--group', group, '--allow-cidr', '127.0.3.0/24',
  '--host-delay', `${DELAY_MS}ms`, '--commit-interval', '300ms', '--max-depth', '6', '--status-interval', '1s', '--shutdown-timeout', '10s', ...extra];

/** The in-scope pages reachable from / under the rules (depth 6, 3 repeats of a path segment at most). */
const EXPECTED_FETCHED = ['/', '/a', '/b', '/c', '/d', '/f', '/sub/e', '/target',
  ...[1, 2, 3, 4, 5, 6].map((n) => `/cal/${n}`), '/trap/', '/trap/a/', '/trap/a/a/', '/trap/a/a/a/'].sort();

describe('kscrape work --follow', () => {
  test('a single worker fetches exactly the in-scope reachable pages, each once, politely', async () => {
    const { env, prefix } = await pipeline();
    const seed = `${site.origins[0]}/`;
    const produced = await runCli(['produce', '--crawl', 'c1'], { env, input: `${seed}\n`, timeoutMs: 60_000 });
    expect([produced.code, produced.stderr]).toEqual([0, expect.any(String)]);

    const work = await runCli([...workArgs(uniqueName('g'), ['--idle-exit', '4s', '--json'])], { env, timeoutMs: 120_000 });
    if (work.code !== 0) process.stderr.write(work.stderr);
    expect(work.code).toBe(0);
    const summary = JSON.parse(work.stdout.trim().split('\n').pop()!);

    const [onA, onB] = await site.requested();
    // Each page once, and each redirect once: /moved's target is not fetched again through /sub/e's link, /moved2's
    // (/a) not through the redirect, and /away's host hears nothing, not even a robots.txt request.
    const requests = onA!.filter((p) => p !== '/robots.txt' && !p.startsWith('/loop'));
    expect({ onA: [...requests].sort(), onB }).toEqual({ onA: [...EXPECTED_FETCHED, '/away', '/moved', '/moved2'].sort(), onB: [] });
    expect(onA!.filter((p) => p === '/robots.txt')).toHaveLength(1);
    // The redirect loop ended at the fetcher's redirect cap (10 by default) or its loop check.
    const loop = onA!.filter((p) => p.startsWith('/loop'));
    expect(loop.length).toBeGreaterThanOrEqual(2);
    expect(loop.length).toBeLessThanOrEqual(11);
    const arrivals = (await site.site.arrivals())[ADDRESSES[0]!]!;
    expect(minGapMs(arrivals)).toBeGreaterThanOrEqual(DELAY_MS * 0.9);

    // Records: a page each (noindex /d as an error), the robots-refused and the loop as errors.
    const pageRecords = (await readAll(`${prefix}pages`)).map((m) => JSON.parse(m.value!));
    const byPath = new Map(pageRecords.map((p) => [new URL(p.final_url as string).pathname, p]));
    expect([...byPath.keys()].sort()).toEqual(EXPECTED_FETCHED.filter((p) => p !== '/d'));
    expect(pageRecords).toHaveLength(EXPECTED_FETCHED.length - 1);
    expect(byPath.get('/sub/e')).toMatchObject({ canonical: `${site.origins[0]}/b`, crawl_id: 'c1', depth: 2 });
    expect(byPath.get('/')).toMatchObject({ crawl_id: 'c1', depth: 0, canonical: null });
    expect(byPath.get('/target')).toMatchObject({ url: `${site.origins[0]}/moved`, final_url: `${site.origins[0]}/target`, depth: 1 });
    const errors = (await readAll(`${prefix}errors`)).map((m) => JSON.parse(m.value!));
    expect(errors.map((e) => [new URL(e.url as string).pathname, e.reason]).sort()).toEqual([['/away', 'redirect'], ['/d', 'noindex'], ['/loop1', 'redirect'], ['/private/secret', 'robots']]);
    expect(errors.find((e) => e.url === `${site.origins[0]}/away`).detail).toBe(`redirect to ${site.origins[1]}/y not followed: out-of-scope (crawl rules)`);
    const duplicates = (await readAll(`${prefix}metrics`)).map((m) => JSON.parse(m.value!)).filter((m) => m.outcome === 'duplicate');
    expect(duplicates).toMatchObject([{ url: `${site.origins[0]}/moved2`, status: 302, reason: `redirect to ${site.origins[0]}/a, which the crawl already has` }]);

    // Every URL produced once: the seed plus each discovered URL (URLs consumed = produced, no duplicates).
    const urls = (await readAll(`${prefix}urls`)).map((m) => JSON.parse(m.value!));
    const produced2 = urls.map((u) => u.url as string);
    expect(new Set(produced2).size).toBe(produced2.length);
    expect(urls.find((u) => u.url === `${site.origins[0]}/sub/e`)).toMatchObject({ crawl_id: 'c1', depth: 2, referrer: `${site.origins[0]}/b`, seed });
    expect(summary).toMatchObject({ consumed: urls.length, duplicates: 1, links: expect.objectContaining({ queued: urls.length - 1, nofollow: expect.any(Number), 'out-of-scope': 1, depth: 1, 'path-repetition': 1 }) });

    // crawl stats: the counters the workers kept in Redis.
    const stats = await runCli(['crawl', 'stats', 'c1', '--json'], { env, timeoutMs: 30_000 });
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({
      // queued: the URLs produced and the redirects' targets claimed (/target by /moved, /loop2 by /loop1);
      // out-of-scope: {1}/x and /away's hop.
      crawl_id: 'c1', pages: EXPECTED_FETCHED.length, queued: urls.length + 2, stopped: false, stopped_urls: 0,
      refused: expect.objectContaining({ 'out-of-scope': 2, depth: 1, 'path-repetition': 1, nofollow: 3 }),
      depth: { 0: 1, 1: 6, 2: 4, 3: 3, 4: 2, 5: 1, 6: 1 },
      top_hosts: [{ host: new URL(seed).host, pages: EXPECTED_FETCHED.length }],
    });
    const text = await runCli(['crawl', 'stats', 'c1'], { env, timeoutMs: 30_000 });
    expect(text.stdout).toContain(`crawl c1: ${EXPECTED_FETCHED.length} pages fetched, ${urls.length + 2} URLs queued`);
  }, 180_000);

  test('crawl stop: the workers drop the crawl\'s remaining URLs unfetched, counted; the run ends', async () => {
    const { env, prefix } = await pipeline(1);
    const crawlId = uniqueName('endless');
    expect((await runCli(['produce', '--crawl', crawlId], { env, input: `${site.origins[0]}/cal/100\n`, timeoutMs: 60_000 })).code).toBe(0);
    const calendar = async () => (await site.requested())[0]!.filter((p) => p.startsWith('/cal/1')).length;
    const before = await calendar();
    const work = runCli([...workArgs(uniqueName('g'), ['--max-depth', '100000', '--idle-exit', '3s', '--json'])], { env, timeoutMs: 120_000 });
    const deadline = Date.now() + 60_000;
    while ((await calendar()) - before < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const stop = await runCli(['crawl', 'stop', crawlId], { env, timeoutMs: 30_000 });
    expect(stop.code).toBe(0);
    const atStop = (await calendar()) - before;
    const done = await work;
    expect(done.code).toBe(0);
    const fetched = (await calendar()) - before;
    // The flag is cached for a second by the worker: at most that second's worth of pages (150 ms apart) follow.
    expect(fetched).toBeLessThanOrEqual(atStop + 8);
    const summary = JSON.parse(done.stdout.trim().split('\n').pop()!);
    // The stop lands either between a page and its link (the link is not queued: links.stopped) or on a queued
    // URL (dropped unfetched: stopped); either way the crawl ends.
    expect(summary.stopped + (summary.links?.stopped ?? 0)).toBeGreaterThanOrEqual(1);
    expect(summary.consumed).toBe(fetched + summary.stopped);
    const stats = JSON.parse((await runCli(['crawl', 'stats', crawlId, '--json'], { env, timeoutMs: 30_000 })).stdout);
    expect(stats).toMatchObject({ stopped: true, stopped_urls: summary.stopped, pages: fetched });
    const metrics = (await readAll(`${prefix}metrics`)).map((m) => JSON.parse(m.value!));
    expect(metrics.filter((m) => m.outcome === 'stopped')).toHaveLength(summary.stopped);
  }, 180_000);
});
