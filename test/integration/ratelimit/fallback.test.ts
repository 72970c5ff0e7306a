/**
 * Redis stopped in the middle of a run and restarted on the same port (a private redis-server: the shared
 * one is never touched). The limiter keeps granting, locally, within rate / live workers while Redis is
 * down, and goes back to Redis once it answers; `required` pauses instead.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { createLimiter } from '../../../src/ratelimit/create-limiter.js';
import type { StatsLimiter } from '../../../src/ratelimit/fallback-limiter.js';
import { limiterKeyPrefix } from '../../../src/ratelimit/redis-limiter.js';
import { createLogger } from '../../../src/log.js';
import { startPrivateRedis, type PrivateRedis } from '../../helpers/redis-server.js';
import { uniqueName } from '../../helpers/env.js';

let server: PrivateRedis;
beforeAll(async () => { server = await startPrivateRedis(); });
afterAll(async () => { await server.stop(); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Asks like a worker would (sleeping the wait it is told) until `ms` passed; returns the admission times as the
 * limiter decided them (its clock, or Redis's). A clock read after the await can be late by however long this
 * process was not scheduled, several ms on a loaded machine, which would look like admissions too close.
 */
async function drive(limiter: StatsLimiter, key: string, intervalMs: number, ms: number): Promise<number[]> {
  const admitted: number[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const answer = await limiter.tryAcquire([{ key, intervalMs }]);
    if (answer.granted) admitted.push(answer.decidedAtMs ?? Date.now());
    else await sleep(Math.min(answer.retryAfterMs, Math.max(1, end - Date.now())));
  }
  return admitted;
}

describe('FallbackLimiter against a Redis that goes away', () => {
  test('keeps granting at rate / live workers while Redis is down, returns to Redis when it is back', async () => {
    const lines: string[] = [];
    const prefix = `${uniqueName('fb')}.`;
    const limiter = await createLimiter({
      redisUrl: server.url, prefix, required: false, liveWorkers: () => 2, probeEveryMs: 300, deadlineMs: 250,
      logger: createLogger({ write: (l) => lines.push(l) }),
    });
    const intervalMs = 50;
    try {
      const before = await drive(limiter, 'host:a', intervalMs, 500);
      expect(limiter.stats()).toMatchObject({ mode: 'redis', fallbackActivations: 0 });
      expect(before.length).toBeGreaterThan(0);

      await server.stop();
      const down = await drive(limiter, 'host:a', intervalMs, 1500);
      expect(limiter.stats().mode).toBe('fallback');
      // It keeps going (no work stops) but within the fallback rate: interval × 2 workers = 100 ms apart.
      expect(down.length).toBeGreaterThan(0);
      expect(down.length).toBeLessThanOrEqual(Math.floor(1500 / (intervalMs * 2)) + 1);
      for (let i = 1; i < down.length; i++) expect(down[i]! - down[i - 1]!).toBeGreaterThanOrEqual(intervalMs * 2);

      await server.start();
      const deadline = Date.now() + 10_000;
      while (limiter.stats().mode !== 'redis' && Date.now() < deadline) await drive(limiter, 'host:a', intervalMs, 200);
      const stats = limiter.stats();
      expect(stats).toMatchObject({ mode: 'redis', fallbackActivations: 1 });
      expect(stats.redisErrors).toBeGreaterThanOrEqual(1);
      expect(stats.fallbackGrants).toBeGreaterThanOrEqual(down.length);
      // Decisions are Redis's again: the key exists on the restarted server.
      const check = new Redis(server.url);
      try {
        await drive(limiter, 'host:a', intervalMs, 200);
        expect(await check.exists(`${limiterKeyPrefix(prefix)}host:a`)).toBe(1);
      } finally {
        check.disconnect();
      }
      expect(lines.filter((l) => l.includes('Redis limiter unavailable'))).toHaveLength(1);
      expect(lines.filter((l) => l.includes('answers again'))).toHaveLength(1);
    } finally {
      await limiter.close();
    }
  }, 30_000);

  test('--redis-required: no admissions while Redis is down, a wait until the next probe, then back', async () => {
    const limiter = await createLimiter({
      redisUrl: server.url, prefix: `${uniqueName('fbr')}.`, required: true, liveWorkers: () => 1, probeEveryMs: 300,
      logger: createLogger({ level: 'quiet' }),
    });
    try {
      expect((await limiter.tryAcquire([{ key: 'host:b', intervalMs: 10 }])).granted).toBe(true);
      await server.stop();
      const down = await drive(limiter, 'host:b', 10, 800);
      expect(down).toHaveLength(0);
      const stats = limiter.stats();
      expect(stats.mode).toBe('paused');
      // Told to come back at the next probe: a handful of calls, not a busy loop.
      expect(stats.pausedRefusals).toBeLessThan(20);
      await server.start();
      const deadline = Date.now() + 10_000;
      let back: number[] = [];
      while (back.length === 0 && Date.now() < deadline) back = await drive(limiter, 'host:b', 10, 200);
      expect(back.length).toBeGreaterThan(0);
      expect(limiter.stats().mode).toBe('redis');
    } finally {
      await limiter.close();
    }
  }, 30_000);
});
