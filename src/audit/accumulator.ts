/**
 * The partition audit's arithmetic, pure and streaming: feed it one URL at a time (from a file or a topic) and it
 * keeps counts per host and per partition, never the URLs, so memory grows with distinct hosts, not input size.
 *
 * For every URL it records where `host` partitioning and `fair` partitioning (with the given threshold/bands)
 * would put it, and, for URLs read from a topic, the partition it actually is in.
 * The fair partitioner sees a host's count so far as its depth, as `kscrape produce` without Redis does.
 */
import { AUDIT_DEFAULTS } from './defaults.js';
import { createPartitioner, hostPartition, type Partitioner } from '../partition/partitioner.js';
import { recommend, type Recommendation } from '../partition/recommend.js';
import { countsByPartition, skewStats, topHosts, type HostCount, type SkewStats } from '../partition/skew.js';

export interface AuditOptions {
  partitions: number;
  fairThreshold: number;
  fairBands: number;
  /** How many hosts to name per hot partition. Default 5. */
  topHostsPerPartition?: number;
}

export interface AuditSource {
  kind: 'urls' | 'topic';
  /** Files read ('-' is stdin), or the topic name. */
  names: string[];
  /** For a topic: how it was sampled (`last 1000 per partition`, `since 1h`). */
  sample?: string;
}

export interface PartitionRow {
  partition: number;
  count: number;
  topHosts: HostCount[];
}

export interface Layout {
  counts: number[];
  stats: SkewStats;
  /** The hot partitions (stats.hot), busiest first, with their biggest hosts. */
  hot: PartitionRow[];
}

export interface AuditReport {
  source: AuditSource;
  partitions: number;
  urls: number;
  /** Lines or records that had no usable URL/host, and a few examples. */
  invalid: number;
  invalidExamples: string[];
  hosts: number;
  topHosts: HostCount[];
  host: Layout;
  fair: Layout & { threshold: number; bands: number };
  /** Only for a topic: where the records really are. */
  observed?: Layout;
  recommendation: Recommendation;
}

/** Counts per (partition, host): bounded by distinct hosts × the partitions each host spans. */
class PartitionHostCounts {
  private readonly byPartition = new Map<number, Map<string, number>>();
  add(partition: number, host: string, n = 1): void {
    let hosts = this.byPartition.get(partition);
    if (!hosts) this.byPartition.set(partition, (hosts = new Map()));
    hosts.set(host, (hosts.get(host) ?? 0) + n);
  }
  top(partition: number, limit: number): HostCount[] {
    const hosts = this.byPartition.get(partition) ?? new Map<string, number>();
    return topHosts([...hosts].map(([host, count]) => ({ host, count })), limit);
  }
}

const MAX_INVALID_EXAMPLES = 5;

export class AuditAccumulator {
  private readonly hostCounts = new Map<string, number>();
  private readonly fairCounts: number[];
  private readonly fairHosts = new PartitionHostCounts();
  private readonly fair: Partitioner;
  private observedCounts: number[] | null = null;
  private readonly observedHosts = new PartitionHostCounts();
  private invalid = 0;
  private readonly invalidExamples: string[] = [];

  constructor(private readonly opts: AuditOptions) {
    if (!Number.isInteger(opts.partitions) || opts.partitions < 1) throw new RangeError(`partitions must be a positive integer, got ${opts.partitions}`);
    if (!(opts.fairThreshold >= 0) || !(opts.fairBands >= 1)) throw new RangeError(`fair threshold must be >= 0 and bands >= 1, got ${opts.fairThreshold} / ${opts.fairBands}`);
    this.fairCounts = new Array<number>(opts.partitions).fill(0);
    const depth = { depth: (host: string) => this.hostCounts.get(host) ?? 0 };
    this.fair = createPartitioner('fair', { fair: { threshold: opts.fairThreshold, bands: opts.fairBands, depth } });
  }

  /** One URL; `partition` is where it really is (records read from a topic). */
  add(entry: { host: string; url: string; partition?: number }): void {
    const { host, url } = entry;
    const fairPartition = this.fair({ host, url, customerId: '' }, this.opts.partitions);
    this.fairCounts[fairPartition]!++;
    this.fairHosts.add(fairPartition, host);
    this.hostCounts.set(host, (this.hostCounts.get(host) ?? 0) + 1);
    if (entry.partition !== undefined) {
      this.observedCounts ??= new Array<number>(this.opts.partitions).fill(0);
      if (entry.partition >= this.observedCounts.length) this.observedCounts.length = entry.partition + 1;
      this.observedCounts[entry.partition] = (this.observedCounts[entry.partition] ?? 0) + 1;
      this.observedHosts.add(entry.partition, host);
    }
  }

  addInvalid(example: string): void {
    this.invalid++;
    if (this.invalidExamples.length < MAX_INVALID_EXAMPLES) this.invalidExamples.push(example.length > 200 ? `${example.slice(0, 200)}…` : example);
  }

  get count(): number {
    let n = 0;
    for (const c of this.hostCounts.values()) n += c;
    return n;
  }

  report(source: AuditSource): AuditReport {
    const n = this.opts.partitions;
    const limit = this.opts.topHostsPerPartition ?? AUDIT_DEFAULTS.topHostsPerPartition;
    const hostCountsList = [...this.hostCounts].map(([host, count]) => ({ host, count }));
    const hostLayoutCounts = countsByPartition(this.hostCounts, n, (h) => hostPartition(h, n));
    const byHome = new PartitionHostCounts();
    for (const [host, count] of this.hostCounts) byHome.add(hostPartition(host, n), host, count);
    const report: AuditReport = {
      source,
      partitions: n,
      urls: hostCountsList.reduce((a, h) => a + h.count, 0),
      invalid: this.invalid,
      invalidExamples: [...this.invalidExamples],
      hosts: this.hostCounts.size,
      topHosts: topHosts(hostCountsList, 10),
      host: layout(hostLayoutCounts, (p) => byHome.top(p, limit)),
      fair: { ...layout([...this.fairCounts], (p) => this.fairHosts.top(p, limit)), threshold: this.opts.fairThreshold, bands: this.opts.fairBands },
      recommendation: recommend(this.hostCounts, n),
    };
    if (this.observedCounts) {
      const observed = Array.from(this.observedCounts, (c) => c ?? 0);
      report.observed = layout(observed, (p) => this.observedHosts.top(p, limit));
    }
    return report;
  }
}

function layout(counts: number[], top: (partition: number) => HostCount[]): Layout {
  const stats = skewStats(counts);
  return { counts, stats, hot: stats.hot.map((partition) => ({ partition, count: counts[partition]!, topHosts: top(partition) })) };
}
