import { expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisLimiter, limiterKeyPrefix } from '../../../src/ratelimit/redis-limiter.js';
import { runCli } from '../../helpers/cli.js';
import { testRedisUrl, uniqueName } from '../../helpers/env.js';

test('kscrape limits show: named hosts and a scan of the prefix, table and --json', async () => {
  const prefix = `${uniqueName('lim')}.`;
  const redis = new Redis(testRedisUrl());
  try {
    const limiter = new RedisLimiter({ redis, keyPrefix: limiterKeyPrefix(prefix), ownsClient: false });
    await limiter.tryAcquire([{ key: 'host:slow.example', intervalMs: 60_000 }, { key: 'customer:acme', intervalMs: 30_000 }]);
    await limiter.holdOff('host:held.example', 45_000);
    // The worker's spacing after each send (issue #18, 4): part of NEXT IN, never a hold-off after a 429.
    await limiter.tryAcquire([{ key: 'host:spaced.example', intervalMs: 2_000 }]);
    await limiter.holdOff('host:spaced.example', 45_000, 'spacing');
    const env = { KSCRAPE_REDIS_URL: testRedisUrl(), KSCRAPE_TOPIC_PREFIX: prefix };

    const json = await runCli(['limits', 'show', '--json'], { env });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { keys: { key: string; nextAllowedInMs: number; ratePerSec: number | null; holdRemainingMs: number }[] };
    expect(report.keys.map((k) => k.key)).toEqual(['customer:acme', 'host:held.example', 'host:slow.example', 'host:spaced.example']);
    const slow = report.keys.find((k) => k.key === 'host:slow.example')!;
    expect(slow.nextAllowedInMs).toBeGreaterThan(50_000);
    expect(slow.ratePerSec).toBeCloseTo(1 / 60, 3);
    expect(report.keys.find((k) => k.key === 'host:held.example')!.holdRemainingMs).toBeGreaterThan(40_000);
    // The README's "hosts held off after a 429" selects the held host only, not every recently fetched one.
    expect(report.keys.filter((k) => k.holdRemainingMs > 0).map((k) => k.key)).toEqual(['host:held.example']);
    const spaced = report.keys.find((k) => k.key === 'host:spaced.example')! as unknown as { nextAllowedInMs: number; spacingRemainingMs: number };
    expect(spaced.spacingRemainingMs).toBeGreaterThan(40_000);
    expect(spaced.nextAllowedInMs).toBeGreaterThan(40_000);

    const table = await runCli(['limits', 'show', 'SLOW.example', 'unknown.example'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/host:slow\.example\s+\d+s/);
    expect(table.stdout).toMatch(/host:unknown\.example\s+now \(no state\)/);
    const spacedTable = await runCli(['limits', 'show', 'spaced.example', 'held.example'], { env });
    expect(spacedTable.stdout).toMatch(/^KEY\s+NEXT IN\s+RATE\s+INTERVAL\s+BURST\s+HOLD\s+SPACING\s+TTL$/m);
    // spaced: HOLD '-', SPACING ~45 s; held: HOLD ~45 s, SPACING '-'.
    expect(spacedTable.stdout).toMatch(/host:spaced\.example\s+\d+s\s+0\.5\/s\s+2\.0s\s+0\s+-\s+4\ds\s/);
    expect(spacedTable.stdout).toMatch(/host:held\.example\s+\d+s\s+-\s+-\s+-\s+4\ds\s+-\s/);

    const missing = await runCli(['limits', 'show'], { env: { KSCRAPE_TOPIC_PREFIX: prefix } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('needs --redis');
  } finally {
    redis.disconnect();
  }
}, 60_000);
