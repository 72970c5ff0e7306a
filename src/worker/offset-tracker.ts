/**
 * Which offset may be committed for one partition. Messages finish out of order (different hosts, different
 * speeds); the commit position is the lowest offset not yet finished, so a crash redelivers exactly the
 * unfinished ones and never skips one. Offsets arrive in increasing order but may have gaps (compaction,
 * transaction markers), so the tracker remembers the offsets themselves, not a range.
 */
export class PartitionOffsets {
  /** Offsets handed out and not yet released from the head, in arrival order. */
  private readonly offsets: number[] = [];
  private readonly finished = new Set<number>();
  private head = 0;
  /** One past the highest offset ever tracked: the commit position once everything is finished. */
  private next: number;
  /** When the commit position last moved (epoch ms): how long a stuck one has been stuck. */
  positionSince: number;
  /** The first offset this ownership tracked (-1 before any). */
  private startedAt = -1;

  /**
   * Offsets the partition's previous owner finished above the committed offset (its hand-over note,
   * finished-above.ts): tracked as finished on arrival, never handed out.
   */
  private finishedBefore: ReadonlySet<number> = new Set();

  constructor(startOffset = -1, now = Date.now()) {
    this.next = startOffset;
    this.positionSince = now;
  }

  /** Sets the previous owner's finished offsets (before the first message arrives). */
  skipFinished(offsets: ReadonlySet<number>): void {
    this.finishedBefore = offsets;
  }

  /**
   * Registers a consumed offset. Returns false for an offset at or below one already seen (a redelivery) and
   * for one the previous owner finished (registered as finished: nothing to do but let the position pass it).
   */
  track(offset: number, now = Date.now()): boolean {
    if (offset < this.next) return false;
    const before = this.commitPosition();
    if (this.startedAt < 0) this.startedAt = offset;
    this.offsets.push(offset);
    this.next = offset + 1;
    if (this.finishedBefore.has(offset)) {
      this.finish(offset, now);
      return false;
    }
    if (this.commitPosition() !== before) this.positionSince = now;
    return true;
  }

  /** Finished offsets above the commit position, ascending (what a hand-over tells the next owner). */
  finishedAbove(): number[] {
    return [...this.finished].sort((a, b) => a - b);
  }

  /**
   * Every offset from `from` on that this ownership finished: below the commit position (from the first offset
   * it tracked) and above it. What the worker skips when a partition it lost without a commit comes back.
   */
  finishedFrom(from: number): Set<number> {
    const out = new Set<number>();
    const first = this.offsets.length ? this.offsets[0]! : this.next;
    const below = this.commitPosition();
    for (let i = 0; i < this.head; i++) if (this.offsets[i]! >= from) out.add(this.offsets[i]!);
    // Compaction drops released offsets from the array: what lies between the first offset this ownership tracked
    // and the array's first entry was released, so finished (an offset there never tracked is a marker: never fetched).
    if (this.startedAt >= 0) for (let o = Math.max(from, this.startedAt); o < Math.min(first, below); o++) out.add(o);
    for (const o of this.finished) if (o >= from) out.add(o);
    return out;
  }

  /** Marks an offset finished (its outcome delivered). Offsets outside what is tracked are ignored. */
  finish(offset: number, now = Date.now()): void {
    if (this.head >= this.offsets.length || offset < this.offsets[this.head]! || offset >= this.next) return;
    const before = this.commitPosition();
    this.finished.add(offset);
    while (this.head < this.offsets.length && this.finished.has(this.offsets[this.head]!)) {
      this.finished.delete(this.offsets[this.head]!);
      this.head++;
    }
    if (this.commitPosition() !== before) this.positionSince = now;
    // Compact now and then so the array does not grow with the partition's history.
    if (this.head > 1024 && this.head * 2 > this.offsets.length) {
      this.offsets.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The offset to commit: every offset below it is finished. -1 before anything was tracked. */
  commitPosition(): number {
    return this.head < this.offsets.length ? this.offsets[this.head]! : this.next;
  }

  /** One past the highest offset tracked (-1 before any). */
  nextOffset(): number {
    return this.next;
  }

  /** Offsets tracked and not finished. */
  pending(): number {
    return this.offsets.length - this.head - this.finished.size;
  }
}

/** Offsets of every assigned partition, plus what was last committed so commits are only sent when they move. */
export class OffsetTracker {
  private readonly partitions = new Map<number, PartitionOffsets>();
  private readonly committed = new Map<number, number>();

  /**
   * Starts a partition afresh: the consumer resumes it from the group's committed offset, so nothing of a
   * previous ownership may carry over (its offsets would refuse the redelivered messages as duplicates).
   */
  assign(partition: number): PartitionOffsets {
    const p = new PartitionOffsets();
    this.partitions.set(partition, p);
    this.committed.delete(partition);
    return p;
  }

  revoke(partition: number): void {
    this.partitions.delete(partition);
    this.committed.delete(partition);
  }

  get(partition: number): PartitionOffsets | undefined {
    return this.partitions.get(partition);
  }

  partitionIds(): number[] {
    return [...this.partitions.keys()];
  }

  /** Partitions whose commit position moved since the last `markCommitted`, with that position. */
  commitable(only?: readonly number[]): { partition: number; offset: number }[] {
    const out: { partition: number; offset: number }[] = [];
    for (const partition of only ?? this.partitions.keys()) {
      const p = this.partitions.get(partition);
      if (!p) continue;
      const offset = p.commitPosition();
      if (offset >= 0 && offset !== this.committed.get(partition)) out.push({ partition, offset });
    }
    return out;
  }

  /** Every partition's current commit position (moved or not), for a hand-over commit. */
  positionsOf(only: readonly number[]): { partition: number; offset: number }[] {
    return only.flatMap((partition) => {
      const offset = this.partitions.get(partition)?.commitPosition() ?? -1;
      return offset >= 0 ? [{ partition, offset }] : [];
    });
  }

  markCommitted(entries: readonly { partition: number; offset: number }[]): void {
    for (const { partition, offset } of entries) {
      if (this.partitions.has(partition)) this.committed.set(partition, offset);
    }
  }

  pending(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p.pending();
    return n;
  }

  /** Each partition's commit position, what the coordinator confirmed, what is unfinished, and since when. */
  positions(): PositionState[] {
    return [...this.partitions].map(([partition, p]) => ({
      partition, position: p.commitPosition(), committed: this.committed.get(partition), pending: p.pending(), since: p.positionSince,
    }));
  }
}

export interface PositionState {
  partition: number;
  /** The lowest unfinished offset (-1 before anything was tracked). */
  position: number;
  /** The position the coordinator last confirmed, if any. */
  committed: number | undefined;
  pending: number;
  /** When `position` last moved (epoch ms). */
  since: number;
}
