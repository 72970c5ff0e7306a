import { describe, expect, test } from '@jest/globals';
import { FallbackLimiter } from '../../../src/ratelimit/fallback-limiter.js';
import type { AcquireResult, Limiter, RateRule } from '../../../src/ratelimit/limiter.js';
import { createLogger } from '../../../src/log.js';
import { createLimiter } from '../../../src/ratelimit/create-limiter.js';
import { UserError } from '../../../src/errors.js';

/** A stand-in for the Redis limiter whose health the test switches. */
class FakePrimary implements Limiter {
  mode: 'up' | 'down' | 'hang' = 'up';
  calls = 0;
  holds: string[] = [];
  async tryAcquire(_rules: readonly RateRule[]): Promise<AcquireResult> {
    this.calls++;
    if (this.mode === 'down') throw new Error('connect ECONNREFUSED 127.0.0.1:1');
    if (this.mode === 'hang') return new Promise(() => undefined);
    return { granted: true, retryAfterMs: 0 };
  }
  async holdOff(key: string): Promise<void> {
    if (this.mode !== 'up') throw new Error('down');
    this.holds.push(key);
  }
  async close(): Promise<void> {}
}

function setup(opts: { required?: boolean; workers?: number } = {}) {
  let now = 0;
  const lines: string[] = [];
  const primary = new FakePrimary();
  const limiter = new FallbackLimiter({
    primary, required: opts.required ?? false, liveWorkers: () => opts.workers ?? 4, deadlineMs: 20, probeEveryMs: 1000,
    logger: createLogger({ write: (l) => lines.push(l) }), now: () => now,
  });
  return { primary, limiter, lines, advance: (ms: number) => { now += ms; } };
}

const rules = [{ key: 'host:a', intervalMs: 100 }];

describe('FallbackLimiter', () => {
  test('uses Redis while it answers', async () => {
    const { primary, limiter } = setup();
    await limiter.tryAcquire(rules);
    await limiter.tryAcquire(rules);
    expect(primary.calls).toBe(2);
    expect(limiter.stats()).toMatchObject({ mode: 'redis', grants: 2, redisErrors: 0 });
  });

  test('Redis down: answers locally at rate / live workers, logs once, probes once per interval, comes back', async () => {
    const { primary, limiter, lines, advance } = setup({ workers: 4 });
    primary.mode = 'down';
    expect((await limiter.tryAcquire(rules)).granted).toBe(true);
    // Interval 100 ms × 4 workers: the next local admission is 400 ms later.
    expect(await limiter.tryAcquire(rules)).toMatchObject({ granted: false, retryAfterMs: 400 });
    advance(400);
    expect((await limiter.tryAcquire(rules)).granted).toBe(true);
    expect(primary.calls).toBe(1);
    advance(600);
    await limiter.tryAcquire(rules); // the probe: still down
    expect(primary.calls).toBe(2);
    expect(lines.filter((l) => l.includes('unavailable'))).toHaveLength(1);
    expect(limiter.stats()).toMatchObject({ mode: 'fallback', fallbackActivations: 1, redisErrors: 2, fallbackGrants: 3 });
    primary.mode = 'up';
    advance(1000);
    expect((await limiter.tryAcquire(rules)).granted).toBe(true);
    expect(limiter.stats().mode).toBe('redis');
    expect(lines.filter((l) => l.includes('answers again'))).toHaveLength(1);
  });

  test('Redis slow: a call past the deadline counts as a timeout and falls back (never waits longer)', async () => {
    const { primary, limiter } = setup();
    primary.mode = 'hang';
    const answer = await limiter.tryAcquire(rules);
    expect(answer.granted).toBe(true);
    expect(limiter.stats()).toMatchObject({ mode: 'fallback', redisTimeouts: 1, fallbackActivations: 1 });
  });

  test('required: refuses with a wait until the next probe instead of falling back', async () => {
    const { primary, limiter, advance } = setup({ required: true });
    primary.mode = 'down';
    expect(await limiter.tryAcquire(rules)).toEqual({ granted: false, retryAfterMs: 1000 });
    advance(300);
    expect(await limiter.tryAcquire(rules)).toEqual({ granted: false, retryAfterMs: 700 });
    expect(limiter.stats()).toMatchObject({ mode: 'paused', pausedRefusals: 2, fallbackGrants: 0 });
    primary.mode = 'up';
    advance(700);
    expect((await limiter.tryAcquire(rules)).granted).toBe(true);
  });

  test('holdOff reaches Redis and the local limiter, so a 429 is honoured on fallback too', async () => {
    const { primary, limiter } = setup({ workers: 1 });
    await limiter.holdOff('host:a', 5000);
    expect(primary.holds).toEqual(['host:a']);
    primary.mode = 'down';
    expect(await limiter.tryAcquire(rules)).toMatchObject({ granted: false, retryAfterMs: 5000 });
  });

  test('a local hold refuses at once, without asking anyone', async () => {
    const { primary, limiter, advance } = setup({ workers: 1 });
    primary.mode = 'down';
    expect((await limiter.tryAcquire(rules)).granted).toBe(true);
    // The request left 0 ms later: the worker's `sent` hook holds the host for one interval from then.
    await limiter.holdOff('host:a', 100);
    advance(30);
    expect(await limiter.tryAcquire(rules)).toMatchObject({ granted: false, retryAfterMs: 70 });
    expect(primary.calls).toBe(1);
    advance(70);
    expect((await limiter.tryAcquire(rules)).granted).toBe(true);
  });

  test('a Redis that comes back empty cannot admit a host sooner than what this worker sent while it was away', async () => {
    const { primary, limiter, advance } = setup({ workers: 1 });
    primary.mode = 'down';
    expect((await limiter.tryAcquire(rules)).granted).toBe(true);
    advance(950);
    // FakePrimary admits everything, as a restarted Redis with no state does.
    await limiter.holdOff('host:a', 100); // a request left at 950
    primary.mode = 'up';
    advance(60); // 1010: the probe is due, Redis (empty) would admit, the hold has 40 ms left
    const callsBefore = primary.calls;
    expect(await limiter.tryAcquire(rules)).toMatchObject({ granted: false, retryAfterMs: 40 });
    expect(primary.calls).toBe(callsBefore);
    advance(40);
    expect((await limiter.tryAcquire(rules)).granted).toBe(true);
    expect(limiter.stats().mode).toBe('redis');
  });
});

describe('createLimiter', () => {
  const logger = createLogger({ level: 'quiet' });
  test('without Redis: in-process, with stats', async () => {
    const limiter = await createLimiter({ prefix: 'p.', required: false, liveWorkers: () => 1, logger });
    expect((await limiter.tryAcquire(rules)).granted).toBe(true);
    expect(limiter.stats()).toMatchObject({ mode: 'memory', grants: 1 });
  });
  test('--redis-required without --redis is a user error', async () => {
    await expect(createLimiter({ prefix: '', required: true, liveWorkers: () => 1, logger })).rejects.toThrow(UserError);
  });
});
