/**
 * The crawl parts a `work --follow` process runs with, opened once: the dedupe store (Redis with `--redis`, else
 * per process), the stop flags and the crawl step. The worker only calls `follow` and `isStopped`.
 */
import type { Logger } from '../log.js';
import { createPartitioner } from '../partition/partitioner.js';
import { connectRedis } from '../ratelimit/redis-client.js';
import type { UrlEnvelope } from '../records/index.js';
import type { RedirectCheck } from '../fetch/types.js';
import { CrawlFollower, crawlOf, type FetchedPage, type FollowResult } from './follow.js';
import { CRAWL_DEFAULTS, type CrawlSettings } from './options.js';
import { CRAWL_STORE_DEFAULTS, MemoryCrawlStore, RedisCrawlStore, type CrawlLimits, type CrawlStore } from './store.js';
import { StopFlags } from './stop-flags.js';

export interface OpenCrawl {
  follow(envelope: UrlEnvelope, page: FetchedPage): Promise<FollowResult>;
  /** The fetcher's check of a crawl URL's redirects: in scope, and claimed (follow.ts). */
  checkRedirect(envelope: UrlEnvelope): RedirectCheck;
  isStopped(envelope: UrlEnvelope): boolean;
  /** A recrawled URL answered 304: counted as `not-modified` in its crawl's stats (batched). */
  notModified(envelope: UrlEnvelope): void;
  /** Claims shared with every worker (Redis) or per process. */
  shared: boolean;
  close(): Promise<void>;
}

export function crawlLimitsOf(s: Pick<CrawlSettings, 'maxPages' | 'maxPagesPerHost' | 'refetchAfterMs' | 'crawlTtlMs'>): CrawlLimits {
  // A recrawl needs the claims to outlive the refetch interval.
  const ttlSec = Math.max(Math.ceil(s.crawlTtlMs / 1000), Math.ceil((2 * s.refetchAfterMs) / 1000));
  return { ...CRAWL_STORE_DEFAULTS, maxPages: s.maxPages, maxPagesPerHost: s.maxPagesPerHost, refetchAfterSec: Math.ceil(s.refetchAfterMs / 1000), ttlSec };
}


export async function openCrawl(opts: {
  settings: CrawlSettings; redisUrl: string | undefined; topicPrefix: string; urlsTopic: string; partitions: () => number; logger: Logger;
}): Promise<OpenCrawl> {
  const limits = crawlLimitsOf(opts.settings);
  const redis = opts.redisUrl ? await connectRedis(opts.redisUrl, 5_000) : undefined;
  const store: CrawlStore = redis ? new RedisCrawlStore({ redis, keyPrefix: opts.topicPrefix, limits }) : new MemoryCrawlStore(limits);
  if (!redis) opts.logger.info('--follow without --redis: discovered URLs are deduplicated per process only (run one worker, or give --redis)');
  const stops = new StopFlags({ store, maxAgeMs: CRAWL_DEFAULTS.stopCacheMs, logger: opts.logger });
  const follower = new CrawlFollower({
    settings: opts.settings, store, partition: createPartitioner('host'), urlsTopic: opts.urlsTopic, partitions: opts.partitions, now: () => Date.now(),
  });
  return {
    follow: (envelope, page) => follower.follow(envelope, page),
    checkRedirect: (envelope) => follower.checkRedirect(envelope),
    isStopped: (envelope) => {
      const { crawlId } = crawlOf(envelope);
      if (!stops.isStopped(crawlId)) return false;
      stops.countDropped(crawlId);
      return true;
    },
    notModified: (envelope) => stops.countLater(crawlOf(envelope).crawlId, 'not-modified'),
    shared: store.shared,
    close: async () => {
      await stops.close();
      redis?.disconnect();
    },
  };
}
