/**
 * `crawl stop` as seen by a worker: whether a crawl is stopped, answered synchronously from a cache refreshed in
 * the background at most every `maxAgeMs` per crawl (intake asks for every URL; Redis is asked about once a
 * second). A URL consumed in the first moments after a stop may still be fetched; none after the refresh.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { CrawlStore } from './store.js';

export class StopFlags {
  private readonly known = new Map<string, { stopped: boolean; at: number; refreshing: boolean }>();
  private warned = false;
  /** Counts per crawl and counter (`stopped`, `not-modified`) since the last flush into the crawl's stats. */
  private readonly pending = new Map<string, Map<string, number>>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: { store: Pick<CrawlStore, 'isStopped' | 'count'>; maxAgeMs: number; logger: Logger }) {
    this.timer = setInterval(() => void this.flush(), opts.maxAgeMs);
    this.timer.unref();
  }

  /** A URL of a stopped crawl was dropped: counted in the crawl's stats (batched, once per interval). */
  countDropped(crawlId: string): void {
    this.countLater(crawlId, 'stopped');
  }

  /** Adds one to a crawl counter, batched like the dropped URLs (a worker's counts cost one call per interval). */
  countLater(crawlId: string, counter: string): void {
    let counters = this.pending.get(crawlId);
    if (!counters) this.pending.set(crawlId, (counters = new Map()));
    counters.set(counter, (counters.get(counter) ?? 0) + 1);
  }

  async flush(): Promise<void> {
    const counts = [...this.pending];
    this.pending.clear();
    for (const [crawlId, counters] of counts) {
      for (const [counter, n] of counters) {
        await this.opts.store.count(crawlId, counter, n).catch((err: unknown) => this.opts.logger.warn(`crawl ${crawlId}: could not count ${n} ${counter} URLs: ${errorMessage(err)}`));
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  isStopped(crawlId: string): boolean {
    let entry = this.known.get(crawlId);
    if (!entry) this.known.set(crawlId, (entry = { stopped: false, at: 0, refreshing: false }));
    if (!entry.refreshing && Date.now() - entry.at >= this.opts.maxAgeMs && !entry.stopped) this.refresh(crawlId, entry);
    return entry.stopped;
  }

  /** Asks the store now (tests and the first URL of a crawl wait for it through this). */
  async check(crawlId: string): Promise<boolean> {
    this.isStopped(crawlId);
    const entry = this.known.get(crawlId)!;
    if (entry.refreshing) await new Promise<void>((r) => { const t = setInterval(() => { if (!entry.refreshing) { clearInterval(t); r(); } }, 10); });
    return entry.stopped;
  }

  private refresh(crawlId: string, entry: { stopped: boolean; at: number; refreshing: boolean }): void {
    entry.refreshing = true;
    this.opts.store.isStopped(crawlId).then(
      (stopped) => { entry.stopped = stopped; },
      (err: unknown) => { if (!this.warned) this.opts.logger.warn(`crawl stop flag of ${crawlId}: ${errorMessage(err)} (taken as running)`); this.warned = true; },
    ).finally(() => { entry.at = Date.now(); entry.refreshing = false; });
  }
}
