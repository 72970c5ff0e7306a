import { describe, expect, test } from '@jest/globals';
import { decodeDlqRecord, type DlqRecord } from '../../../src/records/index.js';
import { cooldownFor, decide, parkedRecord, type RetryPolicy } from '../../../src/dlq/retry-policy.js';
import { OnceProgress } from '../../../src/dlq/once-progress.js';
import { DlqStatsBuilder, errorClass, top } from '../../../src/dlq/stats.js';

const HOUR = 3_600_000;
const NOW = 100 * HOUR;
const fixed: RetryPolicy = { cooldownMs: HOUR, backoff: 'fixed', maxAttempts: 5 };
const exponential: RetryPolicy = { ...fixed, backoff: 'exponential' };

const record = (over: Partial<DlqRecord> = {}, attempt = 0): DlqRecord => ({
  original: { url: 'https://a.example/x', host: 'a.example', customer_id: 'acme', priority: 3, discovered_at: 1, attempt },
  error: 'HTTP 503', status: 503, failed_at: NOW - 2 * HOUR, attempts: attempt + 1, worker: 'w', ...over,
});
const json = (r: unknown) => Buffer.from(JSON.stringify(r));

describe('cool-down', () => {
  test('fixed: the same for every attempt; exponential: doubles per attempt made', () => {
    expect([1, 2, 5].map((a) => cooldownFor(a, fixed))).toEqual([HOUR, HOUR, HOUR]);
    expect([1, 2, 3, 4].map((a) => cooldownFor(a, exponential))).toEqual([HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR]);
    expect(Number.isFinite(cooldownFor(10_000, exponential))).toBe(true);
  });
});

describe('decide', () => {
  test('due: re-emit the original envelope with attempt + 1, customer and priority kept', () => {
    const d = decide(json(record({}, 1)), NOW, fixed);
    expect(d).toMatchObject({ action: 're-emit', envelope: { url: 'https://a.example/x', host: 'a.example', customer_id: 'acme', priority: 3, attempt: 2 } });
  });

  test('not due yet: wait until failed_at + cool-down', () => {
    const young = record({ failed_at: NOW - 10 * 60_000 });
    expect(decide(json(young), NOW, fixed)).toMatchObject({ action: 'wait', dueAt: young.failed_at + HOUR });
    // Exactly at the due time it is due.
    expect(decide(json(record({ failed_at: NOW - HOUR })), NOW, fixed).action).toBe('re-emit');
  });

  test("Retry-After: due at the later of the cool-down and the server's retry_after_at", () => {
    const late = record({ failed_at: NOW - 2 * HOUR, retry_after_at: NOW + 30 * 60_000 });
    expect(decide(json(late), NOW, fixed)).toMatchObject({ action: 'wait', dueAt: NOW + 30 * 60_000 });
    expect(decide(json(late), NOW + 30 * 60_000, fixed).action).toBe('re-emit');
    // A short Retry-After never shortens the cool-down.
    const early = record({ failed_at: NOW - 10 * 60_000, retry_after_at: NOW - 9 * 60_000 });
    expect(decide(json(early), NOW, fixed)).toMatchObject({ action: 'wait', dueAt: early.failed_at + HOUR });
    // Without a cool-down, the server's time alone decides.
    expect(decide(json(late), NOW, { ...fixed, cooldownMs: 0 })).toMatchObject({ action: 'wait', dueAt: NOW + 30 * 60_000 });
  });

  test('retry_after_at is kept when a number, dropped when not', () => {
    expect(decodeDlqRecord(json(record({ retry_after_at: 123 })))).toMatchObject({ ok: true, record: { retry_after_at: 123 } });
    const bad = decodeDlqRecord(json({ ...record(), retry_after_at: 'soon' }));
    expect(bad.ok && 'retry_after_at' in bad.record).toBe(false);
  });

  test('exponential: attempt 3 (4 h cool-down) at 3 h old waits', () => {
    expect(decide(json(record({ failed_at: NOW - 3 * HOUR }, 2)), NOW, exponential).action).toBe('wait');
    expect(decide(json(record({ failed_at: NOW - 3 * HOUR }, 0)), NOW, exponential).action).toBe('re-emit');
  });

  test('attempts at --max-attempts: parked with reason max-attempts, even before its cool-down', () => {
    const d = decide(json(record({ attempts: 5, failed_at: NOW }, 4)), NOW, fixed);
    expect(d).toMatchObject({ action: 'park', reason: 'max-attempts' });
    const parked = parkedRecord(d as Extract<typeof d, { action: 'park' }>, NOW, 'dlq-retry@h');
    expect(parked).toMatchObject({ url: 'https://a.example/x', reason: 'max-attempts', status: 503, failed_at: NOW, worker: 'dlq-retry@h' });
    expect(parked.detail).toContain('HTTP 503');
  });

  test.each([
    ['not JSON', Buffer.from('{oops')],
    ['a tombstone', null],
    ['an array', json([1])],
    ['no original', json({ failed_at: 1, attempts: 1 })],
    ['no failed_at', json({ ...record(), failed_at: 'yesterday' })],
    ['attempts 0', json({ ...record(), attempts: 0 })],
  ])('malformed (%s): parked, never waited on or thrown', (_name, value) => {
    const d = decide(value, NOW, fixed);
    expect(d).toMatchObject({ action: 'park', reason: 'malformed' });
    const parked = parkedRecord(d as Extract<typeof d, { action: 'park' }>, NOW, 'w');
    expect(parked.url).toBeNull();
    expect(typeof parked.original).toBe('string');
  });

  test('missing optional envelope fields get defaults', () => {
    const r = decodeDlqRecord(json({ original: { url: 'https://b/', host: 'b' }, failed_at: 1, attempts: 2 }));
    expect(r).toMatchObject({ ok: true, record: { original: { customer_id: '', priority: 0, attempt: 1 }, error: '', status: null } });
  });
});

describe('--once progress', () => {
  test('done when handled up to the start marks, or blocked; not before anything is assigned', () => {
    const p = new OnceProgress(new Map([[0, 10], [1, 5], [2, 3]]), new Map([[0, 4], [1, 0], [2, 3]]));
    expect(p.allDone([])).toBe(false);
    expect(p.isDone(2)).toBe(true);
    expect(p.allDone([0, 1, 2])).toBe(false);
    p.handledThrough(0, 9);
    p.blockedAt(1);
    expect(p.allDone([0, 1, 2])).toBe(true);
    expect(p.beyondStart(0, 10)).toBe(true);
    expect(p.beyondStart(0, 9)).toBe(false);
  });

  test('handling more records of a blocked partition unblocks it', () => {
    const p = new OnceProgress(new Map([[0, 10]]), new Map([[0, 0]]));
    p.blockedAt(0);
    p.handledThrough(0, 3);
    expect(p.isDone(0)).toBe(false);
  });
});

describe('dlq stats', () => {
  test('counts by error class, status, host, attempts; age histogram; due now and to park', () => {
    const b = new DlqStatsBuilder(fixed, NOW);
    b.add(json(record({ error: 'HTTP 503: upstream', failed_at: NOW - 2 * HOUR })));
    b.add(json(record({ error: 'HTTP 503: again', failed_at: NOW - 5 * 60_000 })));
    b.add(json(record({ error: 'ETIMEDOUT (connect 10.0.0.1)', status: null, failed_at: NOW - 30 * HOUR, attempts: 5 }, 4)));
    b.add(Buffer.from('junk'));
    const s = b.result();
    expect(s).toMatchObject({ total: 4, malformed: 1, dueNow: 1, toPark: 1, oldestFailedAt: NOW - 30 * HOUR });
    expect(s.byError).toEqual({ 'HTTP 503': 2, ETIMEDOUT: 1 });
    expect(s.byStatus).toEqual({ 503: 2, none: 1 });
    expect(s.byHost).toEqual({ 'a.example': 3 });
    expect(s.byAttempts).toEqual({ 1: 2, 5: 1 });
    expect(s.ageHistogram).toMatchObject({ '<10m': 1, '1-6h': 1, '1-7d': 1, '6-24h': 0 });
  });

  test('error classes and top-n ordering', () => {
    expect(errorClass('')).toBe('(empty)');
    expect(top({ a: 1, b: 3, c: 3 }, 2)).toEqual([['b', 3], ['c', 3]]);
  });
});
