/**
 * Chaos 3: Redis (a private redis-server: the shared one is never touched) stops in the middle of
 * `kscrape work --redis` and starts again on the same port. Work goes on with the in-process fallback limiter
 * (rate / live workers), returns to Redis, nothing is lost, and no host is ever asked faster than its interval.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { auditPipeline, formatAudit } from '../../helpers/audit.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { minGapMs } from '../../helpers/http-targets.js';
import { startPrivateRedis, type PrivateRedis } from '../../helpers/redis-server.js';
import { DELIVERY_MODES, createPipeline, produceUrls, readGroupOffsets, scale, sleep, startKscrape, stopKscrape, waitFor, type KscrapeProcess } from '../../helpers/chaos.js';
import { startTargetProcess, type TargetProcess } from '../../helpers/http-targets.js';

const ADDRESSES = ['127.0.7.1', '127.0.7.2', '127.0.7.3'];
const INTERVAL_MS = 100;
let targets: TargetProcess;
let redis: PrivateRedis;
const processes: KscrapeProcess[] = [];

beforeAll(async () => {
  [targets, redis] = await Promise.all([startTargetProcess(ADDRESSES, { '/p': {} }), startPrivateRedis()]);
});
afterAll(async () => {
  for (const p of processes) await stopKscrape(p, 'SIGKILL');
  await targets.close();
  await redis.stop();
});

describe.each(DELIVERY_MODES)('chaos: Redis stops during work --redis ($name)', ({ name, mode, flags }) => {
  test('work goes on under the fallback limiter, nothing lost, no host asked faster than its interval', async () => {
    const pipeline = await createPipeline(testBrokers(), 3, { KSCRAPE_REDIS_URL: redis.url });
    const urls = Array.from({ length: scale(120, 1200) }, (_, i) => `${targets.origins[i % ADDRESSES.length]}/p?n=${i}`);
    await produceUrls(pipeline, urls);
    // The targets serve both modes' runs: count this run's fetches only.
    const fetchedBefore = await targets.count('/p');
    const group = uniqueName('g');
    const worker = startKscrape(['work', '--group', group, '--allow-cidr', '127.0.7.0/24', '--host-delay', `${INTERVAL_MS}ms`,
      '--concurrency', '8', '--commit-interval', '1s', '--status-interval', '2s', ...flags('redis-chaos')], pipeline.env);
    processes.push(worker);
    await waitFor('some fetches', async () => (await targets.count('/p')) - fetchedBefore >= urls.length / 4 || !worker.running(), 90_000);

    const downMs = scale(4_000, 30_000);
    await redis.stop();
    const atStop = await targets.count('/p');
    await sleep(downMs);
    const whileDown = (await targets.count('/p')) - atStop;
    await redis.start();
    const backAt = Date.now();
    await waitFor('every URL committed', async () => !worker.running()
      || ((await readGroupOffsets(testBrokers(), group, `${pipeline.prefix}urls`))?.committed ?? 0) >= urls.length, 120_000, 1_000);
    const doneAt = Date.now();
    expect(worker.running()).toBe(true);
    expect((await stopKscrape(worker, 'SIGTERM')).code).toBe(0);

    const report = await auditPipeline({ brokers: testBrokers(), prefix: pipeline.prefix, expected: urls, mode });
    const arrivals = await targets.arrivals();
    const gaps = ADDRESSES.map((a) => minGapMs(arrivals[a]!));
    const log = worker.lines.map((l) => l.text).join('\n');
    process.stderr.write(`${formatAudit(`work, Redis down (${name})`, report)}\n[chaos] Redis down ${downMs / 1000} s (${name}): ${whileDown} fetches while down; `
      + `finished ${((doneAt - backAt) / 1000).toFixed(1)} s after Redis was back; smallest gap per host ${gaps.join(', ')} ms (interval ${INTERVAL_MS} ms)\n`);
    expect(report.lost).toEqual([]);
    if (mode === 'exactly-once') expect(report.duplicates).toBe(0);
    expect(whileDown).toBeGreaterThan(0);
    expect(log).toMatch(/Redis limiter unavailable/);
    // One worker: the fallback's rate (interval × live workers) is the configured one. 10 % for timer noise.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(INTERVAL_MS * 0.9);
  }, scale(300_000, 1_800_000));
});
