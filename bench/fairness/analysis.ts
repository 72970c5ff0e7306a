/**
 * Figures of one fairness run, from what the bench knows: when each URL was produced (its envelope's
 * discovered_at) and when each request reached the target (stamped by the target process). Pure.
 */

export interface ProducedUrl {
  host: string;
  path: string;
  big: boolean;
  discoveredAt: number;
}

export interface Arrival {
  host: string;
  path: string;
  at: number;
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface RunFigures {
  /** Produce-to-fetch latency (ms) of the small hosts' URLs, sorted ascending (for the CDF). */
  smallLatenciesMs: number[];
  small: Percentiles;
  big: Percentiles;
  /** URLs fetched per second, first arrival to last. */
  pagesPerSecond: number;
  /** Sum over the big hosts of each one's fetches per second (its first to its last arrival). */
  bigPagesPerSecond: number;
  /** Gaps between two requests to one host shorter than 90 % of the interval (beyond scheduling noise). */
  violations: number;
  /** Gaps shorter than the interval at all. */
  strictViolations: number;
  /** Smallest gap (ms) between two requests to one host. */
  minGapMs: number;
  /**
   * Most requests one host received within any 1-s window, over the most the interval allows in one
   * (1 + floor(1000 / interval)). Robust to stamping jitter, which moves single requests, not the rate.
   */
  busiestSecondRatio: number;
  /** Produced URLs that never arrived. */
  missing: number;
  /** Requests beyond the first for one URL (redelivery). */
  repeats: number;
  /** The slowest 1 % of small-host URLs: host, produced (ms after the first URL was produced), latency. */
  smallTail: { host: string; producedMs: number; latencyMs: number }[];
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

/** Gaps between consecutive requests per host, compared with the politeness interval. */
export function politeness(arrivals: readonly Arrival[], intervalMs: number, allowance = 0.1): { violations: number; strict: number; minGapMs: number; busiestSecondRatio: number } {
  const byHost = new Map<string, number[]>();
  for (const a of arrivals) {
    let list = byHost.get(a.host);
    if (!list) byHost.set(a.host, (list = []));
    list.push(a.at);
  }
  let violations = 0;
  let strict = 0;
  let minGapMs = Infinity;
  let busiest = 0;
  for (const times of byHost.values()) {
    times.sort((a, b) => a - b);
    let start = 0;
    for (let i = 0; i < times.length; i++) {
      while (times[i]! - times[start]! >= 1000) start++;
      busiest = Math.max(busiest, i - start + 1);
    }
    for (let i = 1; i < times.length; i++) {
      const gap = times[i]! - times[i - 1]!;
      minGapMs = Math.min(minGapMs, gap);
      if (gap < intervalMs) strict++;
      if (gap < intervalMs * (1 - allowance)) violations++;
    }
  }
  return { violations, strict, minGapMs, busiestSecondRatio: busiest / (1 + Math.floor(1000 / intervalMs)) };
}

function rate(times: number[]): number {
  if (times.length < 2) return 0;
  const first = Math.min(...times);
  const last = Math.max(...times);
  return last > first ? (times.length - 1) / ((last - first) / 1000) : 0;
}

export function analyzeRun(produced: readonly ProducedUrl[], arrivals: readonly Arrival[], intervalMs: number): RunFigures {
  const firstArrival = new Map<string, number>();
  let repeats = 0;
  for (const a of arrivals) {
    const key = `${a.host}${a.path}`;
    const seen = firstArrival.get(key);
    if (seen === undefined) firstArrival.set(key, a.at);
    else { repeats++; if (a.at < seen) firstArrival.set(key, a.at); }
  }
  const small: number[] = [];
  const smallTagged: { host: string; producedMs: number; latencyMs: number }[] = [];
  const firstProduced = Math.min(...produced.map((u) => u.discoveredAt));
  const big: number[] = [];
  const bigTimes = new Map<string, number[]>();
  const allTimes: number[] = [];
  let missing = 0;
  for (const u of produced) {
    const at = firstArrival.get(`${u.host}${u.path}`);
    if (at === undefined) { missing++; continue; }
    allTimes.push(at);
    (u.big ? big : small).push(at - u.discoveredAt);
    if (!u.big) smallTagged.push({ host: u.host, producedMs: u.discoveredAt - firstProduced, latencyMs: at - u.discoveredAt });
    if (u.big) {
      let list = bigTimes.get(u.host);
      if (!list) bigTimes.set(u.host, (list = []));
      list.push(at);
    }
  }
  const p = politeness(arrivals, intervalMs);
  return {
    smallLatenciesMs: [...small].sort((a, b) => a - b),
    small: summarize(small),
    big: summarize(big),
    pagesPerSecond: rate(allTimes),
    bigPagesPerSecond: [...bigTimes.values()].reduce((s, t) => s + rate(t), 0),
    violations: p.violations,
    strictViolations: p.strict,
    minGapMs: p.minGapMs,
    busiestSecondRatio: p.busiestSecondRatio,
    missing,
    repeats,
    smallTail: smallTagged.sort((a, b) => b.latencyMs - a.latencyMs).slice(0, Math.ceil(smallTagged.length / 100)),
  };
}
