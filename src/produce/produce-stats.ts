/**
 * The counters of one `kscrape produce` run. Every URL read ends in exactly one of delivered, rejected,
 * duplicate (with --dedupe) or failed (written to the fallback file); `accounted()` checks that.
 */
import { formatDuration } from '../units.js';

export class ProduceStats {
  /** Non-blank, non-comment lines read. */
  lines = 0;
  delivered = 0;
  rejected = 0;
  readonly rejectedBy = new Map<string, number>();
  duplicates = 0;
  /** Not delivered, written to the fallback file. */
  failed = 0;
  /** Queued to the producer and not reported failed; delivered once the producer has settled (`settleQueued`). */
  inFlight = 0;
  /** Failure reasons (librdkafka error names) for the summary. */
  readonly failedBy = new Map<string, number>();
  private readonly perPartition: number[] = [];
  private readonly queuedPerPartition: number[] = [];
  readonly startedAt: number;
  finishedAt: number | undefined;

  constructor(now = Date.now()) {
    this.startedAt = now;
  }

  reject(reason: string): void {
    this.rejected++;
    this.rejectedBy.set(reason, (this.rejectedBy.get(reason) ?? 0) + 1);
  }

  deliver(partition: number): void {
    this.delivered++;
    this.perPartition[partition] = (this.perPartition[partition] ?? 0) + 1;
  }

  /** Queued to the producer (librdkafka reports only failures: see src/kafka/bulk-producer.ts). */
  queue(partition: number): void {
    this.inFlight++;
    this.queuedPerPartition[partition] = (this.queuedPerPartition[partition] ?? 0) + 1;
  }

  /** A queued message reported undelivered. */
  failQueued(partition: number, reason: string): void {
    this.inFlight--;
    this.queuedPerPartition[partition] = (this.queuedPerPartition[partition] ?? 0) - 1;
    this.fail(reason);
  }

  /** The producer holds nothing any more: every queued message not reported failed was delivered. */
  settleQueued(): void {
    this.queuedPerPartition.forEach((n, p) => {
      this.delivered += n;
      this.perPartition[p] = (this.perPartition[p] ?? 0) + n;
    });
    this.queuedPerPartition.length = 0;
    this.inFlight = 0;
  }

  fail(reason: string): void {
    this.failed++;
    this.failedBy.set(reason, (this.failedBy.get(reason) ?? 0) + 1);
  }

  partitionsUsed(): number {
    return this.perPartition.filter((n) => n > 0).length;
  }

  /** True when every line read has exactly one outcome. */
  accounted(): boolean {
    return this.lines === this.delivered + this.rejected + this.duplicates + this.failed && this.inFlight === 0;
  }

  elapsedMs(now = Date.now()): number {
    return (this.finishedAt ?? now) - this.startedAt;
  }

  /** Delivered (during the run: queued and not failed) URLs per second over the run so far. */
  rate(now = Date.now()): number {
    const ms = this.elapsedMs(now);
    return ms > 0 ? ((this.delivered + this.inFlight) * 1000) / ms : 0;
  }

  toJSON(): Record<string, unknown> {
    return {
      lines: this.lines,
      delivered: this.delivered,
      rejected: this.rejected,
      rejected_by_reason: Object.fromEntries(this.rejectedBy),
      duplicates_skipped: this.duplicates,
      failed: this.failed,
      failed_by_reason: Object.fromEntries(this.failedBy),
      partitions_used: this.partitionsUsed(),
      elapsed_ms: this.elapsedMs(),
      urls_per_second: Math.round(this.rate()),
    };
  }

  /** One line for the spinner. */
  progressLine(): string {
    return `${fmt(this.delivered + this.inFlight)} sent, ${fmt(this.rejected)} rejected, ${fmt(this.failed)} failed  ${fmt(Math.round(this.rate()))}/s`;
  }
}

/** The transactions of a run (src/produce/produce-transactions.ts). */
export interface TransactionCounters {
  committed: number;
  aborted: number;
  /** Aborts without the broker's answer: it aborts them itself after transaction.timeout.ms. */
  abortsUnconfirmed: number;
  /** URLs of commits that had no definite answer in time: in the fallback file, and perhaps in the topic too. */
  urlsInDoubt: number;
}

export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function reasons(map: Map<string, number>): string {
  return map.size ? ` (${[...map].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${fmt(n)}`).join(', ')})` : '';
}

export interface SummaryContext {
  topic: string;
  partitionCount: number;
  dedupe: boolean;
  fallbackFile: string | undefined;
  rejectsFile: string | undefined;
  stoppedBy: string | undefined;
  transactions: TransactionCounters;
}

/** The human summary, a few lines for stderr. */
export function renderSummary(stats: ProduceStats, c: SummaryContext): string {
  const lines = [
    `${c.stoppedBy ? `stopped by ${c.stoppedBy}: ` : ''}${fmt(stats.delivered)} URLs delivered to ${c.topic} in ${formatDuration(stats.elapsedMs())} ` +
      `(${fmt(Math.round(stats.rate()))}/s), ${stats.partitionsUsed()}/${c.partitionCount} partitions used`,
    `rejected ${fmt(stats.rejected)}${reasons(stats.rejectedBy)}${stats.rejected && c.rejectsFile ? ` -> ${c.rejectsFile}` : ''}` +
      `${c.dedupe ? `, duplicates skipped ${fmt(stats.duplicates)}` : ''}, failed ${fmt(stats.failed)}${reasons(stats.failedBy)}`,
  ];
  const t = c.transactions;
  if (t.aborted) lines.push(`${fmt(t.aborted)} of ${fmt(t.committed + t.aborted)} transactions aborted: read_committed readers (kscrape work) never see their URLs`);
  if (t.abortsUnconfirmed) lines.push(`${fmt(t.abortsUnconfirmed)} aborts not confirmed by the broker: it aborts them after transaction.timeout.ms; read_committed readers of their partitions wait until then`);
  if (stats.failed && c.fallbackFile) lines.push(`${fmt(stats.failed)} URLs not delivered are in ${c.fallbackFile}; replay: kscrape produce ${c.fallbackFile}`);
  return `${lines.join('\n')}\n`;
}
