/**
 * The extraction consumer: pages topic → intake (look-ahead per partition, paused when full) → extraction
 * stage (parse once, built-in, rules, module; with a module all of it in the module's threads) → one extractions or errors record per page (with --records item,
 * one per item of a list page) → delivery of all of a page's records (or the --eos transaction) → offset finished → batched commit of each partition's lowest unfinished offset. Every
 * page consumed gets exactly one record before its offset is committed (invariant 8).
 *
 * The consumer plumbing is the worker's, as it is: the consumer session, the intake's look-ahead
 * (lookahead-intake.ts), offset tracker, commit protocol, outcome router (result sink, transactor), lifecycle
 * (commit timer, idle exit, watchdog, graceful stop). Only what a message becomes at intake (a page) and the
 * stage that does the work are extract's own.
 */
import { errorMessage } from '../errors.js';
import type { KafkaConfig, Producer } from '../kafka/index.js';
import type { Logger } from '../log.js';
import type { PageRecord } from '../records/index.js';
import { CommitProtocol } from '../worker/commit-protocol.js';
import { ConsumerSession } from '../worker/consumer-session.js';
import { Lifecycle } from '../worker/lifecycle.js';
import { OffsetTracker } from '../worker/offset-tracker.js';
import { OutcomeRouter } from '../worker/outcome-router.js';
import type { OutRecord } from '../worker/result-sink.js';
import { WorkerStats } from '../worker/stats.js';
import type { Transactor } from '../worker/transactor.js';
import { PageIntake, type PageItem } from './intake.js';
import { extractPageOutcome, type PageOutcome } from './page-outcome.js';
import { extractErrorRecords, extractionRecords, type ExtractOutcomeContext } from './outcomes.js';
import type { Rules } from './rules-types.js';
import { ExtractStage } from './stage.js';
import { ExtractStats } from './stats.js';
import { lookaheadSessionHandlers } from '../worker/lookahead-intake.js';
import type { ExtractSettings } from './options.js';

export interface ExtractorOptions extends Pick<ExtractSettings, 'group' | 'concurrency' | 'lookahead' | 'commitEveryMessages' | 'commitIntervalMs'
  | 'shutdownTimeoutMs' | 'stallTimeoutMs' | 'maxMessages' | 'idleExitMs' | 'maxRecordBytes' | 'maxPendingBytes' | 'records'> {
  consumerConfig: KafkaConfig;
  producer: Producer;
  logger: Logger;
  topics: { pages: string; extractions: string; errors: string };
  workerId: string;
  extractorVersion: string;
  /** Built-in extraction and the rules run in-process without a module. */
  rules?: Rules;
  /** With a --module, the whole extraction of a page runs in the module's threads (module-pool.ts). */
  module?: { run(page: PageRecord): Promise<PageOutcome> };
  revokeTimeoutMs: number;
  readHighWatermarks(partitions?: number[], from?: Map<number, number>): Promise<Map<number, number>>;
  transactor?: Transactor;
}

export interface ExtractorHandle {
  stop(reason?: string): Promise<void>;
  restartConsumer(reason: string): Promise<void>;
  done: Promise<void>;
  /** The consumer plumbing's counters (consumed, malformed, commits, rebalances, restarts, delivery retries). */
  plumbing: WorkerStats;
  stats: ExtractStats;
  gauges(): { running: number; queued: number; pausedPartitions: number; assigned: number };
}

export async function startExtractor(opts: ExtractorOptions): Promise<ExtractorHandle> {
  const { logger } = opts;
  const plumbing = new WorkerStats();
  const stats = new ExtractStats();
  const tracker = new OffsetTracker();
  const ctx = (): ExtractOutcomeContext => ({ topics: opts.topics, worker: opts.workerId, extractorVersion: opts.extractorVersion, now: Date.now() });
  const session = () => lifecycle.session;

  const commits: CommitProtocol = new CommitProtocol({
    tracker, session, stats: plumbing, logger,
    commitEveryMessages: opts.commitEveryMessages, revokeTimeoutMs: opts.revokeTimeoutMs,
    dropQueued: (p) => stage.dropPartition(p),
    ...(opts.transactor ? { transactor: opts.transactor } : {}),
  });
  const router = new OutcomeRouter({
    producer: opts.producer, logger, stats: plumbing, maxRecordBytes: opts.maxRecordBytes,
    ...(opts.transactor ? { transactor: opts.transactor } : {}),
    onFinished: (item) => {
      commits.finished();
      intake.afterFinish(item.partition, item.offsets);
    },
  });
  const route = (item: PageItem | Parameters<OutcomeRouter['deliverThenFinish']>[0], records: OutRecord[]) =>
    commits.trackInFlight(item.partition, router.deliverThenFinish(item, records));

  const process = async (item: PageItem): Promise<void> => {
    const { page } = item;
    stats.bytes += item.bytes;
    const outcome = opts.module ? await opts.module.run(page) : await extractPageOutcome(page, opts.rules);
    if (outcome.kind === 'unextractable') {
      stats.recordFailure(outcome.reason);
      route(item, extractErrorRecords(page.url, page.url, outcome.reason, page.status, outcome.detail, ctx()));
      return;
    }
    if (outcome.kind === 'failed') {
      stats.recordFailure('extract-failed');
      logger.debug(`extraction of ${page.url} failed: ${outcome.message}`);
      route(item, extractErrorRecords(page.url, page.url, 'extract-failed', page.status, outcome.message, ctx()));
      return;
    }
    const { extraction, fromModule } = outcome;
    let records: OutRecord[];
    try {
      records = extractionRecords(page, extraction, ctx(), fromModule, opts.records);
    } catch (err) {
      // A value that cannot be written (a BigInt from the module): the page fails, the consumer goes on.
      stats.recordFailure('extract-failed');
      route(item, extractErrorRecords(page.url, page.url, 'extract-failed', page.status, `extraction failed: ${errorMessage(err)}`, ctx()));
      return;
    }
    stats.extracted++;
    stats.items += extraction.items.length + (fromModule?.items.length ?? 0);
    stats.issues += extraction.issues.length;
    route(item, records);
  };

  const stage = new ExtractStage({
    concurrency: opts.concurrency, process, belowBytes: (limit) => router.belowBytes(limit), maxPendingBytes: opts.maxPendingBytes,
  });
  const intake: PageIntake = new PageIntake({
    tracker, session, stats: plumbing, lookahead: opts.lookahead, maxMessages: opts.maxMessages,
    isStopping: () => lifecycle.stopping,
    extract: (item) => stage.add(item),
    malformed: (item, raw, reason) => {
      stats.recordFailure('malformed');
      const text = raw.value ?? '';
      route(item, extractErrorRecords(null, raw.key ?? '', 'malformed', null, `not a page record (${reason}): ${text.length > 512 ? `${text.slice(0, 512)}…` : text}`, ctx()));
    },
    onLimitReached: () => void lifecycle.stop('--max-messages reached'),
  });

  const lifecycle = new Lifecycle({
    logger, stats: plumbing, commits, tracker,
    scheduler: stage,
    // Extraction cannot be aborted half-way; shutdown waits for the running pages (bounded by the module timeout).
    fetches: { running: () => stage.stats().running, abortAll: () => undefined },
    router, intake,
    commitIntervalMs: opts.commitIntervalMs, idleExitMs: opts.idleExitMs, maxMessages: opts.maxMessages,
    shutdownTimeoutMs: opts.shutdownTimeoutMs, stallTimeoutMs: opts.stallTimeoutMs,
    readHighWatermarks: (partitions, from) => opts.readHighWatermarks(partitions, from),
    newSession: () => new ConsumerSession({
      config: opts.consumerConfig, topic: opts.topics.pages, group: opts.group, logger,
      handlers: lookaheadSessionHandlers(intake, commits),
    }),
  });
  await lifecycle.start();

  return {
    plumbing, stats, done: lifecycle.done,
    gauges: () => {
      const s = stage.stats();
      return { running: s.running, queued: s.queued, pausedPartitions: session().pausedCount(), assigned: session().assigned().length };
    },
    restartConsumer: (reason) => lifecycle.restartConsumer(reason),
    stop: (reason) => lifecycle.stop(reason),
  };
}

