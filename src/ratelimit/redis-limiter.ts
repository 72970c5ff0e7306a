/**
 * The shared limiter: one Lua script call per acquisition over all of a URL's rules, decided atomically on
 * the Redis server's clock. Every worker of every machine sees the same TATs, so a host's interval holds
 * however the URLs are spread over partitions and processes.
 */
import type { Redis } from 'ioredis';
import type { AcquireResult, HoldKind, Limiter, RateRule } from './limiter.js';
import { ACQUIRE_LUA, HOLD_LUA, INSPECT_LUA } from './gcra-lua.js';

/** Where a pipeline's limiter keys live: under its topic prefix, so pipelines can share one Redis. */
export function limiterKeyPrefix(topicPrefix: string): string {
  return `${topicPrefix}kscrape:rl:`;
}

/**
 * Where the retry-after markers of the keys under `keyPrefix` live: beside them (`…kscrape:rh:`), not under
 * them, so that a scan of the limiter's keys does not list them.
 */
export function retryAfterKeyPrefix(keyPrefix: string): string {
  return keyPrefix.endsWith('rl:') ? `${keyPrefix.slice(0, -3)}rh:` : `${keyPrefix}\u0000rh:`;
}

type Reply = [number, number, number];

/** The commands defineCommand adds to the client. */
export interface LimiterCommands {
  kscrapeAcquire(numKeys: number, ...args: (string | number)[]): Promise<Reply>;
  kscrapeHold(key: string, marker: string, delayMs: number, fromServer: 0 | 1): Promise<number>;
  kscrapeInspect(numKeys: number, ...keys: string[]): Promise<[number, ...[string, number][]]>;
}

/** Registers the scripts once per client (ioredis sends EVALSHA and falls back to EVAL after a restart). */
export function withLimiterCommands(redis: Redis): Redis & LimiterCommands {
  const r = redis as Redis & Partial<LimiterCommands>;
  if (typeof r.kscrapeAcquire !== 'function') {
    redis.defineCommand('kscrapeAcquire', { lua: ACQUIRE_LUA });
    redis.defineCommand('kscrapeHold', { numberOfKeys: 2, lua: HOLD_LUA });
    redis.defineCommand('kscrapeInspect', { lua: INSPECT_LUA });
  }
  return redis as Redis & LimiterCommands;
}

export interface RedisLimiterOptions {
  redis: Redis;
  /** Prepended to every rule key, see limiterKeyPrefix(). */
  keyPrefix: string;
  /** Whether close() should disconnect the client. @default true */
  ownsClient?: boolean;
}

export class RedisLimiter implements Limiter {
  private readonly redis: Redis & LimiterCommands;
  private readonly keyPrefix: string;
  private readonly ownsClient: boolean;

  constructor(opts: RedisLimiterOptions) {
    this.redis = withLimiterCommands(opts.redis);
    this.keyPrefix = opts.keyPrefix;
    this.ownsClient = opts.ownsClient ?? true;
  }

  async tryAcquire(rules: readonly RateRule[]): Promise<AcquireResult> {
    if (rules.length === 0) return { granted: true, retryAfterMs: 0 };
    const args: (string | number)[] = rules.map((r) => this.keyPrefix + r.key);
    args.push(1);
    for (const r of rules) args.push(r.intervalMs, r.burst ?? 0);
    const [granted, retryAfterMs, serverNowUs] = await this.redis.kscrapeAcquire(rules.length, ...args);
    return { granted: granted === 1, retryAfterMs, decidedAtMs: serverNowUs / 1000 };
  }

  async holdOff(key: string, delayMs: number, kind: HoldKind = 'retry-after'): Promise<void> {
    await this.redis.kscrapeHold(this.keyPrefix + key, retryAfterKeyPrefix(this.keyPrefix) + key, Math.max(0, delayMs), kind === 'retry-after' ? 1 : 0);
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.redis.disconnect();
  }
}
