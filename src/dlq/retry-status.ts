/** `dlq retry`'s status line in continuous mode: one line per interval on stderr, only when it changed. */
import type { Logger } from '../log.js';
import type { RetrySummary } from './retry-batch.js';

/** Continuous mode logs one status line per interval on stderr (when something changed). */
const STATUS_INTERVAL_MS = 60_000;

export class StatusLine {
  private last = '';

  /** @param lastAt when the interval starts (the run's start) */
  constructor(private readonly logger: Logger, private readonly now: () => number, private lastAt: number) {}

  /** Logs the status when an interval has passed since the last one and it differs from it. */
  maybeLog(summary: RetrySummary, waiting: ReadonlyMap<number, { dueAt: number }>): void {
    if (this.now() - this.lastAt < STATUS_INTERVAL_MS) return;
    this.lastAt = this.now();
    const line = statusText(summary, waiting);
    if (line !== this.last) this.logger.info(line);
    this.last = line;
  }
}

export function statusText(summary: RetrySummary, waiting: ReadonlyMap<number, { dueAt: number }>): string {
  const next = Math.min(...[...waiting.values()].map((w) => w.dueAt));
  return `dlq retry: re-emitted ${summary.reEmitted}, parked ${summary.parked['max-attempts'] + summary.parked.malformed}, `
    + `${waiting.size} partition(s) waiting${waiting.size ? `, next due ${new Date(next).toISOString()}` : ''}`;
}
