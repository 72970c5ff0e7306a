/**
 * `dlq retry`'s handling of one fetched batch of one dlq partition: decide each record in order (re-emit, park,
 * or wait), make the decided ones durable and commit past them, and stop the partition at the first record that
 * is not due: paused, and (continuous mode) resumed by a timer when it is due.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { OnceProgress } from './once-progress.js';
import { BatchNotCommitted, type CommitHandled, type Handled } from './retry-output.js';
import { decide, type RetryPolicy } from './retry-policy.js';

export interface RetrySummary {
  reEmitted: number;
  parked: { 'max-attempts': number; malformed: number };
  /** Partitions left waiting for a record that is not due, with when it will be. */
  waiting: { partition: number; offset: number; dueAt: number }[];
}

/** The part of the client's eachBatch payload the handler uses. */
export interface BatchPayload {
  batch: { topic: string; partition: number; messages: { offset: string; value: Buffer | null }[] };
  resolveOffset(o: string): void;
  pause(): void;
}

export interface BatchHandlerParts {
  policy: RetryPolicy;
  commit: CommitHandled;
  logger: Logger;
  now: () => number;
  /** With --once: what is left to handle (no timers then: a waiting partition is left for the next run). */
  progress: OnceProgress | undefined;
  once: boolean;
  /** Resumes a paused partition (the consumer's resume). */
  resume: (partition: number) => void;
  /** Called with each re-emitted host (the fair partitioner's local depth). */
  onReEmit?: (host: string) => void;
  stopping: () => boolean;
  /** How long commits may keep failing (no batch committed) before the run stops. @default 180000 */
  failingBoundMs?: number;
}

/** Pause before a batch whose transaction failed is handled again. */
const RETRY_PAUSE_MS = 1_000;

export class BatchHandler {
  readonly summary: RetrySummary = { reEmitted: 0, parked: { 'max-attempts': 0, malformed: 0 }, waiting: [] };
  /** Partitions paused at a record that is not due. */
  readonly waiting = new Map<number, { offset: number; dueAt: number }>();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  /** When transactions started failing without one committing since (undefined: the last one committed). */
  private failingSince: number | undefined;

  constructor(private readonly p: BatchHandlerParts) {}

  async handle(payload: BatchPayload): Promise<void> {
    const { partition, messages } = payload.batch;
    const { progress, logger } = this.p;
    const clock = this.p.now();
    const handled: Handled[] = [];
    let wait: { offset: number; dueAt: number } | undefined;
    let reachedStopMark = false;
    for (const m of messages) {
      if (this.p.stopping()) break;
      const offset = Number(m.offset);
      if (progress?.beyondStart(partition, offset)) { reachedStopMark = true; break; }
      const d = decide(m.value, clock, this.p.policy);
      if (d.action === 'wait') { wait = { offset, dueAt: d.dueAt }; break; }
      handled.push({ offset, d });
    }
    if (handled.length) {
      const last = handled[handled.length - 1]!.offset;
      if (!(await this.committed(payload.batch.topic, partition, handled, last + 1))) return;
      payload.resolveOffset(String(last));
      this.count(handled);
      progress?.handledThrough(partition, last);
      this.waiting.delete(partition);
      logger.debug(`dlq retry: partition ${partition}: handled ${handled.length}, committed ${last + 1}`);
    }
    if (wait) {
      // Paused: the client drops what it already fetched of this partition and seeks back to the first
      // unresolved offset (this record), so it is read again on resume and nothing behind it is skipped.
      payload.pause();
      this.waiting.set(partition, wait);
      progress?.blockedAt(partition);
      if (!this.p.once) this.scheduleResume(partition, wait.dueAt);
      logger.debug(`dlq retry: partition ${partition} waits for offset ${wait.offset}, due ${new Date(wait.dueAt).toISOString()}`);
    } else if (reachedStopMark) {
      payload.pause();
    }
  }

  /**
   * Commits; false when the batch was not committed and is to be handled again: returning without
   * resolving an offset makes the client seek back to the batch's first record.
   */
  private async committed(topic: string, partition: number, handled: Handled[], next: number): Promise<boolean> {
    try {
      await this.p.commit(topic, partition, handled, next);
      this.failingSince = undefined;
      return true;
    } catch (err) {
      if (!(err instanceof BatchNotCommitted)) throw err;
      // Delivered though not committed: re-emitted (and, handled again, re-emitted once more: at least once).
      if (err.delivered) this.count(handled);
      const now = this.p.now();
      this.failingSince ??= now;
      const bound = this.p.failingBoundMs ?? 180_000;
      if (now - this.failingSince > bound) throw new Error(`commits kept failing for ${Math.round((now - this.failingSince) / 1000)} s: ${err.message}`, { cause: err });
      this.p.logger.info(`dlq retry: ${err.message}; handling the batch again in ${RETRY_PAUSE_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
      return false;
    }
  }

  private count(handled: Handled[]): void {
    for (const { d } of handled) {
      if (d.action === 're-emit') { this.summary.reEmitted++; this.p.onReEmit?.(d.envelope.host); } else this.summary.parked[d.reason]++;
    }
  }

  /** Cancels every pending resume (at shutdown). */
  clearTimers(): void {
    for (const t of this.timers.values()) clearTimeout(t);
  }

  /** The summary, with the partitions still waiting in partition order. */
  result(): RetrySummary {
    this.summary.waiting = [...this.waiting].map(([partition, w]) => ({ partition, ...w })).sort((a, b) => a.partition - b.partition);
    return this.summary;
  }

  private scheduleResume(partition: number, due: number): void {
    clearTimeout(this.timers.get(partition));
    // Capped so a far-off due time is re-checked now and then instead of overflowing the timer.
    const delay = Math.min(Math.max(0, due - this.p.now()) + 50, 3_600_000);
    this.timers.set(partition, setTimeout(() => {
      this.timers.delete(partition);
      if (this.p.stopping()) return;
      try {
        this.p.resume(partition);
      } catch (err) {
        this.p.logger.debug(`dlq retry: resume of partition ${partition}: ${errorMessage(err)} (reassigned elsewhere?)`);
      }
    }, delay));
  }
}
