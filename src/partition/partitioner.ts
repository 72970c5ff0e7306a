/**
 * Partitioners: pure functions from a URL's host/URL/customer to a partition. kscrape chooses the partition
 * itself (the client has no JS partitioner hook), with the same murmur2 rule as Kafka's other producers.
 *
 * - host (default): murmur2(host) — every URL of a host on one partition, so one worker sees the host.
 * - fair: as host, except hosts whose queue depth is above `threshold` are spread over `bands` consecutive
 *   partitions by murmur2(url). A banded host then spans several partitions (and workers), so its politeness
 *   must come from the shared Redis limiter, not from partition ownership.
 * - random: any partition (maximum parallelism, no host coordination).
 * - customer: murmur2(customer_id) — tenant isolation.
 */
import { murmur2, murmur2Partition } from './murmur2.js';

export const PARTITIONERS = ['host', 'fair', 'random', 'customer'] as const;
export type PartitionerName = (typeof PARTITIONERS)[number];

export interface PartitionInput {
  host: string;
  url: string;
  customerId: string;
}

/** Queue depth per host, answered synchronously (implementations cache remote counters). */
export interface DepthSource {
  depth(host: string): number;
}

export interface FairOptions {
  /** Hosts deeper than this are banded. Default 100000 (the reference guide's figure). */
  threshold: number;
  /** How many partitions a banded host spreads over. Default 4. */
  bands: number;
  depth: DepthSource;
}

export const FAIR_DEFAULTS = { threshold: 100_000, bands: 4 } as const;

export type Partitioner = (input: PartitionInput, partitionCount: number) => number;

const encoder = new TextEncoder();

export function hostPartition(host: string, partitionCount: number): number {
  return murmur2Partition(host, partitionCount);
}

/** The partition of band `band` (0-based) of `host`: consecutive partitions starting at the host's own. */
export function bandPartition(host: string, band: number, partitionCount: number): number {
  return (hostPartition(host, partitionCount) + band) % partitionCount;
}

export function createPartitioner(name: PartitionerName, opts: { fair?: FairOptions; random?: () => number } = {}): Partitioner {
  switch (name) {
    case 'host':
      return ({ host }, n) => hostPartition(host, n);
    case 'customer':
      return ({ customerId }, n) => murmur2Partition(customerId, n);
    case 'random': {
      const rand = opts.random ?? Math.random;
      return (_input, n) => Math.floor(rand() * n) % n;
    }
    case 'fair': {
      const fair = opts.fair;
      if (!fair) throw new Error('the fair partitioner needs FairOptions');
      const bands = Math.max(1, fair.bands);
      return ({ host, url }, n) => {
        if (fair.depth.depth(host) <= fair.threshold) return hostPartition(host, n);
        const band = (murmur2(encoder.encode(url)) & 0x7fffffff) % Math.min(bands, n);
        return bandPartition(host, band, n);
      };
    }
  }
}

/** Depth from the counts seen in this process (produce without Redis). */
export class LocalDepthCounter implements DepthSource {
  private readonly counts = new Map<string, number>();
  add(host: string, n = 1): void {
    this.counts.set(host, (this.counts.get(host) ?? 0) + n);
  }
  depth(host: string): number {
    return this.counts.get(host) ?? 0;
  }
}
