/**
 * The worker's counters, kept raw; rates are computed in one place (`snapshot`), for the status line,
 * the final summary, --json and the Prometheus exporter alike.
 */
import type { FetchOutcome } from '../fetch/types.js';

export class WorkerStats {
  readonly startedAt = Date.now();
  /** Told about every fetch (the Prometheus exporter's histogram). */
  onFetch: ((result: FetchOutcome) => void) | undefined;
  consumed = 0;
  malformed = 0;
  fetched = 0;
  pages = 0;
  errors = 0;
  dlq = 0;
  /** Recrawled URLs the server said were unchanged (304 to the previous fetch's validators). */
  notModified = 0;
  /** --follow: URLs that redirected to a URL their crawl already has (not fetched again). */
  duplicates = 0;
  committed = 0;
  commitFailures = 0;
  rebalances = 0;
  consumerRestarts = 0;
  deliveryRetries = 0;
  limiterErrors = 0;
  bytes = 0;
  readonly byStatus = new Map<number, number>();
  readonly byReason = new Map<string, number>();
  /** --follow: discovered links by what became of them (queued, seen, out-of-scope, ...). */
  readonly links = new Map<string, number>();
  /** URLs of a stopped crawl dropped unfetched. */
  stopped = 0;
  /** Fetch latencies of the current interval, for the status line's p50. */
  private latencies: number[] = [];
  private lastSnapshot = { at: Date.now(), fetched: 0 };

  recordLinks(counts: Readonly<Record<string, number>>): void {
    for (const [k, n] of Object.entries(counts)) this.links.set(k, (this.links.get(k) ?? 0) + n);
  }

  recordFetch(result: FetchOutcome): void {
    this.fetched++;
    this.onFetch?.(result);
    if (result.kind === 'page') {
      this.pages++;
      this.bytes += result.bytes;
    } else if (result.kind === 'not-modified') {
      this.notModified++;
    } else if (result.kind === 'duplicate') {
      this.duplicates++;
    } else if (result.kind === 'error') {
      this.errors++;
      this.byReason.set(result.reason, (this.byReason.get(result.reason) ?? 0) + 1);
    } else {
      this.dlq++;
      this.byReason.set(result.error, (this.byReason.get(result.error) ?? 0) + 1);
    }
    const status = result.status;
    if (status !== null) this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    if (this.latencies.length < 10_000) this.latencies.push(result.elapsedMs);
  }

  /** Rates since the previous call; counters since the start. */
  snapshot(gauges: { inFlight: number; queued: number; hosts: number; pausedPartitions: number; assigned: number }) {
    const now = Date.now();
    const seconds = Math.max(0.001, (now - this.lastSnapshot.at) / 1000);
    const rate = (this.fetched - this.lastSnapshot.fetched) / seconds;
    const sorted = this.latencies.sort((a, b) => a - b);
    const p50 = sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
    this.latencies = [];
    this.lastSnapshot = { at: now, fetched: this.fetched };
    return { ...this.toJSON(), ...gauges, fetchedPerSec: rate, p50Ms: p50 };
  }

  toJSON() {
    const seconds = (Date.now() - this.startedAt) / 1000;
    return {
      consumed: this.consumed, malformed: this.malformed, fetched: this.fetched, pages: this.pages, errors: this.errors,
      dlq: this.dlq, notModified: this.notModified, bytes: this.bytes, committed: this.committed, commitFailures: this.commitFailures,
      rebalances: this.rebalances, consumerRestarts: this.consumerRestarts, deliveryRetries: this.deliveryRetries,
      limiterErrors: this.limiterErrors, seconds, avgFetchedPerSec: this.fetched / Math.max(0.001, seconds),
      byStatus: Object.fromEntries(this.byStatus), byReason: Object.fromEntries(this.byReason),
      ...(this.links.size || this.stopped || this.duplicates ? { links: Object.fromEntries(this.links), stopped: this.stopped, duplicates: this.duplicates } : {}),
    };
  }
}

export type WorkerSnapshot = ReturnType<WorkerStats['snapshot']>;
