/**
 * The fetch stage: runs one URL through the fetcher with the politeness gate's hooks, turns the outcome into
 * records and hands them to outcome routing. It owns the abort controllers shutdown uses to give up on fetches,
 * and holds the scheduler's slot until the results awaiting the broker are under the byte budget.
 */
import { errorMessage } from '../errors.js';
import type { FetchOutcome } from '../fetch/types.js';
import type { FollowResult } from '../crawl/follow.js';
import { outcomeRecords, type OutcomeContext } from './outcomes.js';
import type { OutRecord } from './result-sink.js';
import type { WorkerStats } from './stats.js';
import type { PolitenessGate } from '../politeness/gate.js';
import type { WorkItem, WorkerOptions } from './types.js';

export interface FetchStageOptions {
  fetch: WorkerOptions['fetch'];
  gate: Pick<PolitenessGate, 'hooks' | 'honourRetryAfter'>;
  stats: Pick<WorkerStats, 'recordFetch' | 'recordLinks'>;
  /** --follow: the crawl step run on each page (see WorkerOptions.follow). */
  follow?: WorkerOptions['follow'];
  notModified?: WorkerOptions['notModified'];
  ctx(): OutcomeContext;
  /** Outcome routing: delivers the records (in the background) and finishes the offset. */
  route(item: WorkItem, records: OutRecord[]): Promise<void>;
  /** Resolves when the results awaiting the broker are under `limitBytes`. */
  belowBytes(limitBytes: number): Promise<void>;
  maxPendingBytes: number;
  /** Registers work a revocation of its partition must wait for. */
  trackInFlight(partition: number, work: Promise<void>): void;
}

export class FetchStage {
  private readonly abortControllers = new Set<AbortController>();

  constructor(private readonly opts: FetchStageOptions) {}

  /**
   * Runs one URL. The returned promise (which holds the scheduler's slot) settles when the fetch is done and
   * the results awaiting the broker are under the byte budget; delivery continues in the background, tracked
   * per partition so a revocation can wait for it.
   */
  run(item: WorkItem): Promise<void> {
    let releaseSlot!: () => void;
    const slot = new Promise<void>((r) => { releaseSlot = r; });
    const whole = (async () => {
      let delivered: Promise<void> | undefined;
      try {
        const records = await this.fetchToRecords(item);
        if (!records) return; // shutdown gave up on it: left unfinished, so it is redelivered.
        delivered = this.opts.route(item, records);
        // Holding the slot while too much is undelivered turns a slow broker into slower fetching, not memory.
        await this.opts.belowBytes(this.opts.maxPendingBytes);
      } finally {
        releaseSlot();
      }
      await delivered;
    })();
    this.opts.trackInFlight(item.partition, whole);
    return slot;
  }

  /** Fetches still running (shutdown reports them when it gives up). */
  running(): number {
    return this.abortControllers.size;
  }

  /** Gives up on every running fetch: their URLs stay unfinished and are redelivered. */
  abortAll(): void {
    for (const a of this.abortControllers) a.abort();
  }

  /**
   * Fetches and returns the outcome records, or undefined when shutdown aborted the fetch. Its own frame, so
   * the fetched body is garbage as soon as its record exists (the caller may wait long for the broker).
   */
  private async fetchToRecords(item: WorkItem): Promise<OutRecord[] | undefined> {
    const abort = new AbortController();
    this.abortControllers.add(abort);
    let result: FetchOutcome;
    try {
      result = await this.opts.fetch(item.envelope, { signal: abort.signal, hooks: this.opts.gate.hooks(item.envelope, abort.signal) });
    } catch (err) {
      result = { kind: 'retryable', status: null, error: `internal: ${errorMessage(err)}`, elapsedMs: 0 };
    } finally {
      this.abortControllers.delete(abort);
    }
    // The host's slot is released only once a Retry-After it sent is recorded.
    if (!abort.signal.aborted) await this.opts.gate.honourRetryAfter(item.host, result);
    if (abort.signal.aborted) return undefined;
    this.opts.stats.recordFetch(result);
    if (result.kind === 'not-modified') this.opts.notModified?.(item.envelope);
    if (result.kind !== 'page' || !this.opts.follow) return outcomeRecords(item.envelope, result, this.opts.ctx());
    let crawl: FollowResult;
    try {
      crawl = await this.opts.follow(item.envelope, result);
    } catch (err) {
      // Its links were not claimed: the page goes to the dlq, so a retry finds them (nothing is lost).
      return outcomeRecords(item.envelope, { kind: 'retryable', status: null, error: `crawl: ${errorMessage(err)}`, elapsedMs: result.elapsedMs }, this.opts.ctx());
    }
    this.opts.stats.recordLinks(crawl.counts);
    return [...outcomeRecords(item.envelope, result, this.opts.ctx(), crawl), ...crawl.records];
  }
}
