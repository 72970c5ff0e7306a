import { describe, expect, test } from '@jest/globals';
import { gcraDecide, gcraExpiresAt, gcraHold, gcraNextAllowedAt, type GcraRule, type GcraState } from '../../../src/ratelimit/gcra.js';
import { MemoryLimiter } from '../../../src/ratelimit/memory-limiter.js';

/** Drives gcraDecide like a limiter would: one key, state kept between calls. */
function keyOf(rule: GcraRule) {
  let state: GcraState | undefined;
  return {
    at(now: number, cost = 1) {
      const d = gcraDecide(now, [rule], [state], cost);
      if (d.granted) state = d.next[0];
      return d;
    },
    hold(now: number, ms: number) { state = gcraHold(now, state, ms); },
    get state() { return state; },
  };
}

describe('GCRA math', () => {
  test('evenly spaced without burst: the first goes at once, then one per interval', () => {
    const k = keyOf({ intervalMs: 100, burst: 0 });
    expect(k.at(1000).granted).toBe(true);
    expect(k.at(1000)).toEqual({ granted: false, retryAfterMs: 100 });
    expect(k.at(1040)).toEqual({ granted: false, retryAfterMs: 60 });
    expect(k.at(1100).granted).toBe(true);
    expect(k.at(1150).retryAfterMs).toBe(50);
  });

  test('a refusal records nothing: hammering does not push the next admission back', () => {
    const k = keyOf({ intervalMs: 100, burst: 0 });
    k.at(0);
    for (let t = 1; t < 100; t++) expect(k.at(t).granted).toBe(false);
    expect(k.state?.tatMs).toBe(100);
    expect(k.at(100).granted).toBe(true);
  });

  test('admissions never come closer than the interval, whatever the arrival pattern', () => {
    const k = keyOf({ intervalMs: 37, burst: 0 });
    const admitted: number[] = [];
    for (let t = 0; t < 5000; t += 3) if (k.at(t).granted) admitted.push(t);
    for (let i = 1; i < admitted.length; i++) expect(admitted[i]! - admitted[i - 1]!).toBeGreaterThanOrEqual(37);
    expect(admitted.length).toBeLessThanOrEqual(Math.floor(5000 / 37) + 1);
  });

  test('burst: after idle time, burst + 1 go at once, then the spacing resumes', () => {
    const k = keyOf({ intervalMs: 100, burst: 3 });
    const first = [0, 0, 0, 0, 0].map(() => k.at(0).granted);
    expect(first).toEqual([true, true, true, true, false]);
    expect(k.at(0).retryAfterMs).toBe(100);
    expect(k.at(100).granted).toBe(true);
    expect(k.at(100).granted).toBe(false);
    // A long idle refills the burst but never beyond it.
    const later = [0, 0, 0, 0, 0].map(() => k.at(100_000).granted);
    expect(later).toEqual([true, true, true, true, false]);
  });

  test('in any window of D ms at most D/interval + 1 + burst are admitted', () => {
    const k = keyOf({ intervalMs: 50, burst: 2 });
    let admitted = 0;
    for (let t = 0; t <= 1000; t++) for (let c = 0; c < 4; c++) if (k.at(t).granted) admitted++;
    expect(admitted).toBe(1000 / 50 + 1 + 2);
  });

  test('cost counts a request as several and must fit in one burst', () => {
    const k = keyOf({ intervalMs: 100, burst: 2 });
    expect(k.at(0, 3).granted).toBe(true);
    expect(k.at(0, 1)).toEqual({ granted: false, retryAfterMs: 100 });
    expect(k.at(150, 2)).toEqual({ granted: false, retryAfterMs: 50 });
    expect(k.at(300, 3).granted).toBe(true);
    expect(() => gcraDecide(0, [{ intervalMs: 100, burst: 2 }], [undefined], 4)).toThrow(RangeError);
  });

  test('long idle: an old TAT is as good as none (no credit beyond the burst)', () => {
    const k = keyOf({ intervalMs: 1000, burst: 0 });
    k.at(0);
    expect(k.at(10 * 86_400_000).granted).toBe(true);
    expect(k.at(10 * 86_400_000 + 1).granted).toBe(false);
  });

  test('holdOff: nobody before its end, then spacing resumes from there; a shorter hold does not shorten it', () => {
    const k = keyOf({ intervalMs: 100, burst: 3 });
    k.at(0);
    k.hold(10, 5000);
    k.hold(20, 100);
    expect(k.at(200)).toEqual({ granted: false, retryAfterMs: 4810 });
    expect(k.at(5010).granted).toBe(true);
    expect(gcraExpiresAt(k.state!)).toBe(5110);
  });

  test('several rules: admitted only when all admit; the answer is the longest wait; refusal touches none', () => {
    const host = { intervalMs: 100, burst: 0 };
    const customer = { intervalMs: 250, burst: 0 };
    const a = gcraDecide(0, [host, customer], [undefined, undefined]);
    if (!a.granted) throw new Error('first must pass');
    const b = gcraDecide(100, [host, customer], a.next);
    expect(b).toEqual({ granted: false, retryAfterMs: 150 });
    const otherHost = gcraDecide(100, [host, customer], [undefined, a.next[1]]);
    expect(otherHost.granted).toBe(false);
    expect(gcraDecide(250, [host, customer], a.next).granted).toBe(true);
  });

  test('expiry and next-allowed times', () => {
    const rule = { intervalMs: 100, burst: 2 };
    expect(gcraExpiresAt({ tatMs: 500, holdUntilMs: 0 })).toBe(500);
    expect(gcraNextAllowedAt({ tatMs: 500, holdUntilMs: 0 }, rule)).toBe(300);
    expect(gcraNextAllowedAt({ tatMs: 500, holdUntilMs: 900 }, rule)).toBe(900);
  });

  test('fractional intervals (3/s) keep their exact spacing over many admissions', () => {
    const k = keyOf({ intervalMs: 1000 / 3, burst: 0 });
    let admitted = 0;
    for (let t = 0; t < 60_000; t++) if (k.at(t).granted) admitted++;
    expect(admitted).toBe(180);
  });
});

describe('MemoryLimiter', () => {
  test('applies the GCRA math on its clock and forgets idle keys', async () => {
    let now = 0;
    const limiter = new MemoryLimiter({ now: () => now, sweepEveryMs: 1000 });
    const rules = [{ key: 'host:a', intervalMs: 100 }];
    expect(await limiter.tryAcquire(rules)).toEqual({ granted: true, retryAfterMs: 0, decidedAtMs: 0 });
    expect((await limiter.tryAcquire(rules)).retryAfterMs).toBe(100);
    await limiter.holdOff('host:b', 50);
    expect(limiter.size).toBe(2);
    now = 2000;
    await limiter.tryAcquire([{ key: 'host:c', intervalMs: 100 }]);
    expect(limiter.size).toBe(1);
  });

  test('a URL must pass host and customer at once; a refusal by one records nothing on the other', async () => {
    let now = 0;
    const limiter = new MemoryLimiter({ now: () => now });
    const cust = { key: 'customer:acme', intervalMs: 500 };
    expect((await limiter.tryAcquire([{ key: 'host:a', intervalMs: 100 }, cust])).granted).toBe(true);
    now = 100;
    expect(await limiter.tryAcquire([{ key: 'host:a', intervalMs: 100 }, cust])).toMatchObject({ granted: false, retryAfterMs: 400 });
    // host:a was not advanced by the refused call, so another customer-free URL of host:a still passes now.
    expect((await limiter.tryAcquire([{ key: 'host:a', intervalMs: 100 }])).granted).toBe(true);
  });
});
