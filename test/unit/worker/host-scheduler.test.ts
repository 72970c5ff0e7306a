import { describe, expect, test } from '@jest/globals';
import { HostScheduler, type Clock } from '../../../src/worker/host-scheduler.js';
import type { Limiter, RateRule } from '../../../src/ratelimit/limiter.js';

/** A clock the test moves by hand; timers fire when it passes them. */
class FakeClock implements Clock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  now = () => this.t;
  schedule = (fn: () => void, delayMs: number) => {
    const id = ++this.ids;
    this.timers.push({ at: this.t + delayMs, fn, id });
    return () => { this.timers = this.timers.filter((x) => x.id !== id); };
  };
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const next = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.at;
      next.fn();
    }
    this.t = end;
    await flush();
  }
}

const flush = async () => { for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r)); };

/** Evenly spaced admissions per key, on the fake clock. */
function spacingLimiter(clock: FakeClock): Limiter & { calls: number } {
  const next = new Map<string, number>();
  return {
    calls: 0,
    async tryAcquire(rules: readonly RateRule[]) {
      this.calls++;
      const waits = rules.map((r) => Math.max(0, (next.get(r.key) ?? 0) - clock.now()));
      const wait = Math.max(0, ...waits);
      if (wait > 0) return { granted: false, retryAfterMs: wait };
      for (const r of rules) next.set(r.key, clock.now() + r.intervalMs);
      return { granted: true, retryAfterMs: 0 };
    },
    async holdOff() {},
    async close() {},
  };
}

interface Item { host: string; partition: number; id: number }

function setup(opts: { concurrency: number; intervalMs?: Record<string, number>; autoFinish?: boolean }) {
  const clock = new FakeClock();
  const limiter = spacingLimiter(clock);
  const started: { id: number; host: string; at: number }[] = [];
  const finishers = new Map<number, () => void>();
  let running = 0;
  let maxRunning = 0;
  const scheduler = new HostScheduler<Item>({
    limiter,
    clock,
    concurrency: opts.concurrency,
    rulesFor: (item) => [{ key: `host:${item.host}`, intervalMs: opts.intervalMs?.[item.host] ?? 100 }],
    run: (item) => {
      started.push({ id: item.id, host: item.host, at: clock.now() });
      running++;
      maxRunning = Math.max(maxRunning, running);
      return new Promise<void>((resolve) => {
        const done = () => { running--; resolve(); };
        if (opts.autoFinish ?? true) setImmediate(done); else finishers.set(item.id, done);
      });
    },
  });
  return { clock, limiter, scheduler, started, finishers, maxRunning: () => maxRunning };
}

describe('HostScheduler', () => {
  test('keeps each host to its interval', async () => {
    const { clock, scheduler, started } = setup({ concurrency: 8 });
    for (let id = 0; id < 4; id++) scheduler.add({ host: 'a', partition: 0, id });
    await clock.advance(1_000);
    expect(started.map((s) => s.at)).toEqual([0, 100, 200, 300]);
  });

  test('a slow host does not block other hosts of the same partition', async () => {
    const { clock, scheduler, started, finishers } = setup({ concurrency: 4, autoFinish: false });
    scheduler.add({ host: 'slow', partition: 0, id: 1 });
    scheduler.add({ host: 'slow', partition: 0, id: 2 });
    for (let id = 10; id < 13; id++) scheduler.add({ host: `h${id}`, partition: 0, id });
    await clock.advance(50);
    expect(started.map((s) => s.id).sort()).toEqual([1, 10, 11, 12]);
    // id 2 waits for id 1 (one in flight per host), however long that takes.
    await clock.advance(10_000);
    expect(started.map((s) => s.id)).not.toContain(2);
    finishers.get(1)!();
    await clock.advance(1);
    expect(started.map((s) => s.id)).toContain(2);
  });

  test('a host waiting on the limiter holds no slot: with one slot, other hosts keep going', async () => {
    const { clock, scheduler, started } = setup({ concurrency: 1, intervalMs: { a: 10_000 } });
    scheduler.add({ host: 'a', partition: 0, id: 1 });
    scheduler.add({ host: 'a', partition: 0, id: 2 });
    for (let id = 10; id < 20; id++) scheduler.add({ host: `b${id}`, partition: 0, id });
    await clock.advance(100);
    expect(started.filter((s) => s.host.startsWith('b'))).toHaveLength(10);
    expect(started.find((s) => s.id === 2)).toBeUndefined();
    await clock.advance(10_000);
    expect(started.find((s) => s.id === 2)?.at).toBe(10_000);
  });

  test('never runs more than `concurrency` at once', async () => {
    const { clock, scheduler, maxRunning, started } = setup({ concurrency: 3 });
    for (let id = 0; id < 50; id++) scheduler.add({ host: `h${id % 25}`, partition: id % 3, id });
    await clock.advance(5_000);
    expect(started).toHaveLength(50);
    expect(maxRunning()).toBe(3);
  });

  test('dropPartition removes queued items of that partition only, and whenIdle resolves', async () => {
    const { clock, scheduler, started } = setup({ concurrency: 8, intervalMs: { a: 1_000 } });
    for (let id = 0; id < 6; id++) scheduler.add({ host: 'a', partition: id % 2, id });
    await clock.advance(10);
    const dropped = scheduler.dropPartition(1);
    expect(dropped.map((d) => d.id)).toEqual([1, 3, 5]);
    await clock.advance(10_000);
    expect(started.map((s) => s.id)).toEqual([0, 2, 4]);
    await scheduler.whenIdle();
    expect(scheduler.stats()).toMatchObject({ queued: 0, running: 0, hosts: 0 });
  });

  test('a failing limiter call is retried later, not lost and not busy-looped', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const errors: unknown[] = [];
    const ran: number[] = [];
    const scheduler = new HostScheduler<Item>({
      clock, concurrency: 2, limiterRetryMs: 500,
      limiter: {
        async tryAcquire() { calls++; if (calls <= 3) throw new Error('redis down'); return { granted: true, retryAfterMs: 0 }; },
        async holdOff() {}, async close() {},
      },
      rulesFor: () => [{ key: 'host:a', intervalMs: 1 }],
      run: async (item) => { ran.push(item.id); },
      onLimiterError: (e) => errors.push(e),
    });
    scheduler.add({ host: 'a', partition: 0, id: 7 });
    await clock.advance(1_000);
    expect(ran).toEqual([]);
    expect(calls).toBe(3);
    await clock.advance(1_000);
    expect(ran).toEqual([7]);
    expect(errors).toHaveLength(3);
  });

  test('stop() starts nothing new; running items finish', async () => {
    const { clock, scheduler, started, finishers } = setup({ concurrency: 4, autoFinish: false });
    scheduler.add({ host: 'a', partition: 0, id: 1 });
    scheduler.add({ host: 'b', partition: 0, id: 2 });
    await clock.advance(1);
    scheduler.stop();
    scheduler.add({ host: 'c', partition: 0, id: 3 });
    await clock.advance(1_000);
    expect(started.map((s) => s.id).sort()).toEqual([1, 2]);
    let idle = false;
    void scheduler.whenIdle().then(() => { idle = true; });
    await flush();
    expect(idle).toBe(false);
    finishers.get(1)!();
    finishers.get(2)!();
    await flush();
    expect(idle).toBe(true);
  });
});
