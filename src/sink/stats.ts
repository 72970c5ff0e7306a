/** The sink's counters: one object, rates computed in one place, a status line and a JSON summary. */
export class SinkStats {
  consumed = 0;
  rows = 0;
  /** Records below the stored offset (loaded before a crash or rebalance): not stored again. */
  skipped = 0;
  rejects = 0;
  batches = 0;
  /** Batch attempts that failed on the database (each retried). */
  dbFailures = 0;
  rebalances = 0;
  private readonly startedAt = Date.now();
  private lastRows = 0;
  private lastAt = Date.now();

  /** Rows per second since the previous call (the status line's rate). */
  rate(now = Date.now()): number {
    const perSec = ((this.rows - this.lastRows) * 1000) / Math.max(1, now - this.lastAt);
    this.lastRows = this.rows;
    this.lastAt = now;
    return perSec;
  }

  statusLine(gauges: { bufferedRows: number; inFlight: number; assigned: number; paused: number }): string {
    return [
      `${this.rate().toFixed(0)} rows/s`, `rows ${this.rows}`, `consumed ${this.consumed}`,
      ...(this.skipped ? [`skipped ${this.skipped}`] : []), ...(this.rejects ? [`rejected ${this.rejects}`] : []),
      `buffered ${gauges.bufferedRows}`, `batches in flight ${gauges.inFlight}`,
      `partitions ${gauges.assigned}${gauges.paused ? ` (${gauges.paused} paused)` : ''}`,
      ...(this.dbFailures ? [`db retries ${this.dbFailures}`] : []),
      memoryLine(),
    ].join(' · ');
  }

  toJSON(): Record<string, number> {
    const seconds = (Date.now() - this.startedAt) / 1000;
    return {
      consumed: this.consumed, rows: this.rows, skipped: this.skipped, rejected: this.rejects, batches: this.batches,
      db_failures: this.dbFailures, rebalances: this.rebalances, seconds: Math.round(seconds * 10) / 10,
      rows_per_sec: Math.round(this.rows / Math.max(seconds, 0.001)),
    };
  }
}

/** Resident memory and its JavaScript part (the heap and the Buffers it holds), in MB. */
function memoryLine(): string {
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 1_048_576);
  return `rss ${mb(m.rss)} MB (heap ${mb(m.heapUsed)}, buffers ${mb(m.arrayBuffers)})`;
}
