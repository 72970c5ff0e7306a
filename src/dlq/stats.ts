/**
 * `dlq stats`: what is in the dead-letter queue, as pure aggregation over its records (the guide's "ops review"):
 * counts by error, HTTP status and host, an age histogram, and how many are due for retry now.
 */
import { decodeDlqRecord } from '../records/index.js';
import { dueAt, type RetryPolicy } from './retry-policy.js';

export interface DlqStats {
  total: number;
  malformed: number;
  /** Due now under the policy (and below --max-attempts). */
  dueNow: number;
  /** At or past --max-attempts: the next retry run parks them. */
  toPark: number;
  byError: Record<string, number>;
  byStatus: Record<string, number>;
  byHost: Record<string, number>;
  byAttempts: Record<string, number>;
  /** Age since failed_at, by bucket label (`<1h`, `1-6h`, ...). */
  ageHistogram: Record<string, number>;
  oldestFailedAt: number | null;
}

export const AGE_BUCKETS: readonly { label: string; maxMs: number }[] = [
  { label: '<10m', maxMs: 600_000 },
  { label: '10m-1h', maxMs: 3_600_000 },
  { label: '1-6h', maxMs: 6 * 3_600_000 },
  { label: '6-24h', maxMs: 24 * 3_600_000 },
  { label: '1-7d', maxMs: 7 * 86_400_000 },
  { label: '>7d', maxMs: Infinity },
];

/** Long error texts (with URLs, addresses) are grouped by their first words. */
export function errorClass(error: string): string {
  const first = error.split(/[:(\n]/)[0]!.trim();
  return (first || '(empty)').slice(0, 60);
}

export class DlqStatsBuilder {
  private readonly s: DlqStats = {
    total: 0, malformed: 0, dueNow: 0, toPark: 0, byError: {}, byStatus: {}, byHost: {}, byAttempts: {},
    ageHistogram: Object.fromEntries(AGE_BUCKETS.map((b) => [b.label, 0])), oldestFailedAt: null,
  };

  constructor(private readonly policy: RetryPolicy, private readonly now: number) {}

  add(value: Buffer | string | null): void {
    this.s.total++;
    const decoded = decodeDlqRecord(value);
    if (!decoded.ok) { this.s.malformed++; return; }
    const r = decoded.record;
    const inc = (m: Record<string, number>, k: string) => { m[k] = (m[k] ?? 0) + 1; };
    inc(this.s.byError, errorClass(r.error));
    inc(this.s.byStatus, r.status === null ? 'none' : String(r.status));
    inc(this.s.byHost, r.original.host);
    inc(this.s.byAttempts, String(r.attempts));
    const age = Math.max(0, this.now - r.failed_at);
    inc(this.s.ageHistogram, AGE_BUCKETS.find((b) => age < b.maxMs)!.label);
    if (this.s.oldestFailedAt === null || r.failed_at < this.s.oldestFailedAt) this.s.oldestFailedAt = r.failed_at;
    if (r.attempts >= this.policy.maxAttempts) this.s.toPark++;
    else if (dueAt(r, this.policy) <= this.now) this.s.dueNow++;
  }

  result(): DlqStats {
    return this.s;
  }
}

/** The `n` largest entries of a count map, largest first, ties by name. */
export function top(counts: Record<string, number>, n: number): [string, number][] {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n);
}
