/**
 * What the shared limiter knows right now, for `kscrape limits show`: per key, when it next admits, its
 * configured rate, a hold-off the host asked for (Retry-After) apart from the worker's own spacing, and how long
 * Redis keeps it. Read in one script call per batch, on the server's clock.
 */
import type { Redis } from 'ioredis';
import { withDeadline } from '../deadline.js';
import { formatDuration } from '../units.js';
import { gcraNextAllowedAt } from './gcra.js';
import { limiterKeyPrefix, retryAfterKeyPrefix, withLimiterCommands } from './redis-limiter.js';

export interface LimitState {
  /** The rule key, e.g. `host:example.com`. */
  key: string;
  /** False when Redis has no state: the key admits at once. */
  known: boolean;
  /** ms from now until the next admission (0 = now). */
  nextAllowedInMs: number;
  nextAllowedAt: string | null;
  intervalMs: number | null;
  ratePerSec: number | null;
  burst: number | null;
  /** A hold-off the host asked for (429/503 Retry-After) still running, ms; 0 when none. */
  holdRemainingMs: number;
  /**
   * The worker's own spacing hold still running (a host's interval from the moment a request was really sent),
   * ms; 0 when none or when a longer Retry-After hold covers it. Part of nextAllowedInMs, never of the hold-off.
   */
  spacingRemainingMs: number;
  /** Until Redis drops the key, ms (null when there is none). */
  ttlMs: number | null;
}

export interface LimitsReport {
  serverTime: string;
  keys: LimitState[];
  /** True when the scan stopped at its bound before seeing every key. */
  truncated: boolean;
}

export interface InspectOptions {
  redis: Redis;
  topicPrefix: string;
  /** Host names to show; empty = scan the prefix. */
  hosts: string[];
  /** Most keys a scan returns. */
  limit: number;
  timeoutMs: number;
}

export async function inspectLimits(opts: InspectOptions): Promise<LimitsReport> {
  const prefix = limiterKeyPrefix(opts.topicPrefix);
  let ruleKeys = opts.hosts.map((h) => `host:${h.toLowerCase()}`);
  let truncated = false;
  if (ruleKeys.length === 0) {
    const scanned = await withDeadline(scanKeys(opts.redis, prefix, opts.limit), opts.timeoutMs, 'Redis SCAN');
    ruleKeys = scanned.keys.map((k) => k.slice(prefix.length)).sort();
    truncated = scanned.truncated;
  }
  const redis = withLimiterCommands(opts.redis);
  const keys: LimitState[] = [];
  let serverNow = Date.now();
  for (let i = 0; i < ruleKeys.length || i === 0; i += 200) {
    const batch = ruleKeys.slice(i, i + 200);
    // Each key, then each key's retry-after marker (see HOLD_LUA): one round trip, one clock.
    const names = [...batch.map((k) => prefix + k), ...batch.map((k) => retryAfterKeyPrefix(prefix) + k)];
    const [now, ...rows] = await withDeadline(redis.kscrapeInspect(names.length, ...names), opts.timeoutMs, 'Redis');
    serverNow = now / 1000;
    batch.forEach((key, j) => keys.push(describe(key, rows[j]!, serverNow, rows[batch.length + j]?.[1] ?? -2)));
  }
  return { serverTime: new Date(serverNow).toISOString(), keys, truncated };
}

/** SCAN (never KEYS: it blocks a shared Redis) until `limit` keys or the end. */
async function scanKeys(redis: Redis, prefix: string, limit: number): Promise<{ keys: string[]; truncated: boolean }> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
    cursor = next;
    for (const k of batch) {
      if (keys.size >= limit) return { keys: [...keys], truncated: true };
      keys.add(k);
    }
  } while (cursor !== '0');
  return { keys: [...keys], truncated: false };
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * Pure: one stored value (`tat interval burst hold`, see gcra-lua.ts) on the server's clock, and the PTTL of its
 * retry-after marker (< 0 when there is none) → a table row.
 */
/** How far apart the ends of a hold and its Retry-After marker may be read and still be one hold, ms. */
const SAME_HOLD_TOLERANCE_MS = 1_000;

export function describe(key: string, row: readonly [string, number], nowMs: number, retryAfterPttl = -2): LimitState {
  const [value, pttl] = row;
  const [tat, interval, burst, hold] = value.split(' ');
  const known = value !== '';
  const num = (text: string | undefined) => (text === undefined || text === '-' || text === '' || !Number.isFinite(Number(text)) ? null : Number(text));
  const intervalMs = num(interval);
  const burstN = num(burst);
  const state = { tatMs: num(tat) ?? nowMs, holdUntilMs: num(hold) ?? 0 };
  const nextAt = known ? gcraNextAllowedAt(state, { intervalMs: intervalMs ?? 0, burst: burstN ?? 0 }) : nowMs;
  const nextIn = Math.max(0, Math.ceil(nextAt - nowMs));
  const heldMs = Math.max(0, Math.ceil(state.holdUntilMs - nowMs));
  const retryAfterMs = retryAfterPttl > 0 ? Math.min(retryAfterPttl, heldMs) : 0;
  // One script writes a Retry-After hold and its marker with the same end, but the server time and the marker's
  // PTTL are read a few ms apart (more on a busy server): an end that agrees within that is the same hold.
  const sameHold = retryAfterMs > 0 && heldMs - retryAfterMs <= SAME_HOLD_TOLERANCE_MS;
  const spacingMs = !sameHold && heldMs > retryAfterMs ? heldMs : 0;
  return {
    key,
    known,
    nextAllowedInMs: nextIn,
    nextAllowedAt: known ? new Date(Math.max(nextAt, nowMs)).toISOString() : null,
    intervalMs,
    ratePerSec: intervalMs ? Math.round((1000 / intervalMs) * 1000) / 1000 : null,
    burst: burstN,
    holdRemainingMs: retryAfterMs,
    spacingRemainingMs: spacingMs,
    ttlMs: pttl >= 0 ? pttl : null,
  };
}

/** Plain aligned columns (readable in a terminal and in a pipe). */
export function formatLimitsTable(report: LimitsReport): string {
  const header = ['KEY', 'NEXT IN', 'RATE', 'INTERVAL', 'BURST', 'HOLD', 'SPACING', 'TTL'];
  const rows = report.keys.map((s) => [
    s.key,
    s.known ? (s.nextAllowedInMs === 0 ? 'now' : formatDuration(s.nextAllowedInMs)) : 'now (no state)',
    s.ratePerSec === null ? '-' : `${s.ratePerSec}/s`,
    s.intervalMs === null ? '-' : formatDuration(s.intervalMs),
    s.burst === null ? '-' : String(s.burst),
    s.holdRemainingMs > 0 ? formatDuration(s.holdRemainingMs) : '-',
    s.spacingRemainingMs > 0 ? formatDuration(s.spacingRemainingMs) : '-',
    s.ttlMs === null ? '-' : formatDuration(s.ttlMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line)];
  if (report.truncated) out.push(`(stopped after ${report.keys.length} keys; name hosts or raise --limit)`);
  return `${out.join('\n')}\n`;
}
