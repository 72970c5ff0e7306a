/**
 * Skew statistics over per-partition message counts: pure functions, shared by `partition-audit` and tests.
 *
 * Hot partition (the rule): a partition whose count is more than HOT_RATIO (1.5) times the mean count and at
 * least one message above it. With host partitioning every URL of a host lands on one partition, so a
 * partition at 1.5× the mean gives its worker 50 % more work than average while others idle; below that,
 * scheduling noise dominates. The ratio is relative, so the rule reads the same at 1 k and at 100 M URLs.
 */

export const HOT_RATIO = 1.5;

export interface SkewStats {
  partitions: number;
  total: number;
  mean: number;
  min: number;
  max: number;
  /** max / mean: 1 is perfectly even; 2 means the busiest partition has twice the average load. */
  skew: number;
  /** Coefficient of variation: population standard deviation / mean (0 is perfectly even). */
  cv: number;
  /** Partitions above HOT_RATIO × mean, busiest first. */
  hot: number[];
  /** Partitions that received nothing. */
  empty: number;
}

export function skewStats(counts: readonly number[]): SkewStats {
  const partitions = counts.length;
  const total = counts.reduce((a, b) => a + b, 0);
  const mean = partitions ? total / partitions : 0;
  const min = partitions ? Math.min(...counts) : 0;
  const max = partitions ? Math.max(...counts) : 0;
  const variance = partitions ? counts.reduce((a, c) => a + (c - mean) ** 2, 0) / partitions : 0;
  const hot = counts
    .map((count, partition) => ({ count, partition }))
    .filter(({ count }) => isHot(count, mean))
    .sort((a, b) => b.count - a.count || a.partition - b.partition)
    .map(({ partition }) => partition);
  return {
    partitions,
    total,
    mean,
    min,
    max,
    skew: mean > 0 ? max / mean : 0,
    cv: mean > 0 ? Math.sqrt(variance) / mean : 0,
    hot,
    empty: counts.filter((c) => c === 0).length,
  };
}

export function isHot(count: number, mean: number): boolean {
  return mean > 0 && count > HOT_RATIO * mean && count - mean >= 1;
}

export interface HostCount {
  host: string;
  count: number;
}

/** The `limit` biggest hosts, ties broken by name so reports are stable. */
export function topHosts(hosts: Iterable<HostCount>, limit: number): HostCount[] {
  return [...hosts].sort((a, b) => b.count - a.count || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0)).slice(0, limit);
}

/** Per-partition counts when every URL of a host goes to `partitionOf(host)`. */
export function countsByPartition(hostCounts: ReadonlyMap<string, number>, partitions: number, partitionOf: (host: string) => number): number[] {
  const counts = new Array<number>(partitions).fill(0);
  for (const [host, count] of hostCounts) counts[partitionOf(host)]! += count;
  return counts;
}
