/**
 * What startWorker takes and gives back, and the unit of work its stages pass along. The tunable settings are
 * picked from options.ts (declared and defaulted there once); the rest are the clients and functions `run-work`
 * wires in.
 */
import type { Logger } from '../log.js';
import type { KafkaConfig, Producer } from '../kafka/index.js';
import type { UrlEnvelope } from '../records/index.js';
import type { Limiter, RateRule } from '../ratelimit/limiter.js';
import type { RequestHooks } from '../fetch/types.js';
import type { PartitionOffsets } from './offset-tracker.js';
import type { FetchOutcome } from '../fetch/types.js';
import type { WorkerStats } from './stats.js';
import type { Transactor } from './transactor.js';
import type { WorkSettings } from './options.js';
import type { FetchedPage, FollowResult } from '../crawl/follow.js';

export interface WorkerTopics {
  urls: string;
  pages: string;
  errors: string;
  dlq: string;
  metrics: string;
}

/** The work settings startWorker needs as they are (see options.ts for their docs and defaults). */
type TunedSettings = Pick<WorkSettings,
  'group' | 'concurrency' | 'perHostConcurrency' | 'lookahead' | 'commitEveryMessages' | 'commitIntervalMs'
  | 'shutdownTimeoutMs' | 'stallTimeoutMs'>;
/** Settings startWorker may go without: WORK_DEFAULTS fills the byte bounds, the others mean "no limit"/"never". */
type OptionalSettings = Partial<Pick<WorkSettings, 'maxMessages' | 'idleExitMs' | 'maxPendingBytes' | 'maxRecordBytes'>>;

export interface WorkerOptions extends TunedSettings, OptionalSettings {
  consumerConfig: KafkaConfig;
  producer: Producer;
  logger: Logger;
  topics: WorkerTopics;
  /** Written into every record this worker produces. */
  workerId: string;
  limiter: Limiter;
  /** The rate rules a URL must pass (its host's, and its customer's when configured). */
  rulesFor(envelope: UrlEnvelope, host: string): readonly RateRule[];
  /**
   * A host's robots.txt Crawl-delay in ms when known; the politeness gate raises the host's interval to it.
   * Without it the rules are used as they are.
   */
  crawlDelayMs?(host: string): number | undefined;
  /**
   * Fetches a URL. Must not throw: failures are outcomes. It must call `hooks.sent` when each request left and
   * `hooks.beforeRequest` before every request after the first (robots.txt, redirects): see RequestHooks.
   */
  fetch(envelope: UrlEnvelope, opts: { signal: AbortSignal; hooks: RequestHooks }): Promise<FetchOutcome>;
  /** How long a revocation waits for the revoked partitions' in-flight work (run-work: min(10 s, shutdown timeout)). */
  revokeTimeoutMs: number;
  /**
   * Reads the urls topic's high watermarks of these partitions (all when omitted), for the watchdog and the
   * idle check (committed offsets come from the consumer itself). With `from` (committed offsets): a partition
   * whose records from there on are only transaction markers or aborted records (a transactional producer's
   * last commit marker sits below every watermark) reports `from` as its end, so it does not count as lag.
   */
  readHighWatermarks(partitions?: number[], from?: Map<number, number>): Promise<Map<number, number>>;
  /**
   * How long a result's send waits for its delivery report before it is sent again (run-work: settleBoundMs of
   * the results producer's config). @default ResultSink's
   */
  deliveryReportTimeoutMs?: number;
  /** Told when a URL's outcome is delivered (the fair partitioner's depth counters go down). */
  onUrlFinished?(envelope: UrlEnvelope): void;
  /**
   * --follow: the crawl step (src/crawl/follow.ts), run on every page; the URLs it queues are delivered with the
   * page's records (in its transaction with --eos) before the page's offset is finished.
   */
  follow?(envelope: UrlEnvelope, page: FetchedPage): Promise<FollowResult>;
  /** --follow: a recrawled URL answered 304 (counted in its crawl's stats; nothing else to do: no body, no links). */
  notModified?(envelope: UrlEnvelope): void;
  /** --follow: true when the URL's crawl was stopped (`crawl stop`): intake drops it unfetched. */
  isStopped?(envelope: UrlEnvelope): boolean;
  /**
   * Exactly-once mode: results are held and committed with the offsets in transactions (see transactor.ts);
   * `commitEveryMessages`/`commitIntervalMs` then size the transactions. Without it, results are delivered at
   * once and offsets committed after them (at-least-once).
   */
  transactor?: Transactor;
}

/** A consumed message on its way to an outcome: where its offset is tracked, and its envelope when it parsed. */
export interface TrackedMessage {
  partition: number;
  offset: number;
  offsets: PartitionOffsets;
  envelope?: UrlEnvelope;
}

/** A parsed URL queued for its host. */
export interface WorkItem extends TrackedMessage {
  host: string;
  envelope: UrlEnvelope;
}

export interface WorkerHandle {
  /** Graceful stop: no new work, finish in-flight within the deadline, deliver, commit, leave the group. */
  stop(reason?: string): Promise<void>;
  /** Replace the consumer without losing or skipping anything (the watchdog's remedy; also SIGUSR2). */
  restartConsumer(reason: string): Promise<void>;
  /** Resolves when the worker has stopped. */
  done: Promise<void>;
  stats: WorkerStats;
  gauges(): { inFlight: number; queued: number; hosts: number; pausedPartitions: number; assigned: number };
}
