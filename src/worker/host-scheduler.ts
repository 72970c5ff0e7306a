/**
 * Decides which URL is fetched next. Each host has a FIFO queue; a host is tried when it is due, and the
 * limiter answers either "go" (the head URL starts, taking a concurrency slot) or "wait N ms" (the host is
 * parked until then, holding no slot and blocking no other host). So one slow or rate-limited host never
 * holds back the others of its partition — the reference guide's serial worker did exactly that.
 */
import type { Limiter, RateRule } from '../ratelimit/limiter.js';
import { MinHeap } from './min-heap.js';

export interface ScheduledItem {
  host: string;
  partition: number;
}

export interface Clock {
  now(): number;
  /** Calls fn after delayMs; returns a cancel function. */
  schedule(fn: () => void, delayMs: number): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  schedule: (fn, delayMs) => {
    const t = setTimeout(fn, delayMs);
    return () => clearTimeout(t);
  },
};

export interface HostSchedulerOptions<T extends ScheduledItem> {
  limiter: Limiter;
  /** The rate rules an item must pass (host, and customer when configured). */
  rulesFor(item: T): readonly RateRule[];
  /** Runs one item; the slot is held until the promise settles. Must not reject. */
  run(item: T): Promise<void>;
  /** Fetches in flight at once, over all hosts. @default 64 */
  concurrency: number;
  /** Fetches in flight at once for one host. @default 1 */
  perHostConcurrency?: number;
  /** Called when a limiter call fails (the item stays queued and is retried after `limiterRetryMs`). */
  onLimiterError?(err: unknown): void;
  /** Wait after a failed limiter call. @default 500 */
  limiterRetryMs?: number;
  clock?: Clock;
}

interface HostState<T> {
  queue: T[];
  inFlight: number;
  /** True while the host sits in the due-heap or waits on the limiter: never both, never twice. */
  scheduled: boolean;
}

export class HostScheduler<T extends ScheduledItem> {
  private readonly hosts = new Map<string, HostState<T>>();
  private readonly due = new MinHeap<string>();
  private readonly clock: Clock;
  private readonly perHost: number;
  /** Slots taken by running items and by limiter calls in progress (a call may turn into a run). */
  private slotsTaken = 0;
  private queued = 0;
  private cancelTimer: (() => void) | undefined;
  private timerAt = Infinity;
  private stopped = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: HostSchedulerOptions<T>) {
    this.clock = opts.clock ?? realClock;
    this.perHost = opts.perHostConcurrency ?? 1;
  }

  add(item: T): void {
    let state = this.hosts.get(item.host);
    if (!state) {
      state = { queue: [], inFlight: 0, scheduled: false };
      this.hosts.set(item.host, state);
    }
    state.queue.push(item);
    this.queued++;
    this.makeDue(item.host, state, this.clock.now());
    this.pump();
  }

  /** Removes the queued (not running) items of a partition, e.g. when it is revoked. Returns them. */
  dropPartition(partition: number): T[] {
    const dropped: T[] = [];
    for (const [host, state] of this.hosts) {
      const keep = state.queue.filter((item) => item.partition !== partition);
      if (keep.length !== state.queue.length) {
        dropped.push(...state.queue.filter((item) => item.partition === partition));
        state.queue = keep;
        this.forgetIfIdle(host, state);
      }
    }
    this.queued -= dropped.length;
    this.notifyIdle();
    return dropped;
  }

  /** Stops starting new items; running ones finish. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.notifyIdle();
  }

  /** Resolves when nothing is running (queued items may remain if stopped). */
  whenIdle(): Promise<void> {
    if (this.slotsTaken === 0 && (this.stopped || this.queued === 0)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): { queued: number; running: number; hosts: number; hostsWaiting: number } {
    return { queued: this.queued, running: this.slotsTaken, hosts: this.hosts.size, hostsWaiting: this.due.size };
  }

  private makeDue(host: string, state: HostState<T>, at: number): void {
    if (state.scheduled || state.queue.length === 0 || state.inFlight >= this.perHost) return;
    state.scheduled = true;
    this.due.push(at, host);
  }

  private pump(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    while (this.slotsTaken < this.opts.concurrency && (this.due.peekKey() ?? Infinity) <= now) {
      const host = this.due.pop()!;
      const state = this.hosts.get(host);
      if (!state) continue;
      this.slotsTaken++;
      void this.tryStart(host, state);
    }
    this.armTimer();
  }

  private armTimer(): void {
    const next = this.due.peekKey();
    if (next === undefined || this.slotsTaken >= this.opts.concurrency || this.stopped) return;
    if (next >= this.timerAt && this.cancelTimer) return;
    this.cancelTimer?.();
    this.timerAt = next;
    this.cancelTimer = this.clock.schedule(() => {
      this.cancelTimer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(0, next - this.clock.now()));
  }

  private async tryStart(host: string, state: HostState<T>): Promise<void> {
    const item = state.queue[0];
    if (!item || this.stopped) {
      state.scheduled = false;
      this.release(host, state);
      return;
    }
    let waitMs = 0;
    try {
      const answer = await this.opts.limiter.tryAcquire(this.opts.rulesFor(item));
      if (!answer.granted) waitMs = Math.max(1, answer.retryAfterMs);
    } catch (err) {
      this.opts.onLimiterError?.(err);
      waitMs = this.opts.limiterRetryMs ?? 500;
    }
    state.scheduled = false;
    // The queue may have changed while we waited (partition revoked): start whatever is at the head now.
    const head = state.queue[0];
    if (waitMs > 0 || this.stopped || !head) {
      this.makeDue(host, state, this.clock.now() + waitMs);
      this.release(host, state);
      return;
    }
    state.queue.shift();
    this.queued--;
    state.inFlight++;
    this.makeDue(host, state, this.clock.now());
    try {
      await this.opts.run(head);
    } finally {
      state.inFlight--;
      this.makeDue(host, state, this.clock.now());
      this.release(host, state);
    }
  }

  private release(host: string, state: HostState<T>): void {
    this.slotsTaken--;
    this.forgetIfIdle(host, state);
    this.notifyIdle();
    this.pump();
  }

  private forgetIfIdle(host: string, state: HostState<T>): void {
    if (state.queue.length === 0 && state.inFlight === 0 && !state.scheduled) this.hosts.delete(host);
  }

  private notifyIdle(): void {
    if (this.slotsTaken === 0 && (this.stopped || this.queued === 0)) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
