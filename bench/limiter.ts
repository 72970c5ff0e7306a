/**
 * `npm run bench -- limiter [--quick]`: kscrape's Redis GCRA limiter against rate-limiter-flexible's
 * RateLimiterRedis on the same Redis, in the same run.
 *
 * 1. Speed: `callers` concurrent callers in one process, each acquisition on one of many keys (so both do
 *    their full read-modify-write path); acquisitions per second and p50/p99 latency.
 * 2. Accuracy: several processes × 16 callers hammer ONE key limited to R per second for T seconds; a refused
 *    caller sleeps the wait it is told. "Allowed" is R in any 1-second window (the meaning of "R/s"); the
 *    figure is the busiest 1-second window / R. rate-limiter-flexible is configured as its README shows for
 *    Redis (points: R, duration: 1) — a fixed window, which admits R at the end of one window and R more at
 *    the start of the next. kscrape's times are the Redis server times of the decisions; rate-limiter-flexible
 *    does not return one, so its times are the callers' clocks (jitter of a few ms cannot turn 2R into R).
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RedisLimiter } from '../src/ratelimit/redis-limiter.js';
import type { BenchOptions } from './index.js';
import { minGap, peakInWindow, runHammer } from './_hammer-run.js';

const redisUrl = process.env.KSCRAPE_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runId = `bench-${Date.now().toString(36)}`;

interface Speed { perSec: number; p50: number; p99: number; calls: number }

async function speed(name: 'kscrape' | 'flexible', seconds: number, callers: number): Promise<Speed> {
  const redis = new Redis(redisUrl);
  await redis.ping();
  const keys = 10_000;
  let acquire: (i: number) => Promise<unknown>;
  if (name === 'kscrape') {
    const limiter = new RedisLimiter({ redis, keyPrefix: `${runId}:k:`, ownsClient: false });
    acquire = (i) => limiter.tryAcquire([{ key: `host:h${i % keys}`, intervalMs: 1 }]);
  } else {
    const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${runId}:f`, points: 1000, duration: 1 });
    acquire = (i) => limiter.consume(`host:h${i % keys}`, 1).catch((err: unknown) => {
      if (!(err instanceof RateLimiterRes)) throw err;
    });
  }
  const latencies: number[] = [];
  let n = 0;
  const warmupEnd = performance.now() + 1000;
  const end = warmupEnd + seconds * 1000;
  let measuredStart = 0;
  await Promise.all(Array.from({ length: callers }, async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      await acquire(n++);
      const t1 = performance.now();
      if (t0 >= warmupEnd) {
        if (!measuredStart) measuredStart = t0;
        latencies.push(t1 - t0);
      }
    }
  }));
  redis.disconnect();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { perSec: latencies.length / seconds, p50: q(0.5), p99: q(0.99), calls: latencies.length };
}

async function accuracy(impl: 'kscrape' | 'flexible', seconds: number, processes: number, ratePerSec: number) {
  const run = await runHammer({
    impl, redisUrl, keyPrefix: `${runId}:acc:${impl}:`, key: 'host:hammered.example', ratePerSec, burst: 0,
    callers: 16, processes, durationMs: seconds * 1000,
  });
  const times = run.admittedAt;
  const peak = peakInWindow(times, 1000);
  return {
    admitted: times.length, allowedTotal: ratePerSec * seconds + 1, peak, peakRatio: peak / ratePerSec,
    totalRatio: times.length / (ratePerSec * seconds + 1), minGapMs: minGap(times), calls: run.calls, clock: run.clock,
  };
}

const f = (x: number, d = 0) => x.toFixed(d);

export async function run({ quick }: BenchOptions): Promise<void> {
  const seconds = quick ? 3 : 10;
  const callers = 64;
  const processes = quick ? 4 : 8;
  const rate = 10;
  process.stderr.write(`limiter: Redis ${redisUrl.replace(/:[^:@/]*@/, ':[redacted]@')}, ${callers} callers, ${seconds} s per measurement\n`);

  // Alternate (k, f, k, f) so a drift in machine load does not favour either; keep the mean.
  const speeds: Record<string, Speed[]> = { kscrape: [], flexible: [] };
  for (let round = 0; round < (quick ? 1 : 2); round++) {
    for (const name of ['kscrape', 'flexible'] as const) speeds[name]!.push(await speed(name, seconds, callers));
  }
  const mean = (xs: Speed[], k: keyof Speed) => xs.reduce((s, x) => s + x[k], 0) / xs.length;
  const k = { perSec: mean(speeds.kscrape!, 'perSec'), p50: mean(speeds.kscrape!, 'p50'), p99: mean(speeds.kscrape!, 'p99') };
  const fl = { perSec: mean(speeds.flexible!, 'perSec'), p50: mean(speeds.flexible!, 'p50'), p99: mean(speeds.flexible!, 'p99') };

  process.stderr.write(`limiter: accuracy, ${processes} processes × 16 callers, one key at ${rate}/s for ${seconds} s\n`);
  const ka = await accuracy('kscrape', seconds, processes, rate);
  const fa = await accuracy('flexible', seconds, processes, rate);

  const out = [
    `| measure | kscrape (GCRA, Lua) | rate-limiter-flexible (RateLimiterRedis) | ratio kscrape/peer |`,
    `|---|---|---|---|`,
    `| acquisitions/s (${callers} callers, 1 process) | ${f(k.perSec)} | ${f(fl.perSec)} | ${f(k.perSec / fl.perSec, 2)} |`,
    `| latency p50 (ms) | ${f(k.p50, 2)} | ${f(fl.p50, 2)} | ${f(k.p50 / fl.p50, 2)} |`,
    `| latency p99 (ms) | ${f(k.p99, 2)} | ${f(fl.p99, 2)} | ${f(k.p99 / fl.p99, 2)} |`,
    `| busiest 1-s window / allowed (${rate}/s) | ${f(ka.peakRatio, 2)} (${ka.peak}) | ${f(fa.peakRatio, 2)} (${fa.peak}) | |`,
    `| admitted / allowed over ${seconds} s (${rate}×${seconds}+1) | ${f(ka.totalRatio, 2)} (${ka.admitted}) | ${f(fa.totalRatio, 2)} (${fa.admitted}) | |`,
    `| smallest gap between admissions (ms; interval ${1000 / rate}) | ${f(ka.minGapMs, 3)} (${ka.clock} clock) | ${f(fa.minGapMs, 3)} (${fa.clock} clock) | |`,
    `| limiter calls during the accuracy run | ${ka.calls} | ${fa.calls} | |`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  await cleanUp();
}

/** Removes this run's keys (the accuracy keys expire on their own within a second anyway). */
async function cleanUp(): Promise<void> {
  const redis = new Redis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${runId}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}
