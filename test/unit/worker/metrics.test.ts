/** What /metrics exports of the limiter: every fallback counter the README names (issue #18, 5). */
import { describe, expect, test } from '@jest/globals';
import { WorkerMetrics } from '../../../src/worker/metrics.js';
import { WorkerStats } from '../../../src/worker/stats.js';

describe('worker metrics: the limiter', () => {
  test('redisErrors, redisTimeouts, fallbackActivations and fallbackGrants are all on /metrics', async () => {
    const metrics = new WorkerMetrics({
      stats: new WorkerStats(),
      gauges: () => ({ inFlight: 0, queued: 0, hosts: 0, pausedPartitions: 0, assigned: 0 }),
      limiter: () => ({ mode: 'fallback', grants: 10, waits: 4, redisErrors: 3, redisTimeouts: 2, fallbackActivations: 1, fallbackGrants: 7, pausedRefusals: 0 }),
    });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^kscrape_limiter_redis_errors_total 3$/m);
    expect(text).toMatch(/^kscrape_limiter_redis_timeouts_total 2$/m);
    expect(text).toMatch(/^kscrape_limiter_fallback_activations_total 1$/m);
    expect(text).toMatch(/^kscrape_limiter_fallback_grants_total 7$/m);
    expect(text).toMatch(/^kscrape_limiter_fallback 1$/m);
  });
});
