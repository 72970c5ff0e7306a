/**
 * When `dlq retry --once` is finished, as pure bookkeeping. "Everything currently due" means: the records below
 * each partition's high watermark as seen at start. A partition is finished when everything below that mark was
 * handled, or when it is blocked by a record that is not due yet (records behind it wait for a later run).
 */
export class OnceProgress {
  /** Next offset to handle, per partition. */
  private readonly position = new Map<number, number>();
  private readonly blocked = new Set<number>();

  /**
   * @param stopAt high watermark per partition at start
   * @param startAt where the group resumes per partition (committed offset, or the log start when none)
   */
  constructor(private readonly stopAt: ReadonlyMap<number, number>, startAt: ReadonlyMap<number, number>) {
    for (const [p, offset] of startAt) this.position.set(p, offset);
  }

  handledThrough(partition: number, offset: number): void {
    this.position.set(partition, Math.max(this.position.get(partition) ?? 0, offset + 1));
    this.blocked.delete(partition);
  }

  blockedAt(partition: number): void {
    this.blocked.add(partition);
  }

  /** True when a record at `offset` lies beyond what this run is to handle. */
  beyondStart(partition: number, offset: number): boolean {
    return offset >= (this.stopAt.get(partition) ?? 0);
  }

  isDone(partition: number): boolean {
    if (this.blocked.has(partition)) return true;
    return (this.position.get(partition) ?? 0) >= (this.stopAt.get(partition) ?? 0);
  }

  /** Every given (assigned) partition finished; false while nothing is assigned yet. */
  allDone(partitions: readonly number[]): boolean {
    return partitions.length > 0 && partitions.every((p) => this.isDone(p));
  }
}
