/**
 * `kscrape work --follow` on a loopback site with a known link graph: the set of fetched URLs is exactly the
 * in-scope reachable pages, each fetched once; nofollow, meta robots, X-Robots-Tag, robots.txt, an out-of-scope
 * host, a redirect loop, an endless calendar and a /a/a/a path trap all end where they should; politeness holds.
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
      links: ['/a', '/b', '/c#section', '{1}/x', 'mailto:shop@example.com', '/private/secret', '/loop1', '/cal/1', '/trap/', '/'],
      nofollow: ['/nofollowed'],
    },
    '/a': { links: ['/', '/b', '/a', '/d'] },
    '/b': { base: '/sub/', links: ['e', '/'] },
    '/c': { metaRobots: 'nofollow', links: ['/never'] },
    '/d': { metaRobots: 'noindex', links: ['/f'] },
    '/f': { robotsHeader: 'nofollow', links: ['/never2'] },
    '/sub/e': { canonical: '/b', links: ['/a', '../a'] },
    '/loop1': { kind: 'redirect', location: '/loop2' },
    '/loop2': { kind: 'redirect', location: '/loop1' },
    '/cal/*': { kind: 'counter' },
    '/trap/*': { kind: 'echo-relative', href: 'a/' },
    '/nofollowed': {}, '/never': {}, '/never2': {}, '/private/secret': {},
  }, {
    '/x': { links: ['{0}/'] },
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
const EXPECTED_FETCHED = ['/', '/a', '/b', '/c', '/d', '/f', '/sub/e',
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
    const pages = onA!.filter((p) => p !== '/robots.txt' && !p.startsWith('/loop'));
    expect([...pages].sort()).toEqual(EXPECTED_FETCHED);
    expect(onB).toEqual([]);
    expect(onA!.filter((p) => p === '/robots.txt')).toHaveLength(1);
    // The redirect loop ended at the fetcher's redirect cap (10 by default) or its loop check.
    const loop = onA!.filter((p) => p.startsWith('/loop'));
    expect(loop.length).toBeGreaterThanOrEqual(2);
    expect(loop.length).toBeLessThanOrEqual(11);
    const arrivals = (await site.site.arrivals())[ADDRESSES[0]!]!;
    expect(minGapMs(arrivals)).toBeGreaterThanOrEqual(DELAY_MS * 0.9);

    // Records: a page each (noindex /d as an error), the robots-refused and the loop as errors.
    const pageRecords = (await readAll(`${prefix}pages`)).map((m) => JSON.parse(m.value!));
    const byPath = new Map(pageRecords.map((p) => [new URL(p.url as string).pathname, p]));
    expect([...byPath.keys()].sort()).toEqual(EXPECTED_FETCHED.filter((p) => p !== '/d'));
    expect(pageRecords).toHaveLength(EXPECTED_FETCHED.length - 1);
    expect(byPath.get('/sub/e')).toMatchObject({ canonical: `${site.origins[0]}/b`, crawl_id: 'c1', depth: 2 });
    expect(byPath.get('/')).toMatchObject({ crawl_id: 'c1', depth: 0, canonical: null });
    const errors = (await readAll(`${prefix}errors`)).map((m) => JSON.parse(m.value!));
    expect(errors.map((e) => [new URL(e.url as string).pathname, e.reason]).sort()).toEqual([['/d', 'noindex'], ['/loop1', 'redirect'], ['/private/secret', 'robots']]);

    // Every URL produced once: the seed plus each discovered URL (URLs consumed = produced, no duplicates).
    const urls = (await readAll(`${prefix}urls`)).map((m) => JSON.parse(m.value!));
    const produced2 = urls.map((u) => u.url as string);
    expect(new Set(produced2).size).toBe(produced2.length);
    expect(urls.find((u) => u.url === `${site.origins[0]}/sub/e`)).toMatchObject({ crawl_id: 'c1', depth: 2, referrer: `${site.origins[0]}/b`, seed });
    expect(summary).toMatchObject({ consumed: urls.length, links: expect.objectContaining({ queued: urls.length - 1, nofollow: expect.any(Number), 'out-of-scope': 1, depth: 1, 'path-repetition': 1 }) });
  }, 180_000);
});
