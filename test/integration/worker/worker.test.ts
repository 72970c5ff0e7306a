import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Agent, get as httpGet } from 'node:http';
import { createProducer, type Producer } from '../../../src/kafka/clients.js';
import { createLogger } from '../../../src/log.js';
import { hostPartition } from '../../../src/partition/partitioner.js';
import { MemoryLimiter } from '../../../src/ratelimit/memory-limiter.js';
import { startWorker, type WorkerOptions } from '../../../src/worker/worker.js';
import type { FetchOutcome } from '../../../src/fetch/types.js';
import type { DlqRecord, UrlEnvelope } from '../../../src/records/index.js';
import type { RequestHooks } from '../../../src/fetch/types.js';
import { baseConfig, produceRaw, readAll, readBack, withAdmin } from '../../helpers/kafka.js';
import { minGapMs, startTargetProcess, type TargetProcess } from '../../helpers/http-targets.js';
import { createPipelineTopics } from '../../helpers/worker-topics.js';
import { uniqueName } from '../../helpers/env.js';

const logger = createLogger({ level: process.env.KSCRAPE_DEBUG_TEST ? 'verbose' : 'quiet' });
const INTERVAL_MS = 200;
/**
 * The worker spaces a host's requests from the moment each was actually sent, so the host sees gaps shorter
 * than the interval only by the scheduling noise of the processes involved (tens of ms on a loaded 2-core
 * machine): 10 % of the interval is allowed for that, and no more.
 */
const JITTER_MS = INTERVAL_MS / 10;

/**
 * A plain fetch for the worker's contract (the real fetcher in src/fetch has tests of its own). Like the real
 * one, it tells `hooks.sent` when its request left: flushed and, for a new socket, connected.
 */
function plainFetch(envelope: UrlEnvelope, { signal, hooks }: { signal: AbortSignal; hooks: RequestHooks }): Promise<FetchOutcome> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    let sentAt = 0;
    let connectedAt = 0;
    const done = async (outcome: FetchOutcome) => {
      await hooks.sent?.(new URL(envelope.url), sentAt || Date.now());
      resolve(outcome);
    };
    const req = httpGet(envelope.url, { agent: keepAlive, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => void done({ kind: 'retryable', status: null, error: err.message, elapsedMs: Date.now() - t0 }));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const status = res.statusCode ?? 0;
        const elapsedMs = Date.now() - t0;
        if (status >= 200 && status < 300) {
          void done({ kind: 'page', finalUrl: envelope.url, status, contentType: res.headers['content-type'] ?? null, headers: {}, body, truncated: false, bytes: body.length, elapsedMs });
        } else if (status === 429 || status >= 500) {
          const retryAfter = Number(res.headers['retry-after']);
          void done({ kind: 'retryable', status, error: `HTTP ${status}`, ...(retryAfter ? { retryAfterMs: retryAfter * 1000 } : {}), elapsedMs });
        } else {
          void done({ kind: 'error', reason: 'http-status', status, detail: `HTTP ${status}`, elapsedMs });
        }
      });
    });
    req.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', () => { connectedAt = Date.now(); if (sentAt) sentAt = Math.max(sentAt, connectedAt); });
    });
    req.on('finish', () => { sentAt = Math.max(Date.now(), connectedAt); });
    req.on('error', (err) => void done({ kind: 'retryable', status: null, error: err.message, elapsedMs: Date.now() - t0 }));
  });
}
const keepAlive = new Agent({ keepAlive: true });

function envelope(url: string): string {
  const host = new URL(url).hostname;
  return JSON.stringify({ url, host, customer_id: 'acme', priority: 0, discovered_at: Date.now(), attempt: 0 });
}

const ADDRESSES = ['127.0.1.1', '127.0.1.2', '127.0.1.3', '127.0.1.4'];
let targets: TargetProcess;
let origins: string[] = [];

beforeAll(async () => {
  targets = await startTargetProcess(ADDRESSES, {
    '/ok': {},
    '/missing': { status: 404 },
    '/broken': { status: 500 },
    '/busy': { status: 429, headers: { 'retry-after': '1' } },
    '/slow': { delayMs: 400 },
  });
  origins = targets.origins;
});

afterAll(async () => {
  keepAlive.destroy();
  await targets.close();
});

type Topics = Awaited<ReturnType<typeof createPipelineTopics>>;

function workerOptions(topics: Topics, group: string, producer: Producer, extra: Partial<WorkerOptions> = {}): WorkerOptions {
  return {
    consumerConfig: { ...baseConfig(), 'enable.auto.commit': false, 'auto.offset.reset': 'earliest', 'partition.assignment.strategy': 'cooperative-sticky' },
    producer, logger, topics, group, workerId: 'w1',
    limiter: new MemoryLimiter(),
    rulesFor: (_env, host) => [{ key: `host:${host}`, intervalMs: INTERVAL_MS }],
    fetch: plainFetch,
    concurrency: 16, perHostConcurrency: 1, lookahead: 1000,
    commitEveryMessages: 10, commitIntervalMs: 500,
    shutdownTimeoutMs: 10_000, revokeTimeoutMs: 5_000, stallTimeoutMs: 60_000,
    readHighWatermarks: async () => new Map(),
    ...extra,
  };
}

async function connectedProducer(): Promise<Producer> {
  const producer = createProducer({ config: baseConfig(), logger }, { 'linger.ms': 5 });
  await producer.connect();
  return producer;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms))]);
}

async function runWorkerOver(topics: Topics, expected: number, extra: Partial<WorkerOptions> = {}) {
  const producer = await connectedProducer();
  const group = uniqueName('workers');
  const worker = await startWorker(workerOptions(topics, group, producer, { maxMessages: expected, ...extra }));
  await within(worker.done, 45_000, 'worker');
  await producer.disconnect();
  return { worker, group };
}

describe('kscrape worker (real broker, loopback targets)', () => {
  test('every URL ends in exactly the topic it should, hosts keep their spacing, offsets are committed', async () => {
    const topics = await createPipelineTopics(3);
    const paths = { '/ok': 'pages', '/missing': 'errors', '/broken': 'dlq', '/busy': 'dlq', '/slow': 'pages' } as const;
    const urls: { url: string; expect: string }[] = [];
    for (const origin of origins) {
      for (const [path, topic] of Object.entries(paths)) {
        for (let i = 0; i < 3; i++) urls.push({ url: `${origin}${path}?i=${i}`, expect: topic });
      }
    }
    const poison = ['not json at all', '{"no_url":1}', JSON.stringify({ url: 'ftp://x/y' }), '\u0000\u0001garbage'];
    const messages = [
      ...urls.map((u) => ({ key: new URL(u.url).hostname, value: envelope(u.url), partition: hostPartition(new URL(u.url).hostname, 3) })),
      ...poison.map((value, i) => ({ key: `poison-${i}`, value, partition: i % 3 })),
    ];
    await produceRaw(topics.urls, messages);
    const { worker, group } = await runWorkerOver(topics, messages.length, { lookahead: 5 });

    const pages = await readBack(topics.pages, urls.filter((u) => u.expect === 'pages').length);
    const errors = await readBack(topics.errors, urls.filter((u) => u.expect === 'errors').length + poison.length);
    const dlq = await readBack(topics.dlq, urls.filter((u) => u.expect === 'dlq').length);
    const metrics = await readBack(topics.metrics, messages.length);

    const where = new Map<string, string[]>();
    const note = (url: string | null | undefined, topic: string) => { if (url) where.set(url, [...(where.get(url) ?? []), topic]); };
    for (const m of pages) note(JSON.parse(m.value!).url, 'pages');
    for (const m of errors) note(JSON.parse(m.value!).url, 'errors');
    for (const m of dlq) note(JSON.parse(m.value!).original.url, 'dlq');
    for (const u of urls) expect([u.url, where.get(u.url)]).toEqual([u.url, [u.expect]]);
    expect(errors.filter((m) => JSON.parse(m.value!).reason === 'malformed')).toHaveLength(poison.length);
    expect(metrics).toHaveLength(messages.length);
    expect(dlq.every((m) => JSON.parse(m.value!).attempts === 1)).toBe(true);
    // 429 with Retry-After: 1 carries the server's time (failed_at + 1 s) for dlq retry; a bare 500 carries none.
    const dlqRecords = dlq.map((m) => JSON.parse(m.value!) as DlqRecord);
    for (const r of dlqRecords) {
      expect([r.original.url, r.retry_after_at]).toEqual([r.original.url, r.status === 429 ? r.failed_at + 1_000 : undefined]);
    }

    // Arrivals are stamped by the target process, which runs apart from the worker.
    const arrivals = await targets.arrivals();
    for (const address of ADDRESSES) {
      expect(arrivals[address]!.length).toBe(15);
      expect([address, minGapMs(arrivals[address]!)]).toEqual([address, expect.any(Number)]);
      if (process.env.KSCRAPE_DEBUG_TEST) {
        const a = [...arrivals[address]!].sort((x, y) => x.at - y.at);
        process.stderr.write(`[spacing] ${address} ${a.map((x, i) => `${x.path}${i ? `+${x.at - a[i - 1]!.at}` : ''}`).join(' ')}\n`);
      }
      expect(minGapMs(arrivals[address]!)).toBeGreaterThanOrEqual(INTERVAL_MS - JITTER_MS);
    }

    // Everything finished, so every partition is committed up to its end.
    const [committed] = await withAdmin((admin) => admin.fetchOffsets({ groupId: group, topics: [topics.urls] }));
    const highs = await withAdmin((admin) => admin.fetchTopicOffsets(topics.urls));
    for (const h of highs) {
      expect([h.partition, committed!.partitions.find((p) => p.partition === h.partition)?.offset]).toEqual([h.partition, h.high]);
    }
    expect(worker.stats.toJSON()).toMatchObject({ consumed: messages.length, malformed: poison.length });
  });

  test('two workers in one group; one leaves mid-run: nothing is lost, the other takes over', async () => {
    const topics = await createPipelineTopics(6);
    // Many hosts (distinct loopback addresses would need servers each; ports differ but politeness is per
    // host name, so use one target per address and several paths).
    const urls = origins.flatMap((origin) => Array.from({ length: 40 }, (_, i) => `${origin}/ok?n=${i}`));
    await produceRaw(topics.urls, urls.map((url, i) => ({ key: new URL(url).hostname, value: envelope(url), partition: i % 6 })));
    const group = uniqueName('pair');
    const [p1, p2] = await Promise.all([connectedProducer(), connectedProducer()]);
    // A shared limiter stands in for Redis: both workers fetch the same hosts from different partitions.
    const limiter = new MemoryLimiter();
    // Slow enough (40 URLs × 250 ms per host) that w2 has joined and worked before w1 could finish alone.
    const rulesFor = (_env: UrlEnvelope, host: string) => [{ key: `host:${host}`, intervalMs: 250 }];
    const w1 = await startWorker(workerOptions(topics, group, p1, { workerId: 'w1', limiter, rulesFor, logger: process.env.KSCRAPE_DEBUG_TEST ? createLogger({ level: 'verbose', write: (l) => void process.stderr.write(`W1 ${l}`) }) : logger }));
    const w2 = await startWorker(workerOptions(topics, group, p2, { workerId: 'w2', limiter, rulesFor, logger: process.env.KSCRAPE_DEBUG_TEST ? createLogger({ level: 'verbose', write: (l) => void process.stderr.write(`W2 ${l}`) }) : logger }));
    // Let both get partitions and work a little, then one leaves.
    const deadline = Date.now() + 20_000;
    while (w2.stats.fetched < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(w2.stats.fetched).toBeGreaterThanOrEqual(5);
    await within(w2.stop('leaving'), 20_000, 'w2 stop');
    if (process.env.KSCRAPE_DEBUG_TEST) {
      const [c2] = await withAdmin((admin) => admin.fetchOffsets({ groupId: group, topics: [topics.urls] }));
      process.stderr.write(`[pair] w2 stopped ${JSON.stringify({ ...w2.stats.toJSON(), byStatus: undefined })} committed ${JSON.stringify(c2!.partitions)}\n`);
    }
    await p2.disconnect();
    // w1 must now finish everything: wait until the group's committed offsets reach the end.
    const highs = await withAdmin((admin) => admin.fetchTopicOffsets(topics.urls));
    const total = highs.reduce((n, h) => n + Number(h.high), 0);
    let committedTotal = 0;
    while (Date.now() < deadline + 30_000) {
      if (process.env.KSCRAPE_DEBUG_TEST) process.stderr.write(`[pair] w1 ${JSON.stringify({ ...w1.gauges(), ...w1.stats.toJSON(), byStatus: undefined })}\n`);
      const [c] = await withAdmin((admin) => admin.fetchOffsets({ groupId: group, topics: [topics.urls] }));
      committedTotal = c!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
      if (committedTotal === total) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (process.env.KSCRAPE_DEBUG_TEST) {
      const [c1] = await withAdmin((admin) => admin.fetchOffsets({ groupId: group, topics: [topics.urls] }));
      process.stderr.write(`[pair] end committed ${JSON.stringify(c1!.partitions)} highs ${JSON.stringify(highs)}\n`);
    }
    await within(w1.stop('done'), 20_000, 'w1 stop');
    await p1.disconnect();
    expect(committedTotal).toBe(total);
    const pages = await readAll(topics.pages);
    const seen = new Set(pages.map((m) => JSON.parse(m.value!).url as string));
    expect(urls.filter((u) => !seen.has(u))).toEqual([]);
    const byWorker = new Set(pages.map((m) => JSON.parse(m.value!).worker as string));
    expect(byWorker).toEqual(new Set(['w1', 'w2']));
    // Duplicates are allowed (at-least-once) but a clean hand-over should make very few; report them.
    process.stderr.write(`[worker test] ${pages.length - seen.size} duplicate pages after hand-over\n`);
  });
});
