/**
 * `kscrape work` assembled: clients, limiter, fetcher, metrics, status line and signals around startWorker.
 * Everything here is wiring; the behaviour lives in worker.ts and the modules it uses.
 */
import { hostname } from 'node:os';
import type { Server } from 'node:http';
import type { GlobalContext } from '../commands/global-options.js';
import type { CommandRuntime } from '../commands/runtime.js';
import { ExitCode, RuntimeFailure, UserError, errorMessage } from '../errors.js';
import { connectAdmin } from '../kafka/admin.js';
import { createProducer } from '../kafka/clients.js';
import type { KafkaConfig } from '../kafka/config.js';
import { withDeadline } from '../kafka/deadline.js';
import { TOPICS } from '../kafka/schema.js';
import { createFetcher, type FetcherOptions } from '../fetch/index.js';
import { createLimiter } from '../ratelimit/create-limiter.js';
import { createRedis } from '../ratelimit/redis-client.js';
import { rulesFor, type RateConfig } from '../ratelimit/rules.js';
import { decrementDepth, depthKey } from '../partition/redis-depth.js';
import { estimateLiveWorkers } from './live-workers.js';
import { WorkerMetrics } from './metrics.js';
import { formatStatus, startStatusReporter } from './status-reporter.js';
import { Transactor } from './transactor.js';
import { startWorker, type WorkerTopics } from './worker.js';

export interface WorkSettings {
  group: string;
  workerId: string | undefined;
  concurrency: number;
  perHostConcurrency: number;
  lookahead: number;
  commitEveryMessages: number;
  commitIntervalMs: number;
  maxMessages: number | undefined;
  idleExitMs: number | undefined;
  shutdownTimeoutMs: number;
  stallTimeoutMs: number;
  groupProtocol: 'classic' | 'consumer';
  metricsPort: number | undefined;
  metricsHost: string;
  statusIntervalMs: number;
  maxRecordBytes: number;
  maxPendingBytes: number;
  rate: RateConfig;
  redisRequired: boolean;
  fetcher: Partial<FetcherOptions>;
  /** Exactly-once results (transactions); needs a stable workerId. */
  eos: boolean;
}

/** Settings only the new group protocol (KIP-848) rejects: the broker owns them there. */
const CLASSIC_ONLY = ['partition.assignment.strategy', 'session.timeout.ms', 'heartbeat.interval.ms'];

export function workerConsumerConfig(ctx: GlobalContext, protocol: 'classic' | 'consumer'): KafkaConfig {
  const config: KafkaConfig = { ...ctx.kafkaConfig('consumer') };
  if (protocol === 'consumer') {
    for (const key of CLASSIC_ONLY) if (!(key in ctx.overrides)) delete config[key];
    config['group.protocol'] = 'consumer';
  } else {
    // Cooperative rebalancing: a leaving worker only pauses its own partitions (the guide: ~90 % less pause).
    config['partition.assignment.strategy'] = 'cooperative-sticky';
  }
  return { ...config, ...ctx.overrides };
}

/** The transactional producer of --eos: its id is stable per worker so a restarted worker fences its predecessor. */
export function transactionalProducerConfig(ctx: GlobalContext, s: Pick<WorkSettings, 'group' | 'maxRecordBytes' | 'maxPendingBytes'>, workerId: string): KafkaConfig {
  return {
    ...workerProducerConfig(ctx, s),
    'transactional.id': `${ctx.topicPrefix}kscrape-work-${s.group}-${workerId}`,
    'transaction.timeout.ms': 60_000,
    ...ctx.overrides,
  };
}

export function workerProducerConfig(ctx: GlobalContext, s: Pick<WorkSettings, 'maxRecordBytes' | 'maxPendingBytes'>): KafkaConfig {
  return {
    ...ctx.kafkaConfig('producer'),
    // The guide's advice against producer deadlock: bounded waits; the result sink retries what fails.
    'delivery.timeout.ms': 30_000,
    'request.timeout.ms': 15_000,
    'message.max.bytes': s.maxRecordBytes + 64 * 1024,
    // The worker keeps what awaits the broker under --delivery-buffer; this is the native backstop (librdkafka's
    // default is 1 GiB). Room for UTF-8 growing a JSON string and for one largest record on top.
    'queue.buffering.max.kbytes': Math.ceil((3 * s.maxPendingBytes + s.maxRecordBytes) / 1024),
    ...ctx.overrides,
  };
}

export async function runWork(ctx: GlobalContext, s: WorkSettings, runtime: CommandRuntime): Promise<void> {
  const { logger } = ctx;
  const topics: WorkerTopics = {
    urls: ctx.topic(TOPICS.urls), pages: ctx.topic(TOPICS.pages), errors: ctx.topic(TOPICS.errors),
    dlq: ctx.topic(TOPICS.dlq), metrics: ctx.topic(TOPICS.metrics),
  };
  const workerId = s.workerId ?? `${hostname()}-${process.pid}`;
  const cleanups: (() => Promise<unknown> | void)[] = [];
  const cleanup = async () => { for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined); };

  try {
    const { admin, close: closeAdmin } = await connectAdmin({ config: ctx.kafkaConfig('admin'), logger, timeoutMs: 15_000 });
    cleanups.push(closeAdmin);
    const existing = new Set(await withDeadline(admin.listTopics({ timeout: 10_000 }), 12_000, 'list topics'));
    const missing = Object.values(topics).filter((t) => !existing.has(t));
    if (missing.length) throw new UserError(`topic${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found: create them with 'kscrape topics create'${ctx.topicPrefix ? ` --topic-prefix ${ctx.topicPrefix}` : ''}`, 'work.missing-topic');

    const urlPartitions = await withDeadline(admin.fetchTopicMetadata({ topics: [topics.urls], timeout: 10_000 }), 12_000, 'topic metadata')
      .then((m) => m[0]?.partitions.length ?? 1);

    const producer = createProducer({ config: workerProducerConfig(ctx, s), logger });
    await withDeadline(producer.connect(), 30_000, 'producer connect');
    cleanups.push(async () => {
      await withDeadline(producer.flush({ timeout: 10_000 }), 12_000, 'producer flush').catch((err: Error) => logger.warn(`flush: ${err.message}`));
      await withDeadline(producer.disconnect(), 10_000, 'producer disconnect').catch(() => undefined);
    });

    let liveWorkers = (): number => urlPartitions;
    const limiter = await createLimiter({ redisUrl: ctx.redisUrl, prefix: ctx.topicPrefix, required: s.redisRequired, liveWorkers: () => liveWorkers(), logger });
    cleanups.push(() => limiter.close());

    const fetcher = createFetcher(s.fetcher);
    cleanups.push(() => fetcher.close());

    // Depth counters of the fair partitioner: what finished is subtracted once a second, in one call.
    const finishedByHost = new Map<string, number>();
    if (ctx.redisUrl) {
      const redis = createRedis(ctx.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
      const key = depthKey(ctx.topicPrefix, topics.urls);
      const flushDepth = async () => {
        if (!finishedByHost.size) return;
        const counts = new Map(finishedByHost);
        finishedByHost.clear();
        await decrementDepth(redis, key, counts).catch((err: Error) => logger.debug(`depth counters: ${err.message}`));
      };
      const depthTimer = setInterval(() => void flushDepth(), 1_000);
      depthTimer.unref();
      cleanups.push(async () => { clearInterval(depthTimer); await flushDepth(); redis.disconnect(); });
    }

    let transactor: Transactor | undefined;
    if (s.eos) {
      transactor = new Transactor({
        topic: topics.urls, logger,
        createProducer: async () => {
          const p = createProducer({ config: transactionalProducerConfig(ctx, s, workerId), logger });
          try {
            await withDeadline(p.connect(), 60_000, 'transactional producer connect');
          } catch (err) {
            // Retried at the next commit with a new one: this one must not linger with its threads.
            await withDeadline(p.disconnect(), 10_000, 'producer disconnect').catch(() => undefined);
            throw err;
          }
          return p;
        },
      });
      await transactor.start();
      cleanups.push(() => transactor!.close());
    }

    const worker = await startWorker({
      consumerConfig: { ...workerConsumerConfig(ctx, s.groupProtocol), ...(s.eos ? { 'isolation.level': 'read_committed' } : {}) },
      ...(transactor ? { transactor } : {}),
      producer, logger, topics, group: s.group, workerId, limiter,
      rulesFor: (envelope, host) => {
        const rules = rulesFor(s.rate, host, envelope.customer_id);
        // robots.txt's Crawl-delay can only make a host slower than configured, never faster.
        const crawlDelayMs = fetcher.crawlDelayMs(host) ?? 0;
        return crawlDelayMs ? rules.map((r) => (r.key === `host:${host}` && r.intervalMs < crawlDelayMs ? { ...r, intervalMs: crawlDelayMs } : r)) : rules;
      },
      fetch: (envelope, { signal, hooks }) => fetcher.fetch(envelope.url, { signal, hooks }),
      concurrency: s.concurrency, perHostConcurrency: s.perHostConcurrency, lookahead: s.lookahead,
      commitEveryMessages: s.commitEveryMessages, commitIntervalMs: s.commitIntervalMs,
      ...(s.maxMessages === undefined ? {} : { maxMessages: s.maxMessages }),
      ...(s.idleExitMs === undefined ? {} : { idleExitMs: s.idleExitMs }),
      shutdownTimeoutMs: s.shutdownTimeoutMs, revokeTimeoutMs: Math.min(10_000, s.shutdownTimeoutMs), stallTimeoutMs: s.stallTimeoutMs,
      maxRecordBytes: s.maxRecordBytes, maxPendingBytes: s.maxPendingBytes,
      readHighWatermarks: async (partitions) => {
        const highs = await withDeadline(admin.fetchTopicOffsets(topics.urls), 10_000, 'topic offsets');
        const wanted = partitions && new Set(partitions);
        return new Map(highs.filter((h) => !wanted || wanted.has(h.partition)).map((h) => [h.partition, Number(h.high)]));
      },
      onUrlFinished: (envelope) => { if (ctx.redisUrl) finishedByHost.set(envelope.host, (finishedByHost.get(envelope.host) ?? 0) + 1); },
    });
    liveWorkers = () => estimateLiveWorkers(urlPartitions, worker.gauges().assigned);
    logger.info(`worker ${workerId} in group ${s.group} on ${topics.urls} (concurrency ${s.concurrency}, look-ahead ${s.lookahead}/partition${s.eos ? ', exactly-once' : ''})`);

    let metricsServer: Server | undefined;
    if (s.metricsPort !== undefined) {
      const metrics = new WorkerMetrics({ stats: worker.stats, gauges: worker.gauges, limiter: () => limiter.stats() });
      worker.stats.onFetch = (r) => metrics.observeFetch(r);
      metricsServer = await metrics.listen(s.metricsPort, s.metricsHost).catch((err: Error) => {
        throw new UserError(`--metrics-port ${s.metricsPort}: ${err.message}`, 'usage.metrics-port');
      });
      cleanups.push(() => new Promise((r) => metricsServer!.close(() => r(undefined))));
      logger.info(`metrics on http://${s.metricsHost}:${s.metricsPort}/metrics`);
    }
    const status = startStatusReporter({
      snapshot: () => worker.stats.snapshot(worker.gauges()), intervalMs: s.statusIntervalMs, logger,
      tty: Boolean(process.stderr.isTTY) && !ctx.json,
    });

    let signals = 0;
    const onSignal = (name: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        logger.error(`${name} again: exiting now; unfinished URLs are uncommitted and will be redelivered`);
        process.exit(130);
      }
      void worker.stop(`${name} received (again to exit at once)`);
    };
    const onRestart = () => void worker.restartConsumer('SIGUSR2 received');
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal).on('SIGUSR2', onRestart);
    cleanups.push(() => { process.off('SIGINT', onSignal).off('SIGTERM', onSignal).off('SIGUSR2', onRestart); });

    await worker.done;
    const summary = { worker: workerId, group: s.group, ...worker.stats.toJSON(), limiter: limiter.stats(), ...(transactor ? { transactions: transactor.counters } : {}) };
    status.stop(`done: ${formatStatus(worker.stats.snapshot(worker.gauges()))}`);
    await cleanup();
    if (ctx.json) runtime.stdout.write(`${JSON.stringify(summary)}\n`);
    runtime.setExitCode(ExitCode.ok);
  } catch (err) {
    await cleanup();
    if (err instanceof UserError || err instanceof RuntimeFailure) throw err;
    throw new RuntimeFailure(`work: ${errorMessage(err)}`, 'work.failed', { cause: err });
  }
}
