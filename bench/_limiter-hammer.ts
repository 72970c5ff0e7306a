/**
 * One hammering process for the limiter's accuracy test and benchmark (not a benchmark itself: the leading
 * underscore hides it from bench/index.ts). `callers` concurrent loops ask for one key until `endAt`; a
 * refused caller sleeps exactly the wait it was told (no polling). Prints one JSON line: the admission times.
 *
 *   node dist/bench/_limiter-hammer.js '{"impl":"kscrape","redisUrl":"redis://127.0.0.1:6379",...}'
 */
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RedisLimiter } from '../src/ratelimit/redis-limiter.js';

export interface HammerJob {
  impl: 'kscrape' | 'flexible';
  redisUrl: string;
  keyPrefix: string;
  key: string;
  /** Admissions allowed per second (kscrape: interval 1000/rate; rate-limiter-flexible: points per 1 s). */
  ratePerSec: number;
  burst: number;
  callers: number;
  /** How long to hammer, from the common start. */
  durationMs: number;
}

/** Sent on stdin once every process is connected, so slow process start-up never eats into the run. */
export interface HammerGo {
  startAt: number;
}

export interface HammerResult {
  /** Admission times on the deciding clock (Redis server time) when known, else this process's clock. */
  admittedAt: number[];
  clock: 'redis-server' | 'client';
  calls: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Acquire = () => Promise<{ granted: boolean; waitMs: number; at: number }>;

function kscrapeAcquire(redis: Redis, job: HammerJob): Acquire {
  const limiter = new RedisLimiter({ redis, keyPrefix: job.keyPrefix, ownsClient: false });
  const rules = [{ key: job.key, intervalMs: 1000 / job.ratePerSec, burst: job.burst }];
  return async () => {
    const r = await limiter.tryAcquire(rules);
    return { granted: r.granted, waitMs: r.retryAfterMs, at: r.decidedAtMs ?? Date.now() };
  };
}

/** rate-limiter-flexible as its README shows it for Redis: points per duration (a fixed window), ioredis client. */
function flexibleAcquire(redis: Redis, job: HammerJob): Acquire {
  const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: job.keyPrefix, points: job.ratePerSec, duration: 1 });
  return async () => {
    try {
      await limiter.consume(job.key, 1);
      return { granted: true, waitMs: 0, at: Date.now() };
    } catch (err) {
      if (err instanceof RateLimiterRes) return { granted: false, waitMs: Math.max(1, err.msBeforeNext), at: Date.now() };
      throw err;
    }
  };
}

export async function hammer(job: HammerJob, ready: () => Promise<HammerGo>): Promise<HammerResult> {
  const redis = new Redis(job.redisUrl, { maxRetriesPerRequest: 1 });
  const acquire = job.impl === 'kscrape' ? kscrapeAcquire(redis, job) : flexibleAcquire(redis, job);
  const admittedAt: number[] = [];
  let calls = 0;
  await redis.ping();
  const { startAt } = await ready();
  const endAt = startAt + job.durationMs;
  await sleep(Math.max(0, startAt - Date.now()));
  const caller = async () => {
    while (Date.now() < endAt) {
      calls++;
      const r = await acquire();
      if (r.granted) admittedAt.push(r.at);
      else await sleep(Math.min(r.waitMs, Math.max(0, endAt - Date.now())));
    }
  };
  await Promise.all(Array.from({ length: job.callers }, caller));
  redis.disconnect();
  return { admittedAt, clock: job.impl === 'kscrape' ? 'redis-server' : 'client', calls };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ready = () => new Promise<HammerGo>((resolve) => {
    process.stdout.write('ready\n');
    let input = '';
    process.stdin.on('data', (d: Buffer) => {
      input += d.toString();
      if (input.includes('\n')) resolve(JSON.parse(input) as HammerGo);
    });
  });
  hammer(JSON.parse(process.argv[2] ?? '{}') as HammerJob, ready).then(
    (result) => { process.stdout.write(`${JSON.stringify(result)}\n`); },
    (err: Error) => { process.stderr.write(`hammer: ${err.message}\n`); process.exitCode = 1; },
  );
}
