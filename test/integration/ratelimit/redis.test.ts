import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisLimiter, limiterKeyPrefix, retryAfterKeyPrefix, withLimiterCommands } from '../../../src/ratelimit/redis-limiter.js';
import { gcraDecide, gcraHold, type GcraState } from '../../../src/ratelimit/gcra.js';
import { testRedisUrl, uniqueName } from '../../helpers/env.js';

let redis: Redis;
beforeAll(() => { redis = new Redis(testRedisUrl()); });
afterAll(() => { redis.disconnect(); });

function fresh() {
  const keyPrefix = limiterKeyPrefix(`${uniqueName('rl')}.`);
  return { keyPrefix, limiter: new RedisLimiter({ redis, keyPrefix, ownsClient: false }) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Redis GCRA limiter', () => {
  test('admits, then answers the exact wait; the key carries TAT, rule and a TTL', async () => {
    const { keyPrefix, limiter } = fresh();
    const rules = [{ key: 'host:a.example', intervalMs: 60_000 }];
    const first = await limiter.tryAcquire(rules);
    expect(first.granted).toBe(true);
    const second = await limiter.tryAcquire(rules);
    expect(second.granted).toBe(false);
    // The wait is measured on the server clock from the first admission's TAT.
    expect(second.retryAfterMs).toBe(Math.ceil(first.decidedAtMs! + 60_000 - second.decidedAtMs!));
    const [tat, interval, burst, hold] = (await redis.get(`${keyPrefix}host:a.example`))!.split(' ');
    expect(Number(tat)).toBeCloseTo(first.decidedAtMs! + 60_000, 2);
    expect([interval, burst, Number(hold)]).toEqual(['60000', '0', 0]);
    const ttl = await redis.pttl(`${keyPrefix}host:a.example`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  test('a refused attempt writes nothing', async () => {
    const { keyPrefix, limiter } = fresh();
    const rules = [{ key: 'host:b.example', intervalMs: 60_000 }];
    await limiter.tryAcquire(rules);
    const before = await redis.get(`${keyPrefix}host:b.example`);
    for (let i = 0; i < 20; i++) expect((await limiter.tryAcquire(rules)).granted).toBe(false);
    expect(await redis.get(`${keyPrefix}host:b.example`)).toBe(before);
  });

  test('host + customer in one call: nothing is recorded unless both admit', async () => {
    const { keyPrefix, limiter } = fresh();
    const customer = { key: 'customer:acme', intervalMs: 60_000 };
    expect((await limiter.tryAcquire([{ key: 'host:one', intervalMs: 100 }, customer])).granted).toBe(true);
    const refused = await limiter.tryAcquire([{ key: 'host:two', intervalMs: 100 }, customer]);
    expect(refused.granted).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(50_000);
    expect(await redis.exists(`${keyPrefix}host:two`)).toBe(0);
  });

  test('burst: burst + 1 at once, then refused', async () => {
    const { limiter } = fresh();
    const rules = [{ key: 'host:burst', intervalMs: 60_000, burst: 2 }];
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await limiter.tryAcquire(rules)).granted);
    expect(answers).toEqual([true, true, true, false]);
  });

  test('holdOff blocks the key until it ends; the key expires with the hold', async () => {
    const { keyPrefix, limiter } = fresh();
    await limiter.holdOff('host:c', 30_000);
    const refused = await limiter.tryAcquire([{ key: 'host:c', intervalMs: 10 }]);
    expect(refused.granted).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(29_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(await redis.pttl(`${keyPrefix}host:c`)).toBeGreaterThan(29_000);
  });

  test('keys live under the prefix: two pipelines do not share limits', async () => {
    const a = fresh();
    const b = fresh();
    const rules = [{ key: 'host:shared.example', intervalMs: 60_000 }];
    expect((await a.limiter.tryAcquire(rules)).granted).toBe(true);
    expect((await b.limiter.tryAcquire(rules)).granted).toBe(true);
  });

  test('the Lua script decides exactly as the pure GCRA function would at the same server time', async () => {
    const { keyPrefix, limiter } = fresh();
    const cmds = withLimiterCommands(redis);
    const model = new Map<string, GcraState>();
    const ruleSets = [
      [{ key: 'host:x', intervalMs: 3, burst: 0 }],
      [{ key: 'host:x', intervalMs: 3, burst: 0 }, { key: 'customer:k', intervalMs: 7, burst: 1 }],
      [{ key: 'host:y', intervalMs: 2.5, burst: 2 }, { key: 'customer:k', intervalMs: 7, burst: 1 }],
    ];
    let seed = 7;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    let granted = 0;
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      if (i % 97 === 50) {
        const now = (await cmds.kscrapeHold(`${keyPrefix}host:x`, `${retryAfterKeyPrefix(keyPrefix)}host:x`, 20, 1)) / 1000;
        model.set('host:x', gcraHold(now, model.get('host:x'), 20));
        continue;
      }
      const rules = ruleSets[Math.floor(rand() * ruleSets.length)]!;
      const answer = await limiter.tryAcquire(rules);
      const expected = gcraDecide(answer.decidedAtMs!, rules.map((r) => ({ intervalMs: r.intervalMs, burst: r.burst })), rules.map((r) => model.get(r.key)));
      expect(answer.granted).toBe(expected.granted);
      if (expected.granted) {
        granted++;
        rules.forEach((r, j) => model.set(r.key, expected.next[j]!));
      } else {
        refused++;
        // Stored times are rounded to the microsecond, so the ceil may differ by one at an exact boundary.
        expect(Math.abs(answer.retryAfterMs - expected.retryAfterMs)).toBeLessThanOrEqual(1);
      }
      if (rand() < 0.3) await sleep(Math.floor(rand() * 4));
    }
    expect(granted).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(10);
  });
});
