/**
 * `kscrape work` assembled: clients, limiter, fetcher, metrics, status line and signals around startWorker.
 * Everything here is wiring; the behaviour lives in the worker's stages, which worker.ts wires together.
 */
import type { GlobalContext } from '../context/global-context.js';
import type { CommandRuntime } from '../context/runtime.js';
import { settleBoundMs, surviveClientErrorMappingBug, transactionalProducerConfig, workerConsumerConfig, workerProducerConfig } from '../kafka/index.js';
import type { Registry } from 'prom-client';
import { withDeadline } from '../deadline.js';
import { serveMetrics } from '../consumer-command/metrics-server.js';
import { connectAdminWithTopics, connectRunProducer, runConsumerCommand, workerIdOf } from '../consumer-command/run.js';
import { handleStopSignals } from '../consumer-command/signals.js';
import { TOPICS } from '../records/index.js';
import { createFetcher } from '../fetch/index.js';
import { envelopeValidators } from '../crawl/recrawl.js';
import { createLimiter } from '../ratelimit/create-limiter.js';
import type { StatsLimiter } from '../ratelimit/fallback-limiter.js';
import { rulesFor } from '../ratelimit/rules.js';
import { estimateLiveWorkers } from './live-workers.js';
import { WorkerMetrics } from './metrics.js';
import { formatStatus, startStatusReporter } from './status-reporter.js';
import { startTransactor } from './transactor.js';
import type { WorkSettings } from './options.js';
import { startWorker, type WorkerHandle, type WorkerTopics } from './worker.js';
import { startDepthCounters } from './depth-counters.js';
import { LogEnds } from './log-ends.js';

export async function runWork(ctx: GlobalContext, s: WorkSettings, runtime: CommandRuntime): Promise<void> {
  const { logger } = ctx;
  const topics: WorkerTopics = {
    urls: ctx.topic(TOPICS.urls), pages: ctx.topic(TOPICS.pages), errors: ctx.topic(TOPICS.errors),
    dlq: ctx.topic(TOPICS.dlq), metrics: ctx.topic(TOPICS.metrics),
  };
  const workerId = workerIdOf(s.workerId);
  await runConsumerCommand('work', ctx, runtime, async (cleanups) => {
    // A client bug can reject a promise nobody holds when a coordinator dies mid-call (client-error-mapping-bug.ts).
    cleanups.push(surviveClientErrorMappingBug((line) => logger.warn(line)));
    const admin = await connectAdminWithTopics(ctx, cleanups, 'work', Object.values(topics));

    const urlPartitions = await withDeadline(admin.fetchTopicMetadata({ topics: [topics.urls], timeout: 10_000 }), 12_000, 'topic metadata')
      .then((m) => m[0]?.partitions.length ?? 1);

    const producerConfig = workerProducerConfig(ctx, s);
    const producer = await connectRunProducer(producerConfig, logger, cleanups);

    let liveWorkers = (): number => urlPartitions;
    const limiter = await createLimiter({ redisUrl: ctx.redisUrl, prefix: ctx.topicPrefix, required: s.redisRequired, liveWorkers: () => liveWorkers(), logger });
    cleanups.push(() => limiter.close());

    const fetcher = createFetcher(s.fetcher);
    cleanups.push(() => fetcher.close());

    // Depth counters of the fair partitioner (depth-counters.ts).
    const depth = ctx.redisUrl ? startDepthCounters({ redisUrl: ctx.redisUrl, topicPrefix: ctx.topicPrefix, urlsTopic: topics.urls, logger }) : undefined;
    if (depth) cleanups.push(() => depth.close());

    const transactor = s.eos
      ? await startTransactor({ topic: topics.urls, logger, producerConfig: () => transactionalProducerConfig(ctx, s, workerId), cleanups })
      : undefined;

    // --follow: the crawl step and stop flags (src/crawl/); loaded only when crawling.
    const crawl = s.follow
      ? await (await import('../crawl/open-crawl.js')).openCrawl({ settings: s.follow, redisUrl: ctx.redisUrl, topicPrefix: ctx.topicPrefix, urlsTopic: topics.urls, partitions: () => urlPartitions, logger })
      : undefined;
    if (crawl) cleanups.push(() => crawl.close());

    const logEnds = new LogEnds({ admin, topic: topics.urls, consumerConfig: ctx.kafkaConfig('consumer'), logger });
    const worker = await startWorker({
      consumerConfig: workerConsumerConfig(ctx, s.groupProtocol, s.eos),
      ...(transactor ? { transactor } : {}),
      producer, logger, topics, group: s.group, workerId, limiter,
      rulesFor: (envelope, host) => rulesFor(s.rate, host, envelope.customer_id),
      // The politeness gate raises a host's interval to its robots.txt Crawl-delay (src/politeness/gate.ts).
      crawlDelayMs: (host) => fetcher.crawlDelayMs(host),
      // A recrawl carries the previous fetch's validators: the request is conditional (a 304 is `not-modified`).
      // A crawl's redirects stay in its scope and claim their target before it is requested (crawl/follow.ts).
      fetch: (envelope, { signal, hooks }) => fetcher.fetch(envelope.url, {
        signal, hooks, ...envelopeValidators(envelope), ...(crawl ? { checkRedirect: crawl.checkRedirect(envelope) } : {}),
      }),
      concurrency: s.concurrency, perHostConcurrency: s.perHostConcurrency, lookahead: s.lookahead,
      commitEveryMessages: s.commitEveryMessages, commitIntervalMs: s.commitIntervalMs,
      ...(s.maxMessages === undefined ? {} : { maxMessages: s.maxMessages }),
      ...(s.idleExitMs === undefined ? {} : { idleExitMs: s.idleExitMs }),
      shutdownTimeoutMs: s.shutdownTimeoutMs, revokeTimeoutMs: Math.min(10_000, s.shutdownTimeoutMs), stallTimeoutMs: s.stallTimeoutMs,
      maxRecordBytes: s.maxRecordBytes, maxPendingBytes: s.maxPendingBytes, deliveryReportTimeoutMs: settleBoundMs(producerConfig),
      readHighWatermarks: (partitions, from) => logEnds.read(partitions, from),
      onUrlFinished: (envelope) => depth?.finished(envelope.host),
      ...(crawl ? { follow: crawl.follow, isStopped: crawl.isStopped, notModified: crawl.notModified } : {}),
    });
    liveWorkers = () => estimateLiveWorkers(urlPartitions, worker.gauges().assigned);
    logger.info(`worker ${workerId} in group ${s.group} on ${topics.urls} (concurrency ${s.concurrency}, look-ahead ${s.lookahead}/partition${s.eos ? ', exactly-once' : ''})`);

    if (s.metricsPort !== undefined) cleanups.push(await serveMetrics(workerMetrics(worker, limiter), s.metricsPort, s.metricsHost, logger, worker));
    const status = startStatusReporter({
      snapshot: () => worker.stats.snapshot(worker.gauges()), intervalMs: s.statusIntervalMs, logger,
      tty: Boolean(process.stderr.isTTY) && !ctx.json,
    });

    cleanups.push(handleStopSignals(worker, logger, 'unfinished URLs are uncommitted and will be redelivered'));

    await worker.done;
    const summary = { worker: workerId, group: s.group, ...worker.stats.toJSON(), limiter: limiter.stats(), ...(transactor ? { transactions: transactor.counters } : {}) };
    status.stop(`done: ${formatStatus(worker.stats.snapshot(worker.gauges()))}`);
    return summary;
  });
}

/** The worker's Prometheus registry, fed each fetch as it finishes. */
function workerMetrics(worker: WorkerHandle, limiter: StatsLimiter): Registry {
  const metrics = new WorkerMetrics({ stats: worker.stats, gauges: worker.gauges, limiter: () => limiter.stats() });
  worker.stats.onFetch = (r) => metrics.observeFetch(r);
  return metrics.registry;
}
