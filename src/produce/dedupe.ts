/**
 * `--dedupe[=TTL]`: skip URLs produced to the same topic within the TTL, across runs and producers. Each URL
 * is claimed with `SET key 1 NX PX ttl` (one pipeline, one round trip, per batch); a URL whose claim exists is a
 * duplicate. Keys are a hash of the normalized URL under the pipeline's prefix, so a long URL costs Redis 27
 * bytes of key. A claimed URL that then fails to deliver is released again (`release`), so replaying the
 * fallback file (even with --dedupe) does not skip it.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export const DEFAULT_DEDUPE_TTL_MS = 24 * 3_600_000;

export function dedupeKeyPrefix(topicPrefix: string, topic: string): string {
  return `${topicPrefix}kscrape:seen:${topic}:`;
}

export class RedisDeduper {
  constructor(private readonly opts: { redis: Redis; keyPrefix: string; ttlMs: number }) {}

  key(url: string): string {
    return this.opts.keyPrefix + createHash('sha1').update(url).digest('base64url');
  }

  /** For each URL, true when it is new (and now claimed), false when it was produced within the TTL. */
  async claim(urls: readonly string[]): Promise<boolean[]> {
    if (urls.length === 0) return [];
    const pipeline = this.opts.redis.pipeline();
    for (const url of urls) pipeline.set(this.key(url), '1', 'PX', this.opts.ttlMs, 'NX');
    const replies = (await pipeline.exec()) ?? [];
    return urls.map((_, i) => {
      const [err, reply] = replies[i] ?? [new Error('no reply')];
      if (err) throw err;
      return reply === 'OK';
    });
  }

  /** Forgets claims of URLs that were not delivered. */
  async release(urls: readonly string[]): Promise<void> {
    for (let i = 0; i < urls.length; i += 1000) {
      await this.opts.redis.del(...urls.slice(i, i + 1000).map((u) => this.key(u)));
    }
  }
}
