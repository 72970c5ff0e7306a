/**
 * What to do about skew: pure, from the per-host counts of one data set.
 *
 * The rule, in words:
 * - No hot partition under host partitioning (see HOT_RATIO in skew.ts): keep `--partitioner host`.
 * - Otherwise band the hosts that alone carry more than half a partition's mean load
 *   (suggested `--fair-threshold` = floor(mean / 2)): at most that many URLs of a host stay on its own partition,
 *   the rest spread over `--fair-bands` partitions: the fewest bands (from 2, at most MAX_BANDS) whose projection
 *   has no hot partition, else the count with the lowest projected skew.
 * The projection spreads each banded host's excess evenly over its bands: an estimate, labelled as one.
 *
 * The threshold is compared with a host's count so far in the audited data, as `kscrape produce` without Redis
 * compares it with the count it has produced; with Redis the fair partitioner reads the host's live queue depth,
 * so scale the suggestion to the backlog you expect, not to a day's volume.
 */
import { bandPartition, hostPartition } from './partitioner.js';
import { countsByPartition, skewStats, topHosts, type HostCount, type SkewStats } from './skew.js';

export interface BandedHost extends HostCount {
  /** The host's own partition under host partitioning. */
  partition: number;
}

export interface Recommendation {
  verdict: 'balanced' | 'band-hosts' | 'fair-does-not-help' | 'no-data';
  /** One line for people. */
  summary: string;
  /** Suggested --fair-threshold / --fair-bands (null when nothing needs banding). */
  fairThreshold: number | null;
  fairBands: number | null;
  /** Hosts the suggestion bands, biggest first (at most `limit`), and how many there are in all. */
  bandHosts: BandedHost[];
  bandHostCount: number;
  /** Estimated statistics with the suggestion applied. */
  projected: SkewStats | null;
  notes: string[];
}

export function recommend(hostCounts: ReadonlyMap<string, number>, partitions: number, limit = 20): Recommendation {
  const current = skewStats(countsByPartition(hostCounts, partitions, (h) => hostPartition(h, partitions)));
  const notes: string[] = [];
  if (hostCounts.size < partitions) {
    notes.push(`only ${hostCounts.size} distinct hosts for ${partitions} partitions: host partitioning leaves at least ${partitions - hostCounts.size} partitions (and their workers) idle`);
  }
  const none = { fairThreshold: null, fairBands: null, bandHosts: [], bandHostCount: 0, projected: null, notes };
  if (current.total === 0) return { verdict: 'no-data', summary: 'no URLs to audit', ...none };
  if (current.hot.length === 0) {
    return { verdict: 'balanced', summary: `host partitioning is even enough (skew ${current.skew.toFixed(2)}, no hot partition): keep --partitioner host`, ...none };
  }

  const threshold = Math.max(1, Math.floor(current.mean / 2));
  const banded = [...hostCounts].filter(([, count]) => count > threshold).map(([host, count]) => ({ host, count }));
  const { bands, projected } = chooseBands(hostCounts, partitions, threshold);
  const bandHosts = topHosts(banded, limit).map((h) => ({ ...h, partition: hostPartition(h.host, partitions) }));
  const flags = `--partitioner fair --fair-threshold ${threshold} --fair-bands ${bands}`;
  if (projected.skew >= current.skew * 0.95) {
    return {
      verdict: 'fair-does-not-help', fairThreshold: null, fairBands: null, bandHosts, bandHostCount: banded.length, projected,
      summary: `skew ${current.skew.toFixed(2)}, and banding would not lower it (estimated ${projected.skew.toFixed(2)} with ${flags}); fewer partitions or --partitioner random spread this data better`,
      notes,
    };
  }
  notes.push('banded hosts span several partitions and workers: run the workers with --redis so the shared limiter keeps their rate');
  return {
    verdict: 'band-hosts', fairThreshold: threshold, fairBands: bands, bandHosts, bandHostCount: banded.length, projected, notes,
    summary: `skew ${current.skew.toFixed(2)} with ${current.hot.length} hot partition(s): use ${flags} (estimated skew ${projected.skew.toFixed(2)}, ${banded.length} host(s) banded)`,
  };
}

export const MAX_BANDS = 64;

function chooseBands(hostCounts: ReadonlyMap<string, number>, partitions: number, threshold: number): { bands: number; projected: SkewStats } {
  // Hosts under the threshold never move: count them once, then try each band count on the banded hosts only.
  const base = new Array<number>(partitions).fill(0);
  const banded = new Map<string, number>();
  for (const [host, count] of hostCounts) {
    if (count > threshold) banded.set(host, count);
    else base[hostPartition(host, partitions)]! += count;
  }
  let best: { bands: number; projected: SkewStats } | null = null;
  for (let bands = 2; bands <= Math.max(2, Math.min(partitions, MAX_BANDS)); bands++) {
    const spread = projectFair(banded, partitions, threshold, bands);
    const projected = skewStats(spread.map((c, p) => c + base[p]!));
    if (projected.hot.length === 0) return { bands, projected };
    if (!best || projected.skew < best.projected.skew) best = { bands, projected };
  }
  return best!;
}

/** Per-partition counts if hosts above `threshold` keep `threshold` URLs home and spread the rest evenly over `bands`. */
export function projectFair(hostCounts: ReadonlyMap<string, number>, partitions: number, threshold: number, bands: number): number[] {
  const counts = new Array<number>(partitions).fill(0);
  const width = Math.max(1, Math.min(bands, partitions));
  for (const [host, count] of hostCounts) {
    const home = hostPartition(host, partitions);
    if (count <= threshold) {
      counts[home]! += count;
      continue;
    }
    counts[home]! += threshold;
    const excess = count - threshold;
    for (let band = 0; band < width; band++) {
      // Whole URLs: the first `excess % width` bands take one more.
      counts[bandPartition(host, band, partitions)]! += Math.floor(excess / width) + (band < excess % width ? 1 : 0);
    }
  }
  return counts;
}
