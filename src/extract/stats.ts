/** `kscrape extract`'s own counters, kept raw; the status line, --json summary and Prometheus read them. */
import type { ErrorReason } from '../records/index.js';

export class ExtractStats {
  readonly startedAt = Date.now();
  extracted = 0;
  items = 0;
  /** Problems inside extracted pages (broken JSON-LD, required fields missing): in the records' errors. */
  issues = 0;
  failed = 0;
  moduleFailures = 0;
  bytes = 0;
  readonly byReason = new Map<ErrorReason, number>();
  private last = { at: Date.now(), done: 0 };

  recordFailure(reason: ErrorReason): void {
    this.failed++;
    if (reason === 'extract-failed') this.moduleFailures++;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
  }

  /** Pages per second since the previous call. */
  rate(): number {
    const now = Date.now();
    const done = this.extracted + this.failed;
    const perSec = (done - this.last.done) / Math.max(0.001, (now - this.last.at) / 1000);
    this.last = { at: now, done };
    return perSec;
  }

  toJSON() {
    const seconds = (Date.now() - this.startedAt) / 1000;
    return {
      extracted: this.extracted, items: this.items, issues: this.issues, failed: this.failed, moduleFailures: this.moduleFailures,
      bytes: this.bytes, seconds, avgPagesPerSec: (this.extracted + this.failed) / Math.max(0.001, seconds),
      byReason: Object.fromEntries(this.byReason),
    };
  }
}
