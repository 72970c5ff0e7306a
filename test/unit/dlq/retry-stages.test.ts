import { describe, expect, test } from '@jest/globals';
import { createLogger } from '../../../src/log.js';
import { OnceProgress } from '../../../src/dlq/once-progress.js';
import { BatchHandler, type BatchPayload } from '../../../src/dlq/retry-batch.js';
import { commitConfirmed, messagesOf, BatchNotCommitted, type Handled } from '../../../src/dlq/retry-output.js';
import { decide, type RetryPolicy } from '../../../src/dlq/retry-policy.js';
import { statusText } from '../../../src/dlq/retry-status.js';
import type { DlqRecord } from '../../../src/records/index.js';

const HOUR = 3_600_000;
const NOW = 100 * HOUR;
const policy: RetryPolicy = { cooldownMs: HOUR, backoff: 'fixed', maxAttempts: 3 };
const topics = { dlq: 'dlq', urls: 'urls', parked: 'dlq.parked' };
const quiet = createLogger({ level: 'quiet' });

const record = (host: string, failedAt: number, attempts = 1): DlqRecord => ({
  original: { url: `https://${host}/x`, host, customer_id: 'acme', priority: 0, discovered_at: 1, attempt: attempts - 1 },
  error: 'HTTP 503', status: 503, failed_at: failedAt, attempts, worker: 'w',
});
const value = (r: unknown) => Buffer.from(typeof r === 'string' ? r : JSON.stringify(r));

describe('messagesOf', () => {
  test('re-emits go to urls keyed and partitioned by host, parks to dlq.parked; each names its source', () => {
    const handled = [
      { offset: 7, d: decide(value(record('a.example', 0)), NOW, policy) },
      { offset: 8, d: decide(value('not json'), NOW, policy) },
    ] as Handled[];
    const out = messagesOf(2, handled, { topics, partitioner: (i, n) => i.host.length % n, urlPartitions: 4, worker: 'r1', now: () => NOW });
    expect(out).toEqual([
      { topic: 'urls', messages: [{ key: 'a.example', value: JSON.stringify({ ...record('a.example', 0).original, attempt: 1 }), headers: { 'kscrape-dlq-source': 'dlq/2/7' }, partition: 'a.example'.length % 4 }] },
      { topic: 'dlq.parked', messages: [{ key: null, value: expect.stringContaining('"reason":"malformed"'), headers: { 'kscrape-dlq-source': 'dlq/2/8' } }] },
    ]);
  });
});

describe('BatchHandler', () => {
  const payload = (partition: number, values: (Buffer | null)[], first = 0) => {
    const seen = { resolved: [] as string[], paused: 0 };
    const p: BatchPayload = {
      batch: { topic: 'dlq', partition, messages: values.map((v, i) => ({ offset: String(first + i), value: v })) },
      resolveOffset: (o) => void seen.resolved.push(o),
      pause: () => void seen.paused++,
    };
    return { p, seen };
  };

  test('handles records up to the first that is not due, commits past them, pauses there and counts', async () => {
    const commits: { partition: number; offsets: number[]; next: number }[] = [];
    const hosts: string[] = [];
    const handler = new BatchHandler({
      policy, logger: quiet, now: () => NOW, progress: undefined, once: true, resume: () => undefined, stopping: () => false,
      commit: async (_topic, partition, handled, next) => { commits.push({ partition, offsets: handled.map((h) => h.offset), next }); },
      onReEmit: (h) => hosts.push(h),
    });
    const { p, seen } = payload(1, [value(record('a', 0)), value(record('b', 0, 3)), null, value(record('c', NOW)), value(record('d', 0))], 10);
    await handler.handle(p);
    expect(commits).toEqual([{ partition: 1, offsets: [10, 11, 12], next: 13 }]);
    expect(seen).toEqual({ resolved: ['12'], paused: 1 });
    expect(hosts).toEqual(['a']);
    expect(handler.result()).toEqual({ reEmitted: 1, parked: { 'max-attempts': 1, malformed: 1 }, waiting: [{ partition: 1, offset: 13, dueAt: NOW + HOUR }] });
  });

  test('a batch not committed is left unresolved (handled again), counted only once it commits', async () => {
    const progress = new OnceProgress(new Map([[0, 2]]), new Map([[0, 0]]));
    let attempts = 0;
    const handler = new BatchHandler({
      policy, logger: quiet, now: () => NOW, progress, once: true, resume: () => undefined, stopping: () => false,
      commit: async () => { if (attempts++ === 0) throw new BatchNotCommitted('broker away', false); },
    });
    const first = payload(0, [value(record('a', 0)), value(record('b', 0))]);
    await handler.handle(first.p);
    expect(first.seen).toEqual({ resolved: [], paused: 0 });
    expect(progress.allDone([0])).toBe(false);
    expect(handler.result().reEmitted).toBe(0);
    const again = payload(0, [value(record('a', 0)), value(record('b', 0))]);
    await handler.handle(again.p);
    expect(again.seen.resolved).toEqual(['1']);
    expect(progress.allDone([0])).toBe(true);
    expect(handler.result().reEmitted).toBe(2);
  });

  test('a batch delivered but not committed (at least once) counts as re-emitted each time it was delivered', async () => {
    let attempts = 0;
    const handler = new BatchHandler({
      policy, logger: quiet, now: () => NOW, progress: undefined, once: true, resume: () => undefined, stopping: () => false,
      commit: async () => { if (attempts++ === 0) throw new BatchNotCommitted('coordinator away', true); },
    });
    await handler.handle(payload(0, [value(record('a', 0))]).p);
    await handler.handle(payload(0, [value(record('a', 0))]).p);
    expect(handler.result().reEmitted).toBe(2);
  });

  test('commits failing past the bound stop the run; other errors (a delivery) are not retried', async () => {
    let clock = NOW;
    const handler = new BatchHandler({
      policy, logger: quiet, now: () => clock, progress: undefined, once: true, resume: () => undefined, stopping: () => false, failingBoundMs: 5_000,
      commit: async () => { clock += 3_000; throw new BatchNotCommitted('broker away', false); },
    });
    await handler.handle(payload(0, [value(record('a', 0))]).p);
    await handler.handle(payload(0, [value(record('a', 0))]).p);
    await expect(handler.handle(payload(0, [value(record('a', 0))]).p)).rejects.toThrow(/commits kept failing for 6 s: broker away/);
    const plain = new BatchHandler({
      policy, logger: quiet, now: () => NOW, progress: undefined, once: true, resume: () => undefined, stopping: () => false,
      commit: async () => { throw new Error('delivery failed'); },
    });
    await expect(plain.handle(payload(0, [value(record('a', 0))]).p)).rejects.toThrow('delivery failed');
  });

  test('--once: stops at the start mark without deciding what lies beyond it', async () => {
    const progress = new OnceProgress(new Map([[0, 1]]), new Map([[0, 0]]));
    const commits: number[] = [];
    const handler = new BatchHandler({
      policy, logger: quiet, now: () => NOW, progress, once: true, resume: () => undefined, stopping: () => false,
      commit: async (_t, _p, _h, next) => { commits.push(next); },
    });
    const { p, seen } = payload(0, [value(record('a', 0)), value(record('b', 0))]);
    await handler.handle(p);
    expect(commits).toEqual([1]);
    expect(seen.paused).toBe(1);
    expect(progress.allDone([0])).toBe(true);
  });

  test('continuous mode: a waiting partition is resumed when its record is due', async () => {
    let clock = NOW;
    const resumed: number[] = [];
    const handler = new BatchHandler({
      policy, logger: quiet, now: () => clock, progress: undefined, once: false, resume: (partition) => resumed.push(partition), stopping: () => false,
      commit: async () => undefined,
    });
    await handler.handle(payload(3, [value(record('a', NOW - HOUR + 20))]).p);
    expect(resumed).toEqual([]);
    clock += 20;
    await new Promise((r) => setTimeout(r, 150));
    expect(resumed).toEqual([3]);
    handler.clearTimers();
  });
});

describe('statusText', () => {
  test('counts and the next due time', () => {
    const summary = { reEmitted: 4, parked: { 'max-attempts': 1, malformed: 2 }, waiting: [] };
    expect(statusText(summary, new Map())).toBe('dlq retry: re-emitted 4, parked 3, 0 partition(s) waiting');
    expect(statusText(summary, new Map([[0, { dueAt: 0 }], [1, { dueAt: HOUR }]])))
      .toBe('dlq retry: re-emitted 4, parked 3, 2 partition(s) waiting, next due 1970-01-01T00:00:00.000Z');
  });
});

describe('commitConfirmed', () => {
  /** A consumer whose commits are stored only when `stores` says so (the binding drops failed commits silently). */
  const consumer = (stores: (attempt: number) => boolean) => {
    let stored = -1;
    let commits = 0;
    return {
      get commits() { return commits; },
      commitOffsets: async (tps: { offset: string }[]) => { if (stores(commits++)) stored = Number(tps[0]!.offset); },
      committed: async () => [{ topic: 'dlq', partition: 1, offset: String(stored) }],
    };
  };
  const limits = { timeoutMs: 1_000, deadlineMs: 5_000, logger: quiet };

  test('a commit the coordinator dropped is made again until it is read back', async () => {
    const c = consumer((attempt) => attempt >= 2);
    await commitConfirmed(c as never, { topic: 'dlq', partition: 1, next: 40 }, limits);
    expect(c.commits).toBe(3);
  });

  test('a commit never stored fails after the deadline, naming what the coordinator holds', async () => {
    const c = consumer(() => false);
    let clock = 0;
    const tick = () => (clock += 1_000);
    await expect(commitConfirmed(c as never, { topic: 'dlq', partition: 1, next: 40 }, { ...limits, deadlineMs: 2_500 }, tick))
      .rejects.toThrow(/dlq\/1 at 40 not confirmed within \d+ s: the coordinator holds no offset/);
  });
});
