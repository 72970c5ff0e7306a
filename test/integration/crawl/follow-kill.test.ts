/**
 * Crawl with 3 workers, one killed -9 mid-crawl: no discovered URL is lost (a page whose offset was not
 * committed is fetched again by the partition's next owner, and as the same page it may claim its links again);
 * duplicates are counted in at-least-once mode and there are none with --eos (links in the page's transaction).
 * Politeness holds across workers (the shared Redis limiter). Each host has the traps of follow.test.ts too (a
 * nofollow link, a robots-disallowed path, a redirect loop, an endless calendar), so the exact set of URLs with
 * an outcome and of requests made is checked under the kill.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { testBrokers, testRedisUrl, uniqueName } from '../../helpers/env.js';
import { auditPipeline, formatAudit } from '../../helpers/audit.js';
import { DELIVERY_MODES, createPipeline, startKscrape, stopKscrape, waitFor, type KscrapeProcess } from '../../helpers/chaos.js';
import { minGapMs } from '../../helpers/http-targets.js';
import { readAll } from '../../helpers/kafka.js';
import { runCli } from '../../helpers/cli.js';
import { startLinkGraphSite, type GraphRoute, type LinkGraphSite } from '../../helpers/link-graph-site.js';

const ADDRESSES = ['127.0.3.11', '127.0.3.12', '127.0.3.13'];
const PAGES_PER_HOST = 40;
const DELAY_MS = 100;
/** The calendar's pages followed: /g<h>/cal/1 is depth 1, so --max-depth ends it at /cal/MAX_DEPTH. */
const MAX_DEPTH = 6;
let site: LinkGraphSite;
const started: KscrapeProcess[] = [];

/**
 * Host h: a binary tree /g<h>/0.. (depth 5 at most) with links back to the root and across to the other hosts (out
 * of scope); its root also links to a nofollow page, a path robots.txt disallows, a redirect loop and a calendar.
 */
function hostGraph(h: number): Record<string, GraphRoute> {
  const g = `/g${h}`;
  const graph: Record<string, GraphRoute> = {};
  for (let i = 0; i < PAGES_PER_HOST; i++) {
    const children = [2 * i + 1, 2 * i + 2].filter((c) => c < PAGES_PER_HOST).map((c) => `${g}/${c}`);
    const across = ADDRESSES.map((_, o) => o).filter((o) => o !== h).map((o) => `{${o}}/g${o}/${i}`);
    const traps = i === 0 ? [`${g}/private/x`, `${g}/loop1`, `${g}/cal/1`] : [];
    graph[`${g}/${i}`] = { links: [...children, `${g}/0`, ...across, ...traps], ...(i === 0 ? { nofollow: [`${g}/nofollowed`] } : {}) };
  }
  graph[`${g}/loop1`] = { kind: 'redirect', location: `${g}/loop2` };
  graph[`${g}/loop2`] = { kind: 'redirect', location: `${g}/loop1` };
  graph[`${g}/cal/*`] = { kind: 'counter' };
  graph[`${g}/nofollowed`] = {};
  graph[`${g}/private/x`] = {};
  return graph;
}

/** Every URL of host h that gets an outcome: the tree, the calendar up to the depth cap, and two errors. */
function expectedOf(origin: string, h: number): string[] {
  const g = `${origin}/g${h}`;
  return [
    ...Array.from({ length: PAGES_PER_HOST }, (_, i) => `${g}/${i}`),
    ...Array.from({ length: MAX_DEPTH }, (_, i) => `${g}/cal/${i + 1}`),
    `${g}/private/x`, `${g}/loop1`,
  ];
}

beforeAll(async () => {
  // The targets process serves one routes table on every address: one robots.txt for all three hosts.
  const robots = { headers: { 'content-type': 'text/plain' }, body: `User-agent: *\n${ADDRESSES.map((_, h) => `Disallow: /g${h}/private\n`).join('')}` };
  site = await startLinkGraphSite(ADDRESSES, ADDRESSES.map((_, h) => ({ ...hostGraph(h), ...(h === 0 ? { '/robots.txt': robots } : {}) })));
});
afterAll(async () => {
  for (const p of started) await stopKscrape(p, 'SIGKILL');
  await site.close();
});

const SESSION = ['-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=1000'];

describe.each(DELIVERY_MODES)('crawl with 3 workers, one killed -9 ($name)', ({ name, mode, flags }) => {
  test('every reachable page has an outcome, none out of scope; duplicates counted (none with --eos)', async () => {
    const pipeline = await createPipeline(testBrokers(), 3, { KSCRAPE_REDIS_URL: testRedisUrl() });
    const crawlId = uniqueName('k');
    const seeds = site.origins.map((o, h) => `${o}/g${h}/0`);
    const produced = await runCli(['produce', '--crawl', crawlId], { env: pipeline.env, input: `${seeds.join('\n')}\n`, timeoutMs: 60_000 });
    expect(produced.code).toBe(0);
    const expected = site.origins.flatMap((o, h) => expectedOf(o, h));
    const group = uniqueName('g');
    const args = (id: string) => ['work', '--follow', '--group', group, '--allow-cidr', '127.0.3.0/24', '--host-delay', `${DELAY_MS}ms`,
      '--commit-interval', '500ms', '--max-depth', String(MAX_DEPTH), '--status-interval', '2s', '--shutdown-timeout', '10s', '--idle-exit', '6s', ...SESSION, ...flags(id)];
    // The site serves both modes' runs: count this run's requests only.
    const requestsSoFar = async () => (await site.requested()).flat().filter((p) => p.startsWith('/g')).length;
    const before = await requestsSoFar();
    const fetched = async () => (await requestsSoFar()) - before;

    const workers = ['w0', 'w1', 'w2'].map((id) => startKscrape(args(`${group}-${id}`), pipeline.env));
    started.push(...workers);
    await waitFor('a third of the crawl fetched', async () => (await fetched()) >= expected.length / 3, 90_000);
    // Kill one that holds partitions (they all do once the group settled; any is fine) mid-crawl.
    expect((await stopKscrape(workers[0]!, 'SIGKILL')).signal).toBe('SIGKILL');
    const fetchedAtKill = await fetched();
    // Mid-crawl: most of it was still to fetch when the worker died.
    expect(fetchedAtKill).toBeLessThan(expected.length);
    for (const w of workers.slice(1)) {
      const end = await w.exited;
      if (end.code !== 0) process.stderr.write(w.lines.map((l) => l.text).join('\n'));
      expect(end.code).toBe(0);
    }
    // The killed one's id back for a last round (its transactional id fences nothing left, but a restart is real).
    const last = startKscrape(args(`${group}-w0`), pipeline.env);
    started.push(last);
    expect((await last.exited).code).toBe(0);

    const report = await auditPipeline({ brokers: testBrokers(), prefix: pipeline.prefix, expected, mode });
    const requests = await site.requested();
    process.stderr.write(`${formatAudit(`crawl kill -9 (${name})`, report)}\n[crawl] kill -9 (${name}) after ${fetchedAtKill} fetches; `
      + `${await fetched()} page requests for ${expected.length} pages\n`);
    // Exact: every expected URL has an outcome (0 missing) and nothing else has one (the nofollow page, the
    // calendar past the depth cap, out-of-scope pages: 0 unexpected).
    expect(report.lost).toEqual([]);
    expect(report.unexpected).toBe(0);
    // At-least-once: the killed worker's unfinished pages were fetched again; how many is a number, printed.
    process.stderr.write(`[crawl] kill -9 (${name}): ${report.duplicates} duplicate outcomes over ${report.duplicatedUrls} URLs\n`);
    expect(Number.isInteger(report.duplicates) && report.duplicates >= 0).toBe(true);
    if (mode === 'exactly-once') expect(report.duplicates).toBe(0);
    // Requests: each host was asked only for its own in-scope pages, robots.txt and the loop's second hop; never
    // for the nofollow page, the disallowed path or the calendar past the cap, nor for another host's pages.
    requests.forEach((paths, h) => {
      const own = new Set(expectedOf('', h).filter((p) => !p.endsWith('/private/x')));
      own.add(`/g${h}/loop2`);
      expect([...new Set(paths.filter((p) => p !== '/robots.txt'))].sort()).toEqual([...own].sort());
    });
    const arrivals = await site.site.arrivals();
    for (const a of ADDRESSES) expect(minGapMs(arrivals[a]!)).toBeGreaterThanOrEqual(DELAY_MS * 0.9);

    // The urls topic: every page once (--eos: read_committed sees no duplicate discovery).
    const urls = (await readAll(`${pipeline.prefix}urls`)).map((m) => JSON.parse(m.value!).url as string);
    expect([...new Set(urls)].sort()).toEqual([...expected].sort());
    process.stderr.write(`[crawl] urls topic (${name}): ${urls.length} records for ${expected.length} URLs\n`);
    if (mode === 'exactly-once') {
      // readAll reads uncommitted too: count through the audit's read_committed reader instead.
      const committed = await auditPipeline({ brokers: testBrokers(), prefix: pipeline.prefix, expected, mode, places: ['urls'] });
      expect(committed.duplicates).toBe(0);
      expect(committed.lost).toEqual([]);
    }
    const redis = new Redis(testRedisUrl());
    try {
      // Queued: every expected URL, and each host's /loop2 (claimed by /loop1's redirect before it was requested).
      expect(Number(await redis.hget(`${pipeline.prefix}kscrape:crawl:${crawlId}:stats`, 'queued'))).toBe(expected.length + ADDRESSES.length);
    } finally {
      redis.disconnect();
    }
  }, 300_000);
});
