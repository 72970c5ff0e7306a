/**
 * The crawl settings of `kscrape work --follow`, declared once: commands/work.ts shows these defaults in
 * `--help` and maps the flags onto `CrawlSettings`.
 */
import type { ScopeMode } from './scope.js';
import { TRAP_DEFAULTS, type TrapLimits } from './traps.js';

export const CRAWL_DEFAULTS = {
  /** Which links belong to the crawl, judged against the URL's seed (--scope). @default 'host' */
  scope: 'host' as ScopeMode,
  /**
   * Links deeper than this are not followed (--max-depth; seeds are 0). An infinite calendar ends here.
   * @default 20 (Heritrix's max-hops)
   */
  maxDepth: 20,
  /** URLs queued per host and crawl at most, 0 = no cap (--max-pages-per-host). @default 0 */
  maxPagesPerHost: 0,
  /** URLs queued per crawl at most, seeds included, 0 = no cap (--max-pages). @default 0 */
  maxPages: 0,
  /** A URL may be queued again this long after its last claim or fetch, 0 = never (--refetch-after). @default 0 */
  refetchAfterMs: 0,
  /** The crawl's Redis keys expire this long after their last write (--crawl-ttl). @default 7 days */
  crawlTtlMs: 7 * 86_400_000,
  /** Follow rel=nofollow links (--ignore-nofollow). @default false */
  ignoreNofollow: false,
  /** Ignore `<meta name=robots>` and X-Robots-Tag nofollow/noindex (--ignore-robots-meta). @default false */
  ignoreRobotsMeta: false,
  /** Links kept per page at most (--max-links-per-page). @default 5000 */
  maxLinksPerPage: 5000,
  /** Crawl id of a URL produced without one (`produce` without --crawl). @default 'default' */
  defaultCrawlId: 'default',
  /** How long a crawl's stop flag is cached by a worker. @default 1000 (1 s) */
  stopCacheMs: 1_000,
};

export interface CrawlSettings {
  scope: ScopeMode;
  include: RegExp[];
  exclude: RegExp[];
  maxDepth: number;
  maxPagesPerHost: number;
  maxPages: number;
  refetchAfterMs: number;
  crawlTtlMs: number;
  ignoreNofollow: boolean;
  ignoreRobotsMeta: boolean;
  maxLinksPerPage: number;
  traps: TrapLimits;
}

export function defaultCrawlSettings(over: Partial<CrawlSettings> = {}): CrawlSettings {
  const { defaultCrawlId: _id, stopCacheMs: _stop, ...rest } = CRAWL_DEFAULTS;
  return { ...rest, include: [], exclude: [], traps: TRAP_DEFAULTS, ...over };
}
