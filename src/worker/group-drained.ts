/**
 * `--idle-exit` must not stop a worker just because its own partitions went quiet: in a rebalance a worker
 * can sit with nothing assigned while the group still has work, and the partitions it would get next are
 * exactly the ones with lag. Idle therefore also requires the group to have committed everything there is.
 */
import type { PartitionOffsetsSnapshot } from './watchdog.js';

/** Pure: the partitions whose committed offset is below the log end (an empty partition needs no commit). */
export function partitionsWithLag(offsets: PartitionOffsetsSnapshot): number[] {
  const lagging: number[] = [];
  for (const [partition, high] of offsets.high) {
    if (high <= 0) continue;
    const committed = offsets.committed.get(partition) ?? -1;
    if (committed < high) lagging.push(partition);
  }
  return lagging.sort((a, b) => a - b);
}
