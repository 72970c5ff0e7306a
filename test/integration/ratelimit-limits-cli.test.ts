import { expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisLimiter, limiterKeyPrefix } from '../../src/ratelimit/redis-limiter.js';
import { runCli } from '../helpers/cli.js';
import { testRedisUrl, uniqueName } from '../helpers/env.js';

test('kscrape limits show: named hosts and a scan of the prefix, table and --json', async () => {
  const prefix = `${uniqueName('lim')}.`;
  const redis = new Redis(testRedisUrl());
  try {
    const limiter = new RedisLimiter({ redis, keyPrefix: limiterKeyPrefix(prefix), ownsClient: false });
    await limiter.tryAcquire([{ key: 'host:slow.example', intervalMs: 60_000 }, { key: 'customer:acme', intervalMs: 30_000 }]);
    await limiter.holdOff('host:held.example', 45_000);
    const env = { KSCRAPE_REDIS_URL: testRedisUrl(), KSCRAPE_TOPIC_PREFIX: prefix };

    const json = await runCli(['limits', 'show', '--json'], { env });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { keys: { key: string; nextAllowedInMs: number; ratePerSec: number | null; holdRemainingMs: number }[] };
    expect(report.keys.map((k) => k.key)).toEqual(['customer:acme', 'host:held.example', 'host:slow.example']);
    const slow = report.keys.find((k) => k.key === 'host:slow.example')!;
    expect(slow.nextAllowedInMs).toBeGreaterThan(50_000);
    expect(slow.ratePerSec).toBeCloseTo(1 / 60, 3);
    expect(report.keys.find((k) => k.key === 'host:held.example')!.holdRemainingMs).toBeGreaterThan(40_000);

    const table = await runCli(['limits', 'show', 'SLOW.example', 'unknown.example'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/host:slow\.example\s+\d+s/);
    expect(table.stdout).toMatch(/host:unknown\.example\s+now \(no state\)/);

    const missing = await runCli(['limits', 'show'], { env: { KSCRAPE_TOPIC_PREFIX: prefix } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('needs --redis');
  } finally {
    redis.disconnect();
  }
}, 60_000);
