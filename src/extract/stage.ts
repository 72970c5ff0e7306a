/**
 * The extraction stage: runs queued pages through `process` (parse once, built-in, rules, the module, records
 * handed to delivery), at most `concurrency` at a time, yielding to the event loop before each page so the
 * consumer and the producer's delivery reports keep flowing while CPU-bound parsing runs. A page does not start
 * (its slot waits) while the records awaiting the broker are at or over the byte budget: a slow broker slows
 * extraction instead of growing memory, which stays under the budget plus one page's records per slot. It offers the lifecycle the scheduler's face (stop, whenIdle, stats).
 */
import type { PageItem } from './intake.js';

export interface ExtractStageOptions {
  concurrency: number;
  /** Extracts one page and hands its records to delivery; resolves when they are handed over (not delivered). Never rejects. */
  process(item: PageItem): Promise<void>;
  /** Resolves when the records awaiting the broker are under `limitBytes`. */
  belowBytes(limitBytes: number): Promise<void>;
  maxPendingBytes: number;
}

export class ExtractStage {
  private queue: PageItem[] = [];
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: ExtractStageOptions) {}

  add(item: PageItem): void {
    if (this.stopped) return;
    this.queue.push(item);
    this.pump();
  }

  /** Drops a revoked partition's queued pages (the next owner reads them from the committed offset). */
  dropPartition(partition: number): void {
    this.queue = this.queue.filter((item) => item.partition !== partition);
    this.notifyIdle();
  }

  /** No new page starts; queued ones stay unfinished (redelivered after the final commit). */
  stop(): void {
    this.stopped = true;
    this.queue = [];
    this.notifyIdle();
  }

  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): { queued: number; running: number; hosts: number; hostsWaiting: number } {
    return { queued: this.queue.length, running: this.running, hosts: 0, hostsWaiting: 0 };
  }

  private isIdle(): boolean {
    return this.running === 0 && (this.stopped || this.queue.length === 0);
  }

  private pump(): void {
    while (!this.stopped && this.running < this.opts.concurrency && this.queue.length) {
      const item = this.queue.shift()!;
      this.running++;
      void this.run(item).finally(() => {
        this.running--;
        this.pump();
        this.notifyIdle();
      });
    }
  }

  private async run(item: PageItem): Promise<void> {
    await new Promise((r) => setImmediate(r));
    // After the yield, not before it: pages that finished meanwhile may have filled the budget.
    await this.opts.belowBytes(this.opts.maxPendingBytes);
    if (this.stopped) return;
    await this.opts.process(item);
  }

  private notifyIdle(): void {
    if (!this.isIdle() || !this.idleWaiters.length) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
