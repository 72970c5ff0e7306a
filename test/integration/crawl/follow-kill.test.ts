/**
 * Crawl with 3 workers, one killed -9 mid-crawl: no discovered URL is lost (a page whose offset was not
 * committed is fetched again by the partition's next owner, and as the same page it may claim its links again);
 * duplicates are counted in at-least-once mode and there are none with --eos (links in the page's transaction).
 * Politeness holds across workers (the shared Redis limiter).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { testBrokers, testRedisUrl, uniqueName } from '../../helpers/env.js';
import { auditPipeline, formatAudit } from '../../helpers/audit.js';
import { DELIVERY_MODES, createPipeline, startKscrape, stopKscrape, waitFor, type KscrapeProcess } from '../../helpers/chaos.js';
import { minGapMs } from '../../helpers/http-targets.js';
import { readAll } from '../../helpers/kafka.js';
import { runCli } from '../../helpers/cli.js';
import { startLinkGraphSite, type GraphPage, type LinkGraphSite } from '../../helpers/link-graph-site.js';

const ADDRESSES = ['127.0.3.11', '127.0.3.12', '127.0.3.13'];
const PAGES_PER_HOST = 40;
const DELAY_MS = 100;
let site: LinkGraphSite;
const started: KscrapeProcess[] = [];

/** Host h: a binary tree /g<h>/0.. with links back to the root and across to the other hosts (out of scope). */
function hostGraph(h: number): Record<string, GraphPage> {
  const graph: Record<string, GraphPage> = {};
  for (let i = 0; i < PAGES_PER_HOST; i++) {
    const children = [2 * i + 1, 2 * i + 2].filter((c) => c < PAGES_PER_HOST).map((c) => `/g${h}/${c}`);
    const across = ADDRESSES.map((_, o) => o).filter((o) => o !== h).map((o) => `{${o}}/g${o}/${i}`);
    graph[`/g${h}/${i}`] = { links: [...children, `/g${h}/0`, ...across] };
  }
  return graph;
}

beforeAll(async () => { site = await startLinkGraphSite(ADDRESSES, ADDRESSES.map((_, h) => hostGraph(h))); });
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
    const expected = site.origins.flatMap((o, h) => Array.from({ length: PAGES_PER_HOST }, (_, i) => `${o}/g${h}/${i}`));
    const group = uniqueName('g');
    const args = (id: string) => ['work', '--follow', '--group', group, '--allow-cidr', '127.0.3.0/24', '--host-delay', `${DELAY_MS}ms`,
      '--commit-interval', '500ms', '--status-interval', '2s', '--shutdown-timeout', '10s', '--idle-exit', '6s', ...SESSION, ...flags(id)];
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
    expect(report.lost).toEqual([]);
    expect(report.unexpected).toBe(0);
    if (mode === 'exactly-once') expect(report.duplicates).toBe(0);
    // Out of scope: each host was asked only for its own pages.
    requests.forEach((paths, h) => expect(paths.filter((p) => p !== '/robots.txt' && !p.startsWith(`/g${h}/`))).toEqual([]));
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
      expect(Number(await redis.hget(`${pipeline.prefix}kscrape:crawl:${crawlId}:stats`, 'queued'))).toBe(expected.length);
    } finally {
      redis.disconnect();
    }
  }, 300_000);
});
