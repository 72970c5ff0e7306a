/**
 * The scraper worker: consumer → per-partition look-ahead (paused when full) → per-host queues → scheduler
 * (limiter + concurrency) → fetch → outcome records → delivery → offset finished → batched commit of each
 * partition's lowest unfinished offset. Every URL consumed gets exactly one outcome record before its offset
 * is committed; memory is bounded by look-ahead × partitions, whatever the topic's depth.
 *
 * startWorker only wires the stages, each in its own file: intake (intake.ts), the politeness gate
 * (src/politeness/gate.ts), fetch (fetch-stage.ts), outcome routing (outcome-router.ts), the commit protocol
 * (commit-protocol.ts) and the lifecycle (lifecycle.ts).
 */
import { CommitProtocol } from './commit-protocol.js';
import { ConsumerSession } from './consumer-session.js';
import { FetchStage } from './fetch-stage.js';
import { HostScheduler } from './host-scheduler.js';
import { Intake } from './intake.js';
import { Lifecycle } from './lifecycle.js';
import { OffsetTracker } from './offset-tracker.js';
import { WORK_DEFAULTS } from './options.js';
import { OutcomeRouter } from './outcome-router.js';
import type { OutcomeContext } from './outcomes.js';
import { PolitenessGate } from '../politeness/gate.js';
import { WorkerStats } from './stats.js';
import type { WorkItem, WorkerHandle, WorkerOptions } from './types.js';
import { errorMessage } from '../errors.js';
import { lookaheadSessionHandlers } from './lookahead-intake.js';

export type { WorkerHandle, WorkerOptions, WorkerTopics } from './types.js';

export async function startWorker(opts: WorkerOptions): Promise<WorkerHandle> {
  const { logger } = opts;
  const stats = new WorkerStats();
  const tracker = new OffsetTracker();
  const ctx = (): OutcomeContext => ({ topics: opts.topics, worker: opts.workerId, now: Date.now() });
  // The stages reach each other through closures: none of them is called before the lifecycle starts.
  const session = () => lifecycle.session;

  const gate = new PolitenessGate({
    limiter: opts.limiter,
    rulesFor: (envelope, host) => opts.rulesFor(envelope, host),
    crawlDelayMs: (host) => opts.crawlDelayMs?.(host),
  });
  const commits: CommitProtocol = new CommitProtocol({
    tracker, session, stats, logger,
    commitEveryMessages: opts.commitEveryMessages, revokeTimeoutMs: opts.revokeTimeoutMs,
    dropQueued: (p) => scheduler.dropPartition(p),
    ...(opts.transactor ? { transactor: opts.transactor } : {}),
  });
  const intake: Intake = new Intake({
    tracker, session, stats, lookahead: opts.lookahead, maxMessages: opts.maxMessages, ctx,
    ...(opts.isStopped ? { isStopped: opts.isStopped } : {}),
    isStopping: () => lifecycle.stopping,
    schedule: (item) => scheduler.add(item),
    route: (item, records) => commits.trackInFlight(item.partition, router.deliverThenFinish(item, records)),
    onLimitReached: () => void lifecycle.stop('--max-messages reached'),
  });
  const router = new OutcomeRouter({
    producer: opts.producer, logger, stats, maxRecordBytes: opts.maxRecordBytes,
    ...(opts.deliveryReportTimeoutMs ? { deliveryReportTimeoutMs: opts.deliveryReportTimeoutMs } : {}),
    ...(opts.transactor ? { transactor: opts.transactor } : {}),
    ...(opts.onUrlFinished ? { onUrlFinished: opts.onUrlFinished } : {}),
    onFinished: (item) => {
      commits.finished();
      intake.afterFinish(item.partition, item.offsets);
    },
  });
  const fetches = new FetchStage({
    fetch: opts.fetch, gate, stats, ctx,
    ...(opts.follow ? { follow: opts.follow } : {}),
    ...(opts.notModified ? { notModified: opts.notModified } : {}),
    route: (item, records) => router.deliverThenFinish(item, records),
    belowBytes: (limit) => router.belowBytes(limit),
    maxPendingBytes: opts.maxPendingBytes ?? WORK_DEFAULTS.maxPendingBytes,
    trackInFlight: (p, work) => commits.trackInFlight(p, work),
  });
  const scheduler = new HostScheduler<WorkItem>({
    limiter: opts.limiter,
    concurrency: opts.concurrency,
    perHostConcurrency: opts.perHostConcurrency,
    rulesFor: (item) => gate.rulesFor(item.envelope, item.host),
    run: (item) => fetches.run(item),
    onLimiterError: (err) => {
      stats.limiterErrors++;
      logger.debug(`limiter error: ${errorMessage(err)}`);
    },
  });

  const lifecycle = new Lifecycle({
    logger, stats, commits, tracker, scheduler, fetches, router, intake,
    commitIntervalMs: opts.commitIntervalMs, idleExitMs: opts.idleExitMs, maxMessages: opts.maxMessages,
    shutdownTimeoutMs: opts.shutdownTimeoutMs, stallTimeoutMs: opts.stallTimeoutMs,
    readHighWatermarks: (partitions, from) => opts.readHighWatermarks(partitions, from),
    newSession: () => new ConsumerSession({
      config: opts.consumerConfig, topic: opts.topics.urls, group: opts.group, logger,
      handlers: lookaheadSessionHandlers(intake, commits),
    }),
  });
  await lifecycle.start();

  return {
    stats,
    done: lifecycle.done,
    gauges: () => {
      const s = scheduler.stats();
      return { inFlight: s.running, queued: s.queued, hosts: s.hosts, pausedPartitions: session().pausedCount(), assigned: session().assigned().length };
    },
    restartConsumer: (reason) => lifecycle.restartConsumer(reason),
    stop: (reason) => lifecycle.stop(reason),
  };
}
