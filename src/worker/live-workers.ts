/**
 * How many workers share the urls topic, for the limiter's fallback (which divides a host's rate by it
 * while Redis is away). Estimated from this worker's own assignment instead of asking the broker: the
 * client crashes on some DescribeGroups answers (a NULL assignor while the coordinator loads), and a
 * balanced assignment already bounds it. With P partitions spread evenly over N members, each holds
 * floor(P/N) or ceil(P/N), so holding `a` of them means a - 1 < P/N, i.e. N < P/(a - 1). The estimate is
 * that bound: never too low — dividing a rate by too many is merely slow, by too few is impolite — and
 * capped at P, because members beyond P get no partition and fetch nothing.
 */
export function estimateLiveWorkers(partitionCount: number, assignedCount: number): number {
  if (partitionCount <= 0) return 1;
  if (assignedCount <= 1) return partitionCount;
  return Math.max(1, Math.min(partitionCount, Math.ceil(partitionCount / (assignedCount - 1)) - 1));
}
