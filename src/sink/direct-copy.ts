/**
 * When the upsert tries its fast path (pure): a batch whose URLs are all new to the table can be COPYed straight
 * into it, at the cost of a plain COPY, instead of into the staging table and then through INSERT … ON CONFLICT
 * (1.2× the database's CPU of the direct COPY for the same rows: BENCHMARKS.md, "Sink", round 4). A URL already in
 * the table (or twice in the batch) makes the direct COPY fail on the unique key and the batch goes the staged way
 * after all, which wasted the COPY up to that row. So a partition whose batch conflicted skips the fast path for
 * its next 1, 2, 4 … 64 batches (recrawls conflict on nearly every batch and so stay staged), and one direct
 * success brings it back to trying every batch (a new crawl's batches are all new).
 */
export const MAX_SKIPPED_BATCHES = 64;

export class DirectCopyPolicy {
  /** Per partition: batches still to skip, and how many the next conflict makes it skip. */
  private readonly state = new Map<number, { skip: number; next: number }>();

  /** Whether this partition's next batch tries the direct COPY (a skipped batch counts down). */
  tryDirect(partition: number): boolean {
    const s = this.state.get(partition);
    if (!s || s.skip === 0) return true;
    s.skip--;
    return false;
  }

  /** The direct COPY of this partition's batch stored it. */
  stored(partition: number): void {
    this.state.delete(partition);
  }

  /** The direct COPY of this partition's batch met a URL already stored (or twice in the batch). */
  conflicted(partition: number): void {
    const s = this.state.get(partition) ?? { skip: 0, next: 1 };
    s.skip = s.next;
    s.next = Math.min(MAX_SKIPPED_BATCHES, s.next * 2);
    this.state.set(partition, s);
  }
}
