/**
 * Records consumed and not yet handed to the loader, per partition (pure: the clock is passed in). Says which
 * partitions have a batch due — full by rows or bytes, or its oldest record waited `lingerMs` — and cuts batches
 * in offset order. Its byte counts are the sink's memory bound: the pipeline pauses partitions on them.
 */
import type { BatchEntry, PartitionBatch } from './loader.js';

export interface BatcherLimits {
  batchRows: number;
  batchBytes: number;
  lingerMs: number;
}

interface Pending {
  entries: BatchEntry[];
  sizes: number[];
  bytes: number;
  /** When its oldest record arrived. */
  since: number;
}

export class Batcher {
  private readonly pending = new Map<number, Pending>();
  private totalBytes = 0;

  constructor(private readonly limits: BatcherLimits) {}

  add(partition: number, entry: BatchEntry, bytes: number, now: number): void {
    let p = this.pending.get(partition);
    if (!p) {
      p = { entries: [], sizes: [], bytes: 0, since: now };
      this.pending.set(partition, p);
    }
    if (!p.entries.length) p.since = now;
    p.entries.push(entry);
    p.sizes.push(bytes);
    p.bytes += bytes;
    this.totalBytes += bytes;
  }

  /** A full batch is waiting (by rows or bytes). */
  full(partition: number): boolean {
    const p = this.pending.get(partition);
    return !!p && (p.entries.length >= this.limits.batchRows || p.bytes >= this.limits.batchBytes);
  }

  /** Partitions whose batch is due now: full, lingered long enough, or (`all`) anything pending. */
  due(now: number, all = false): number[] {
    const out: number[] = [];
    for (const [partition, p] of this.pending) {
      if (!p.entries.length) continue;
      if (all || this.full(partition) || now - p.since >= this.limits.lingerMs) out.push(partition);
    }
    return out;
  }

  /** Cuts the next batch of a partition (at most batchRows rows and batchBytes bytes, at least one record). */
  take(partition: number, now: number): PartitionBatch | undefined {
    const p = this.pending.get(partition);
    if (!p?.entries.length) return undefined;
    let n = 0;
    let bytes = 0;
    while (n < p.entries.length && n < this.limits.batchRows && (n === 0 || bytes + p.sizes[n]! <= this.limits.batchBytes)) bytes += p.sizes[n++]!;
    const entries = p.entries.splice(0, n);
    p.sizes.splice(0, n);
    p.bytes -= bytes;
    this.totalBytes -= bytes;
    p.since = now;
    return { partition, entries, nextOffset: entries[entries.length - 1]!.message.offset + 1 };
  }

  /** Forgets a partition's pending records (revoked: its next owner reads them again). */
  drop(partition: number): void {
    const p = this.pending.get(partition);
    if (!p) return;
    this.totalBytes -= p.bytes;
    this.pending.delete(partition);
  }

  bytes(partition?: number): number {
    return partition === undefined ? this.totalBytes : this.pending.get(partition)?.bytes ?? 0;
  }

  rows(partition?: number): number {
    if (partition !== undefined) return this.pending.get(partition)?.entries.length ?? 0;
    let n = 0;
    for (const p of this.pending.values()) n += p.entries.length;
    return n;
  }
}
