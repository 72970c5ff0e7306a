/**
 * The open transaction of a produce run: which URLs it holds, when it is committed, and where they go when it
 * cannot be. A URL counts as delivered only when its transaction commits; when any of its messages fails or
 * times out, or the commit fails or does not finish in time, the transaction is aborted and every URL of it
 * goes to the fallback file (read_committed readers, kscrape's workers among them, never see an aborted
 * message; a read_uncommitted reader may). Then the broker is taken to be failing: nothing more is sent.
 *
 * Memory: the open transaction's envelopes are kept (they are what the fallback file needs if it aborts), at
 * most `maxUrls` of them: once that many are queued the sender waits for the commit before it queues another.
 *
 * A transaction is committed when it holds `maxUrls` URLs, when its first URL is `maxAgeMs` old (by a timer,
 * so slow input is delivered promptly too), and at the end of the run (or on SIGINT/SIGTERM).
 */
import type { FailureReport, TxnOutcome } from '../kafka/index.js';
import type { Logger } from '../log.js';
import type { RedisDepthSource } from '../partition/redis-depth.js';
import type { UrlEnvelope } from '../records/index.js';
import type { DedupeClaims } from './dedupe-claims.js';
import type { JsonLinesFile } from './json-lines-file.js';
import type { ProduceStats, TransactionCounters } from './produce-stats.js';

/** The transactional calls the run needs (BulkProducer's). */
export interface TransactionalProducer {
  beginTransaction(): Promise<TxnOutcome>;
  commitTransaction(timeoutMs: number): Promise<TxnOutcome>;
  abortTransaction(timeoutMs: number): Promise<TxnOutcome>;
}

export interface TransactionOptions {
  stats: ProduceStats;
  fallback: JsonLinesFile;
  logger: Logger;
  /** URLs per transaction at most. */
  maxUrls: number;
  /** A transaction is committed at the latest this long after its first URL was queued. */
  maxAgeMs: number;
  /** How long a commit (then an abort) may take in all: every queued message's outcome (settleBoundMs). */
  settleBoundMs: number;
  claims?: DedupeClaims;
  redisDepth?: RedisDepthSource;
  /** A commit still without an answer after this long is said in a warning (once per commit). @default 5000 */
  slowCommitWarnMs?: number;
}

/** librdkafka's reports for messages an abort purged: the abort's doing, not a sign of a failing broker. */
const PURGED = new Set(['ERR__PURGE_QUEUE', 'ERR__PURGE_INFLIGHT']);
/** Pause between resumed calls of a transactional API that returned a retriable error. */
const RESUME_PAUSE_MS = 100;
/** The reason given to URLs whose transaction's commit had no definite answer when its time ran out. */
export const COMMIT_UNKNOWN = 'commit-outcome-unknown';

export class ProduceTransactions {
  /** Set when a transaction failed (a failure report, an abort): nothing more is sent. */
  failingSince: string | undefined;
  /** The sender's sends that wait for room in librdkafka's queue; the timer does not commit under them. */
  waitingSends = 0;
  /** committed, aborted; of the aborted: aborts the broker did not confirm, and URLs whose commit is in doubt. */
  readonly counters: TransactionCounters = { committed: 0, aborted: 0, abortsUnconfirmed: 0, urlsInDoubt: 0 };
  private envelopes: UrlEnvelope[] = [];
  private partitions: number[] = [];
  /** The first failure reported for a message of the open transaction: it cannot commit. */
  private doomedBy: string | undefined;
  private settling: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private producer: TransactionalProducer | undefined;

  constructor(private readonly opts: TransactionOptions) {}

  /** The producer, once connected (its first transaction begun). */
  attach(producer: TransactionalProducer): void {
    this.producer = producer;
  }

  /** A settle under way (the sender waits for it before queuing more). */
  get pending(): Promise<void> | undefined {
    return this.settling;
  }

  /** URLs in the open transaction. */
  get size(): number {
    return this.envelopes.length;
  }

  /** A URL queued into the open transaction. */
  add(partition: number, envelope: UrlEnvelope): void {
    this.envelopes.push(envelope);
    this.partitions.push(partition);
    this.opts.stats.queue(partition);
    this.opts.redisDepth?.add(envelope.host);
    if (this.envelopes.length === 1) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.waitingSends === 0) void this.settle().catch((err: unknown) => this.opts.logger.warn(`transaction: ${String(err)}`));
      }, this.opts.maxAgeMs);
    }
  }

  /** Time to commit: full, or the timer fired while a send was waiting. */
  due(): boolean {
    return this.envelopes.length >= this.opts.maxUrls || (this.envelopes.length > 0 && this.timer === undefined);
  }

  /** BulkProducer's onFailure: a message of the open transaction failed, so it will abort. */
  report({ reason }: FailureReport): void {
    if (PURGED.has(reason)) return;
    this.doomedBy ??= reason;
    this.failingSince ??= reason;
  }

  /**
   * Commits the open transaction (or aborts it into the fallback file), then begins the next unless `last` or
   * the broker is failing. One at a time: a call during a settle gets that settle.
   */
  settle(last = false): Promise<void> {
    this.settling ??= this.commitOrAbort(last).finally(() => { this.settling = undefined; });
    return this.settling;
  }

  private async commitOrAbort(last: boolean): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const producer = this.producer;
    if (!producer || this.envelopes.length === 0) return;
    const deadline = Date.now() + this.opts.settleBoundMs;
    const committed = this.doomedBy ? undefined : await this.saidWhenSlow('commit', resume(() => producer.commitTransaction(deadline - Date.now()), deadline));
    if (committed?.ok) {
      this.counters.committed++;
      this.opts.stats.settleQueued();
      this.clear();
      if (!last) await this.begin(producer);
      return;
    }
    // Still retriable when time ran out: the commit request may have reached the broker (in doubt).
    const unknown = committed !== undefined && !committed.ok && committed.retriable && !committed.abortable && !committed.fatal;
    const reason = this.doomedBy ?? (unknown ? COMMIT_UNKNOWN : committed?.reason ?? 'transaction-failed');
    const aborted = unknown ? undefined : await this.saidWhenSlow('abort', resume(() => producer.abortTransaction(Math.max(1, deadline - Date.now())), Math.max(deadline, Date.now() + 5_000)));
    this.counters.aborted++;
    this.failingSince ??= reason;
    if (unknown) {
      // The one case the fallback file cannot settle: say it, whatever the output mode.
      this.counters.urlsInDoubt += this.envelopes.length;
      this.opts.logger.warn(`the commit of ${this.envelopes.length} URLs had no answer within ${this.opts.settleBoundMs} ms: they go to the fallback file, and may be in the topic too`);
    } else if (!aborted?.ok) {
      // Said in the summary (abortsUnconfirmed): the broker aborts it after transaction.timeout.ms.
      this.counters.abortsUnconfirmed++;
      this.opts.logger.debug(`transaction of ${this.envelopes.length} URLs failed (${reason}); its abort did not finish (${aborted?.reason ?? '?'})`);
    } else {
      this.opts.logger.debug(`transaction of ${this.envelopes.length} URLs aborted (${reason}): they go to the fallback file`);
    }
    await this.toFallback(reason);
  }

  /**
   * A commit waits for every replica in the ISR (acks=all) and for the transaction coordinator: with brokers down
   * and partitions below min.insync.replicas it can wait its whole bound in silence (seen on a 3-broker cluster
   * with two brokers killed: 45 s without a line). So a slow one is said while it waits.
   */
  private async saidWhenSlow<T>(what: 'commit' | 'abort', call: Promise<T>): Promise<T> {
    const warnMs = this.opts.slowCommitWarnMs ?? 5_000;
    const urls = this.envelopes.length;
    const timer = setTimeout(() => this.opts.logger.warn(`the ${what} of a transaction of ${urls} URLs has had no answer for ${warnMs / 1000} s `
      + `(brokers down, or partitions of the topic or of __transaction_state below min.insync.replicas?); `
      + (what === 'commit'
        ? `it is given ${Math.round(this.opts.settleBoundMs / 1000)} s in all (--flush-timeout), then its URLs go to the fallback file`
        : 'its URLs go to the fallback file whatever its answer')), warnMs);
    try {
      return await call;
    } finally {
      clearTimeout(timer);
    }
  }

  private async begin(producer: TransactionalProducer): Promise<void> {
    const begun = await producer.beginTransaction();
    if (!begun.ok) this.failingSince ??= begun.reason;
  }

  private async toFallback(reason: string): Promise<void> {
    const { envelopes, partitions } = this;
    this.clear();
    for (let i = 0; i < envelopes.length; i++) {
      const envelope = envelopes[i]!;
      this.opts.stats.failQueued(partitions[i]!, reason);
      this.opts.redisDepth?.add(envelope.host, -1);
      this.opts.claims?.undelivered(envelope.url);
      await this.opts.fallback.write(envelope);
    }
  }

  private clear(): void {
    this.envelopes = [];
    this.partitions = [];
    this.doomedBy = undefined;
  }
}

/** Calls a resumable transactional API again while it returns a retriable error and time remains. */
async function resume(call: () => Promise<TxnOutcome>, deadline: number): Promise<TxnOutcome> {
  for (;;) {
    const outcome = await call();
    if (outcome.ok || !outcome.retriable || outcome.abortable || outcome.fatal || Date.now() + RESUME_PAUSE_MS >= deadline) return outcome;
    await new Promise((r) => setTimeout(r, RESUME_PAUSE_MS));
  }
}
