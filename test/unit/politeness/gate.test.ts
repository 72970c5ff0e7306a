/**
 * The politeness gate against a recording limiter (the fetcher's side of the hooks is exercised by
 * test/integration/fetch/politeness-hooks.test.ts, the spacing a host sees by test/integration/worker/worker.test.ts).
 */
import { describe, expect, test } from '@jest/globals';
import type { UrlEnvelope } from '../../../src/records/index.js';
import type { AcquireResult, RateRule } from '../../../src/ratelimit/limiter.js';
import { PolitenessGate } from '../../../src/politeness/gate.js';

const envelope: UrlEnvelope = { url: 'http://a.test/x', host: 'a.test', customer_id: 'c1', priority: 0, discovered_at: 0, attempt: 0 };

/** Records every call; grants by script (true unless told otherwise). */
function recordingLimiter(grants: boolean[] = []) {
  const holds: { key: string; delayMs: number }[] = [];
  const asked: (readonly RateRule[])[] = [];
  return {
    holds, asked,
    async tryAcquire(rules: readonly RateRule[]): Promise<AcquireResult> {
      asked.push(rules);
      return grants.length && !grants.shift() ? { granted: false, retryAfterMs: 10 } : { granted: true, retryAfterMs: 0 };
    },
    async holdOff(key: string, delayMs: number) {
      holds.push({ key, delayMs });
    },
  };
}

function gateWith(opts: { intervalMs?: number; crawlDelayMs?: Record<string, number>; grants?: boolean[] } = {}) {
  const limiter = recordingLimiter(opts.grants);
  const gate = new PolitenessGate({
    limiter,
    rulesFor: (env, host) => [{ key: `host:${host}`, intervalMs: opts.intervalMs ?? 1_000 }, { key: `customer:${env.customer_id}`, intervalMs: 100 }],
    ...(opts.crawlDelayMs ? { crawlDelayMs: (host: string) => opts.crawlDelayMs![host] } : {}),
  });
  return { gate, limiter };
}

describe('PolitenessGate', () => {
  test('Crawl-delay raises only the host interval, and only when it is longer', () => {
    const { gate } = gateWith({ intervalMs: 1_000, crawlDelayMs: { 'slow.test': 5_000, 'fast.test': 200 } });
    expect(gate.rulesFor(envelope, 'slow.test')).toEqual([{ key: 'host:slow.test', intervalMs: 5_000 }, { key: 'customer:c1', intervalMs: 100 }]);
    expect(gate.rulesFor(envelope, 'fast.test')).toEqual([{ key: 'host:fast.test', intervalMs: 1_000 }, { key: 'customer:c1', intervalMs: 100 }]);
    expect(gate.rulesFor(envelope, 'other.test')).toEqual([{ key: 'host:other.test', intervalMs: 1_000 }, { key: 'customer:c1', intervalMs: 100 }]);
  });

  test('without a Crawl-delay source the configured rules are used as they are', () => {
    const { gate } = gateWith({ intervalMs: 700 });
    expect(gate.rulesFor(envelope, 'a.test')).toEqual([{ key: 'host:a.test', intervalMs: 700 }, { key: 'customer:c1', intervalMs: 100 }]);
  });

  test('a sent request holds its host for one interval from the moment it left (+1 ms)', async () => {
    const { gate, limiter } = gateWith({ intervalMs: 1_000 });
    const hooks = gate.hooks(envelope, new AbortController().signal);
    const at = Date.now();
    await hooks.sent!(new URL('http://a.test/robots.txt'), at);
    // The hold runs from `at`, so it is shorter by whatever time passed since (a loaded machine: several ms).
    const elapsed = Date.now() - at;
    expect(limiter.holds).toHaveLength(1);
    expect(limiter.holds[0]!.key).toBe('host:a.test');
    expect(limiter.holds[0]!.delayMs).toBeGreaterThanOrEqual(1_001 - elapsed);
    expect(limiter.holds[0]!.delayMs).toBeLessThanOrEqual(1_001);
  });

  test('a send long past its interval holds nothing', async () => {
    const { gate, limiter } = gateWith({ intervalMs: 1_000 });
    await gate.hooks(envelope, new AbortController().signal).sent!(new URL('http://a.test/'), Date.now() - 5_000);
    expect(limiter.holds).toEqual([]);
  });

  test('after robots.txt raised the Crawl-delay, the next request of the fetch keeps the raised interval from the last send', async () => {
    const crawlDelayMs: Record<string, number> = {};
    const { gate, limiter } = gateWith({ intervalMs: 1_000, crawlDelayMs });
    const hooks = gate.hooks(envelope, new AbortController().signal);
    const at = Date.now();
    await hooks.sent!(new URL('http://a.test/robots.txt'), at);
    crawlDelayMs['a.test'] = 10_000; // robots.txt said Crawl-delay: 10
    await hooks.beforeRequest!(new URL('http://a.test/page'));
    expect(limiter.holds).toHaveLength(2);
    expect(limiter.holds[1]!.key).toBe('host:a.test');
    expect(limiter.holds[1]!.delayMs).toBeGreaterThan(9_900);
    expect(limiter.asked.at(-1)).toEqual([{ key: 'host:a.test', intervalMs: 10_000 }, { key: 'customer:c1', intervalMs: 100 }]);
  });

  test('a request to another host (a redirect) is not held for the first one, but is admitted by the limiter', async () => {
    const { gate, limiter } = gateWith({ grants: [false, false, true] });
    const hooks = gate.hooks(envelope, new AbortController().signal);
    await hooks.sent!(new URL('http://a.test/'), Date.now());
    await hooks.beforeRequest!(new URL('http://b.test/'));
    expect(limiter.holds.map((h) => h.key)).toEqual(['host:a.test']);
    expect(limiter.asked).toHaveLength(3);
    expect(limiter.asked[2]![0]).toEqual({ key: 'host:b.test', intervalMs: 1_000 });
  });

  test('an aborted fetch stops asking', async () => {
    const { gate } = gateWith();
    const abort = new AbortController();
    abort.abort();
    await expect(gate.hooks(envelope, abort.signal).beforeRequest!(new URL('http://a.test/'))).rejects.toThrow('aborted');
  });

  test('Retry-After holds the host for what the server asked; other outcomes hold nothing', async () => {
    const { gate, limiter } = gateWith();
    await gate.honourRetryAfter('a.test', { kind: 'retryable', status: 503, error: 'HTTP 503', elapsedMs: 5, retryAfterMs: 30_000 });
    await gate.honourRetryAfter('a.test', { kind: 'retryable', status: 500, error: 'HTTP 500', elapsedMs: 5 });
    await gate.honourRetryAfter('a.test', { kind: 'error', status: 404, reason: 'http-status', detail: 'HTTP 404', elapsedMs: 5 });
    expect(limiter.holds).toEqual([{ key: 'host:a.test', delayMs: 30_000 }]);
  });

  test('a limiter that fails to hold does not fail the fetch', async () => {
    const gate = new PolitenessGate({
      limiter: { tryAcquire: async () => ({ granted: true, retryAfterMs: 0 }), holdOff: async () => { throw new Error('redis down'); } },
      rulesFor: (_env, host) => [{ key: `host:${host}`, intervalMs: 1_000 }],
    });
    await expect(gate.hooks(envelope, new AbortController().signal).sent!(new URL('http://a.test/'), Date.now())).resolves.toBeUndefined();
    await expect(gate.honourRetryAfter('a.test', { kind: 'retryable', status: 429, error: 'HTTP 429', elapsedMs: 1, retryAfterMs: 1_000 })).resolves.toBeUndefined();
  });
});
