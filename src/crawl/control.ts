/**
 * `kscrape crawl stats ID` and `kscrape crawl stop ID`: read a crawl's counters from Redis (written by the
 * workers, ./visit-script.ts) and set its stop flag (read by the workers, ./stop-flags.ts). Rendering is pure.
 */
import type { Redis } from 'ioredis';
import { crawlKeyPrefix } from './store.js';
import { CRAWL_DEFAULTS } from './options.js';

export interface CrawlStats {
  crawl_id: string;
  /** Pages fetched (at-least-once retries may count a page twice). */
  pages: number;
  /** URLs queued: seeds and discovered links produced to the urls topic, each once. */
  queued: number;
  /** Links already queued when found again. */
  seen: number;
  /** Links not followed, by reason (out-of-scope, depth, nofollow, path-repetition, host-cap, ...). */
  refused: Record<string, number>;
  /** Pages per depth. */
  depth: Record<string, number>;
  /** Pages per host, the busiest first (top N only). */
  top_hosts: { host: string; pages: number }[];
  /** Recrawled URLs the server said were unchanged (304 to the previous fetch's validators; not in `pages`). */
  not_modified: number;
  /** URLs dropped unfetched after `crawl stop`. */
  stopped_urls: number;
  stopped: boolean;
  /** Seconds until the crawl's keys expire (-2: nothing stored for this id). */
  expires_in_s: number;
}

export async function readCrawlStats(redis: Redis, topicPrefix: string, crawlId: string): Promise<CrawlStats> {
  const base = crawlKeyPrefix(topicPrefix, crawlId);
  const [hash, top, stop, ttl] = await Promise.all([
    redis.hgetall(`${base}stats`), redis.zrevrange(`${base}top`, 0, 19, 'WITHSCORES'), redis.exists(`${base}stop`), redis.ttl(`${base}stats`),
  ]);
  const refused: Record<string, number> = {};
  const depth: Record<string, number> = {};
  for (const [k, v] of Object.entries(hash)) {
    if (k.startsWith('refused:') && k !== 'refused:seen') refused[k.slice(8)] = Number(v);
    if (k.startsWith('depth:')) depth[k.slice(6)] = Number(v);
  }
  const topHosts: { host: string; pages: number }[] = [];
  for (let i = 0; i + 1 < top.length; i += 2) topHosts.push({ host: top[i]!, pages: Number(top[i + 1]) });
  return {
    crawl_id: crawlId, pages: Number(hash.pages ?? 0), queued: Number(hash.queued ?? 0), seen: Number(hash['refused:seen'] ?? 0),
    refused, depth, top_hosts: topHosts, not_modified: Number(hash['not-modified'] ?? 0), stopped_urls: Number(hash.stopped ?? 0), stopped: stop === 1, expires_in_s: ttl,
  };
}

/** Sets the stop flag for as long as the crawl's keys live (at least the default crawl TTL). */
export async function stopCrawl(redis: Redis, topicPrefix: string, crawlId: string): Promise<void> {
  const base = crawlKeyPrefix(topicPrefix, crawlId);
  const ttl = await redis.ttl(`${base}stats`);
  await redis.set(`${base}stop`, String(Date.now()), 'EX', Math.max(ttl, Math.ceil(CRAWL_DEFAULTS.crawlTtlMs / 1000)));
}

export function renderCrawlStats(s: CrawlStats): string {
  const lines = [
    `crawl ${s.crawl_id}${s.stopped ? ' (stopped)' : ''}: ${s.pages} pages fetched, ${s.queued} URLs queued, ${s.seen} links already queued`,
  ];
  if (s.not_modified) lines.push(`  not modified since the previous fetch (HTTP 304): ${s.not_modified} URLs`);
  if (s.expires_in_s === -2) lines.push('  nothing stored for this crawl id (wrong id or --topic-prefix, or its keys expired)');
  const refused = Object.entries(s.refused).sort((a, b) => b[1] - a[1]);
  if (refused.length) lines.push(`  refused: ${refused.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const depths = Object.entries(s.depth).sort((a, b) => Number(a[0]) - Number(b[0]));
  if (depths.length) lines.push(`  depth: ${depths.map(([d, n]) => `${d}: ${n}`).join(', ')}`);
  if (s.top_hosts.length) lines.push(`  top hosts: ${s.top_hosts.slice(0, 10).map((h) => `${h.host} ${h.pages}`).join(', ')}`);
  if (s.stopped || s.stopped_urls) lines.push(`  dropped after stop: ${s.stopped_urls} URLs`);
  return `${lines.join('\n')}\n`;
}
