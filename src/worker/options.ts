/**
 * The work settings, declared once. `WORK_DEFAULTS` is the one answer to "what does this setting default to"
 * (the consumer plumbing's settings, shared with `extract`, are consumer-command/settings.ts's):
 * commander's `.default(...)` (and so `--help`) shows it through `flagDefault`, the flag parsing in
 * commands/work.ts maps the flags onto `WorkSettings`, and the worker's own options (worker/types.ts) pick
 * their fields from here instead of declaring them again.
 */
import type { FetcherOptions } from '../fetch/index.js';
import type { RateConfig } from '../ratelimit/rules.js';
import { flagText } from '../units.js';
import type { CrawlSettings } from '../crawl/options.js';
import { CONSUMER_DEFAULTS, type ConsumerSettings } from '../consumer-command/settings.js';


export const WORK_DEFAULTS = {
  /** Consumer group; every worker of one pipeline uses the same. @default 'scrapers' */
  group: 'scrapers',
  /** Fetches in flight at once, over all hosts. @default 64 */
  concurrency: 64,
  /** Fetches in flight at once to one host. @default 1 */
  perHostConcurrency: 1,
  /** Unfinished URLs held per partition before it is paused (resumed at half): the memory bound. @default 1000 */
  lookahead: 1000,
  ...CONSUMER_DEFAULTS,
};

export type WorkDefaults = typeof WORK_DEFAULTS;

/** Everything `kscrape work` runs with: the defaulted settings above, the optional ones, and the derived ones. */
export interface WorkSettings extends ConsumerSettings, Omit<WorkDefaults, 'txnMaxMessages' | 'txnMaxMs'> {
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
