/** Text and JSON forms of `dlq stats`, `dlq retry` summaries and dry-run lines. Pure. */
import { Chalk } from 'chalk';
import Table from 'cli-table3';
import { formatDuration } from '../units.js';
import type { RetrySummary } from './retry-engine.js';
import { AGE_BUCKETS, top, type DlqStats } from './stats.js';

export interface StatsRenderOptions { color: boolean; table: boolean; now: number; topN: number; topic: string; complete: boolean }

/** The lines above the tables: totals, the oldest failure, whether the topic was read to its end. */
export function statsSummary(s: DlqStats, opts: Omit<StatsRenderOptions, 'table' | 'topN'>): string[] {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const lines = [c.bold(`${opts.topic}: ${s.total} records, ${s.dueNow} due for retry now, ${s.toPark} at max attempts (to park), ${s.malformed} malformed`)];
  if (s.oldestFailedAt !== null) lines.push(`oldest failure ${formatDuration(opts.now - s.oldestFailedAt)} ago`);
  if (!opts.complete) lines.push(c.yellow('incomplete: not every partition was read to its end within --timeout'));
  return lines;
}

/**
 * Boxed tables under the summary on a terminal (`table`); otherwise only tab-separated `section<TAB>key<TAB>count`
 * lines (for cut/awk), the summary being the caller's to put on stderr.
 */
export function renderStats(s: DlqStats, opts: StatsRenderOptions): string {
  const lines = opts.table ? statsSummary(s, opts) : [];
  const section = (title: string, rows: [string, number][]) => {
    if (!rows.length) return;
    if (!opts.table) {
      for (const [k, n] of rows) lines.push(`${title.toLowerCase()}\t${k}\t${n}`);
      return;
    }
    const t = new Table({ head: [title, 'COUNT'], style: { head: [], border: [], compact: true } });
    for (const [k, n] of rows) t.push([k, String(n)]);
    lines.push(t.toString());
  };
  section('ERROR', top(s.byError, opts.topN));
  section('STATUS', top(s.byStatus, opts.topN));
  section('HOST', top(s.byHost, opts.topN));
  section('ATTEMPTS', Object.entries(s.byAttempts).sort((a, b) => Number(a[0]) - Number(b[0])));
  section('AGE', AGE_BUCKETS.map((b) => [b.label, s.ageHistogram[b.label] ?? 0] as [string, number]));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function statsJson(s: DlqStats, topic: string, complete: boolean): object {
  return {
    topic, complete, total: s.total, due_now: s.dueNow, to_park: s.toPark, malformed: s.malformed,
    oldest_failed_at: s.oldestFailedAt, by_error: s.byError, by_status: s.byStatus, by_host: s.byHost,
    by_attempts: s.byAttempts, age_histogram: s.ageHistogram,
  };
}

export function renderSummary(s: RetrySummary, dryRun: boolean): string {
  const verb = dryRun ? 'would re-emit' : 're-emitted';
  const lines = [`${verb} ${s.reEmitted}, ${dryRun ? 'would park' : 'parked'} ${s.parked['max-attempts']} (max-attempts) + ${s.parked.malformed} (malformed)`];
  for (const w of s.waiting) lines.push(`partition ${w.partition} waits at offset ${w.offset} until ${new Date(w.dueAt).toISOString()}`);
  return `${lines.join('\n')}\n`;
}

export function summaryJson(s: RetrySummary, dryRun: boolean): object {
  return {
    dry_run: dryRun, re_emitted: s.reEmitted, parked: s.parked,
    waiting: s.waiting.map((w) => ({ partition: w.partition, offset: w.offset, due_at: w.dueAt })),
  };
}
