/**
 * The work settings, declared once. `WORK_DEFAULTS` is the one answer to "what does this setting default to":
 * commander's `.default(...)` (and so `--help`) shows it through `flagDefault`, the flag parsing in
 * commands/work.ts maps the flags onto `WorkSettings`, and the worker's own options (worker/types.ts) pick
 * their fields from here instead of declaring them again.
 */
import type { FetcherOptions } from '../fetch/index.js';
import type { RateConfig } from '../ratelimit/rules.js';
import { flagText } from '../units.js';
import type { CrawlSettings } from '../crawl/options.js';

const MiB = 1024 * 1024;

export const WORK_DEFAULTS = {
  /** Consumer group; every worker of one pipeline uses the same. @default 'scrapers' */
  group: 'scrapers',
  /** Fetches in flight at once, over all hosts. @default 64 */
  concurrency: 64,
  /** Fetches in flight at once to one host. @default 1 */
  perHostConcurrency: 1,
  /** Unfinished URLs held per partition before it is paused (resumed at half): the memory bound. @default 1000 */
  lookahead: 1000,
  /** Commit after this many finished URLs... (with --eos: replaced by `txnMaxMessages`). @default 1000 */
  commitEveryMessages: 1000,
  /** ...or after this long, whichever comes first (with --eos: replaced by `txnMaxMs`). @default 5000 (5 s) */
  commitIntervalMs: 5_000,
  /** On SIGINT/SIGTERM, how long in-flight fetches and deliveries may take to finish. @default 30000 (30 s) */
  shutdownTimeoutMs: 30_000,
  /** Restart the consumer when it delivered nothing for this long while its partitions have lag. @default 60000 (60 s) */
  stallTimeoutMs: 60_000,
  /** 'consumer' uses KIP-848 (Kafka 4 brokers); 'classic' uses cooperative-sticky. @default 'classic' */
  groupProtocol: 'classic' as 'classic' | 'consumer',
  /** Address the metrics server listens on (when a metrics port is given). @default '0.0.0.0' */
  metricsHost: '0.0.0.0',
  /** How often a status line is logged when stderr is not a terminal. @default 10000 (10 s) */
  statusIntervalMs: 10_000,
  /** Largest result record; a bigger page's body is cut to fit. @default 4 MiB */
  maxRecordBytes: 4 * MiB,
  /**
   * Results handed to the producer and not yet acknowledged, in bytes, before fetching waits for the broker
   * (`--delivery-buffer`). Bounds memory with large pages or a slow broker; librdkafka holds a copy of each
   * until it is acknowledged, so memory for them is up to twice this. @default 32 MiB
   */
  maxPendingBytes: 32 * MiB,
  /** Exactly-once results (transactions); needs a stable worker id. @default false */
  eos: false,
  /** With --eos: URLs per transaction at most (replaces `commitEveryMessages`). @default 500 */
  txnMaxMessages: 500,
  /** With --eos: a transaction is committed at least this often (replaces `commitIntervalMs`). @default 1000 (1 s) */
  txnMaxMs: 1_000,
};

export type WorkDefaults = typeof WORK_DEFAULTS;

/** Everything `kscrape work` runs with: the defaulted settings above, the optional ones, and the derived ones. */
export interface WorkSettings extends Omit<WorkDefaults, 'txnMaxMessages' | 'txnMaxMs'> {
  /** Name written into every record. @default '<hostname>-<pid>' (run-work.ts) */
  workerId: string | undefined;
  /** Stop after consuming (and finishing) this many messages. @default no limit */
  maxMessages: number | undefined;
  /** Stop when nothing arrived for this long, nothing is pending and the group committed the whole topic. @default never */
  idleExitMs: number | undefined;
  /** Serve Prometheus metrics on this port at /metrics. @default off */
  metricsPort: number | undefined;
  /** The rate rules (--host-delay, --host-rate, ...): see ratelimit/rules.ts. */
  rate: RateConfig;
  /** Fail at start when Redis is unreachable instead of limiting per process. */
  redisRequired: boolean;
  /** The fetcher's settings (fetch/flags.ts). */
  fetcher: Partial<FetcherOptions>;
  /** --follow: crawl the links of every page (src/crawl/options.ts). @default off */
  follow?: CrawlSettings | undefined;
}

/** The fields given in milliseconds and in bytes, so their flag defaults are written as a user types them. */
type DurationKey = 'commitIntervalMs' | 'shutdownTimeoutMs' | 'stallTimeoutMs' | 'statusIntervalMs' | 'txnMaxMs';
type SizeKey = 'maxRecordBytes' | 'maxPendingBytes';
type CountKey = 'concurrency' | 'perHostConcurrency' | 'lookahead' | 'commitEveryMessages' | 'txnMaxMessages';
type TextKey = 'group' | 'groupProtocol' | 'metricsHost';

/**
 * A default as the flag's text (`5s`, `32MiB`, `64`), for commander's `.default(...)`: the flag parsers read it
 * back to exactly the value in WORK_DEFAULTS, and `--help` shows what a user would type.
 */
export function flagDefault(key: DurationKey | SizeKey | CountKey | TextKey): string {
  return flagText(key, WORK_DEFAULTS[key]);
}
