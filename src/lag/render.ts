/**
 * `kscrape lag` output: a cli-table3 table per run (colors only on a terminal) and its summary lines, or JSON.
 * Pure: returns text.
 */
import { Chalk } from 'chalk';
import Table from 'cli-table3';
import { formatDuration } from '../units.js';
import type { GroupLag, PartitionLag } from './lag-model.js';
import type { PartitionStatus, Rates } from './partition-status.js';
import { LAG_EXIT_NAMES, type Verdict } from './thresholds.js';

export interface WatchFigures {
  status: PartitionStatus;
  rates: Rates;
}

export interface RenderOptions {
  color: boolean;
  /** Per-partition status and rates, keyed by `group\0topic\0partition` (watch mode only). */
  watch?: Map<string, WatchFigures>;
  /** Timestamps were not read (--no-time): show '-' for ages instead of '?'. */
  noTime?: boolean;
  /** A boxed table (a terminal); otherwise whitespace-aligned columns as kafka-consumer-groups prints, for awk. */
  table: boolean;
}

/** Columns padded to their widest cell, two spaces apart; empty cells become '-' so every row splits the same. */
export function alignedColumns(rows: string[][]): string {
  const cells = rows.map((r) => r.map((v) => (v === '' ? '-' : v)));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join('  ')).join('\n');
}

export const partitionKey = (group: string, p: { topic: string; partition: number }) => `${group}\u0000${p.topic}\u0000${p.partition}`;

const dash = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? '-' : String(v));
const rate = (r: number | null) => (r === null ? '-' : `${r.toFixed(r < 10 ? 1 : 0)}/s`);

export function renderTable(groups: GroupLag[], verdict: Verdict, opts: RenderOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const age = (ms: number | null) => (ms === null ? (opts.noTime ? '-' : '?') : formatDuration(ms));
  const head = ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'LAG-TIME', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'];
  if (opts.watch) head.push('CONSUMED', 'PRODUCED', 'CATCH-UP', 'STATUS');
  const rows: string[][] = [];
  const statusColor = (s: PartitionStatus) => (s === 'OK' ? c.green(s) : s === 'WARN' ? c.yellow(s) : s === '…' ? s : c.red(s));
  for (const g of groups) {
    for (const p of g.partitions) {
      // One format per unit: a caught-up partition's age is `0ms`, as in the total row.
      const row: string[] = [g.group, p.topic, String(p.partition), dash(p.committed), dash(p.logEnd), lagCell(p, c), p.lag === null ? '-' : age(p.lagMs),
        dash(p.owner?.consumerId), dash(p.owner?.host), dash(p.owner?.clientId)];
      if (opts.watch) {
        const w = opts.watch.get(partitionKey(g.group, p));
        row.push(rate(w?.rates.consumedPerSec ?? null), rate(w?.rates.producedPerSec ?? null),
          w?.rates.catchUpMs === undefined ? '-' : w.rates.catchUpMs === null ? (p.lag ? 'never' : '-') : formatDuration(w.rates.catchUpMs),
          w ? statusColor(w.status) : '-');
      }
      rows.push(row);
    }
    for (const t of g.topics) {
      rows.push([c.dim(g.group), c.dim(t.topic), c.dim('total'), '', '', c.bold(String(t.lag)), c.bold(t.lag ? age(t.maxLagMs) : formatDuration(0)), '', '', '', ...(opts.watch ? ['', '', '', ''] : [])]);
    }
  }
  if (opts.table) {
    const table = new Table({
      head: opts.color ? head.map((h) => c.bold(h)) : head,
      style: { head: [], border: [], compact: true },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    });
    table.push(...rows);
    return `${table.toString()}\n`;
  }
  return `${alignedColumns([head, ...rows])}\n`;
}

/**
 * The lines under the table: one `state …` line per group, then the verdict (`OK`, `WARN: …`). On a terminal they
 * follow the table; off a terminal they go to stderr, so that stdout holds only rows that split alike.
 */
export function renderSummary(groups: GroupLag[], verdict: Verdict, opts: { color: boolean; noTime?: boolean }): string[] {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const lines: string[] = [];
  for (const g of groups) {
    lines.push(`${c.bold(g.group)}  state ${g.state}, ${g.members === null ? 'members unknown' : `${g.members} member${g.members === 1 ? '' : 's'}`}, lag ${dash(g.totalLag)}, oldest unconsumed ${g.maxLagMs === null ? (g.totalLag && !opts.noTime ? '?' : '-') : formatDuration(g.maxLagMs)}`);
  }
  const tone = verdict.code === 0 ? c.green : verdict.code === 1 ? c.yellow : c.red;
  lines.push(tone(`${LAG_EXIT_NAMES[verdict.code]}${verdict.reasons.length ? `: ${verdict.reasons.join('; ')}` : ''}`));
  return lines;
}

function lagCell(p: PartitionLag, c: InstanceType<typeof Chalk>): string {
  if (p.lag === null) return '-';
  return p.lag > 0 ? c.yellow(String(p.lag)) : String(p.lag);
}

export function toJson(groups: GroupLag[], verdict: Verdict, at: number, watch?: Map<string, WatchFigures>): object {
  return {
    at: new Date(at).toISOString(),
    status: LAG_EXIT_NAMES[verdict.code],
    exit_code: verdict.code,
    reasons: verdict.reasons,
    groups: groups.map((g) => ({
      group: g.group, state: g.state, members: g.members, lag: g.totalLag, max_lag_ms: g.maxLagMs,
      problems: g.problems.map((p) => p.detail),
      topics: g.topics.map((t) => ({ topic: t.topic, lag: t.lag, max_lag_ms: t.maxLagMs, partitions: t.partitions })),
      partitions: g.partitions.map((p) => {
        const w = watch?.get(partitionKey(g.group, p));
        return {
          topic: p.topic, partition: p.partition, current_offset: p.committed, log_end_offset: p.logEnd, lag: p.lag,
          lag_ms: p.lagMs, oldest_unconsumed_ts: p.oldestUnconsumedTs,
          consumer_id: p.owner?.consumerId ?? null, host: p.owner?.host ?? null, client_id: p.owner?.clientId ?? null,
          ...(w ? { status: w.status, consumed_per_sec: w.rates.consumedPerSec, produced_per_sec: w.rates.producedPerSec, catch_up_ms: w.rates.catchUpMs } : {}),
        };
      }),
    })),
  };
}
