/**
 * The one way commands get a limiter: in-process without Redis, otherwise Redis behind the fallback circuit.
 * The worker codes against `Limiter` (plus stats() for its metrics) and never knows which it has.
 */
import type { Redis } from 'ioredis';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { FallbackLimiter, type LimiterStats, type StatsLimiter } from './fallback-limiter.js';
import type { AcquireResult, RateRule } from './limiter.js';
import { MemoryLimiter } from './memory-limiter.js';
import { createRedis } from './redis-client.js';
import { RedisLimiter, limiterKeyPrefix } from './redis-limiter.js';

export interface CreateLimiterOptions {
  /** Without it the limiter is in-process only. */
  redisUrl?: string;
  /** The pipeline's topic prefix; keys go under limiterKeyPrefix(prefix). */
  prefix: string;
  /** --redis-required: pause instead of falling back while Redis is away. */
  required: boolean;
  /** Live workers in the consumer group (the fallback divides rates by it). */
  liveWorkers: () => number;
  logger: Logger;
  /** @default 250 */
  deadlineMs?: number;
  /** @default 2000 */
  probeEveryMs?: number;
}

/** Resolves once Redis answers or after a short wait (then the first call opens the circuit). */
export async function createLimiter(opts: CreateLimiterOptions): Promise<StatsLimiter> {
  if (!opts.redisUrl) {
    if (opts.required) throw new UserError('--redis-required needs --redis <url> (or KSCRAPE_REDIS_URL)', 'usage.redis-required');
    return new CountingMemoryLimiter();
  }
  const deadlineMs = opts.deadlineMs ?? 250;
  // No offline queue: while disconnected a call fails at once (→ fallback) instead of piling up to be
  // replayed later; ioredis keeps reconnecting in the background and the circuit's probe finds it.
  const redis = createRedis(opts.redisUrl, {
    lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: deadlineMs * 4, connectTimeout: 2_000,
  });
  await whenReady(redis, 2_000);
  const primary = new RedisLimiter({ redis, keyPrefix: limiterKeyPrefix(opts.prefix) });
  return new FallbackLimiter({
    primary, required: opts.required, liveWorkers: opts.liveWorkers, logger: opts.logger, deadlineMs, probeEveryMs: opts.probeEveryMs,
  });
}

function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); redis.off('ready', done); resolve(); };
    const timer = setTimeout(done, timeoutMs);
    redis.once('ready', done);
  });
}

/** The in-process limiter with the same counters, so metrics code needs no special case. */
class CountingMemoryLimiter extends MemoryLimiter implements StatsLimiter {
  private grants = 0;
  private waits = 0;

  override async tryAcquire(rules: readonly RateRule[]): Promise<AcquireResult> {
    const answer = this.acquireNow(rules);
    if (answer.granted) this.grants++;
    else this.waits++;
    return answer;
  }

  stats(): LimiterStats {
    return {
      mode: 'memory', grants: this.grants, waits: this.waits,
      redisErrors: 0, redisTimeouts: 0, fallbackActivations: 0, fallbackGrants: 0, pausedRefusals: 0,
    };
  }
}
