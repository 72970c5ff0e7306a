/**
 * Lag figures of consumer groups, computed from raw offsets: pure functions, no I/O.
 * Rows follow Kafka's own `kafka-consumer-groups --describe` (GROUP TOPIC PARTITION CURRENT-OFFSET
 * LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID), plus the age of the oldest unconsumed record.
 */

/** What was read for one partition of one group. */
export interface PartitionOffsets {
  topic: string;
  partition: number;
  /** The group's committed offset; null when the group has none for this partition. */
  committed: number | null;
  /** High watermark; null when it could not be read. */
  logEnd: number | null;
  /** The member that owns the partition now, if any. */
  owner: { consumerId: string; host: string; clientId: string } | null;
}

export interface PartitionLag extends PartitionOffsets {
  /** logEnd - committed; null when either is unknown (shown as '-', as Kafka does). */
  lag: number | null;
  /** Timestamp of the record at the committed offset (the oldest unconsumed one); null when not read or no lag. */
  oldestUnconsumedTs: number | null;
  /** now - oldestUnconsumedTs; 0 when lag is 0; null when lagging and the record could not be read. */
  lagMs: number | null;
}

export interface TopicTotal {
  topic: string;
  lag: number;
  maxLagMs: number | null;
  partitions: number;
}

export interface GroupLag {
  group: string;
  /** Group state as the coordinator reports it (Stable, Empty, ...). */
  state: string;
  /** Live members; null when they could not be read (owners then show as '-'). */
  members: number | null;
  partitions: PartitionLag[];
  topics: TopicTotal[];
  /**
   * Sum of the known per-partition lags; null when no partition's lag is known and offsets could not be read
   * (the group does not exist, its committed offsets or the log-end offsets are unreadable): no reading, no number.
   */
  totalLag: number | null;
  /** Largest per-partition lagMs; null when no lagging partition had a readable timestamp. */
  maxLagMs: number | null;
  /** What could not be read; each one makes the figures it affects UNKNOWN for alerting. */
  problems: LagProblem[];
}

/**
 * `offsets`: the group or a log-end offset (message counts unknown); `timestamp`: only the age is unknown;
 * `members`: only who owns the partitions is unknown (the lag figures are complete).
 */
export interface LagProblem {
  kind: 'offsets' | 'timestamp' | 'members';
  detail: string;
}

/**
 * `nothingToRead`: a read_committed reader went from the committed offset to the log end without a record. A
 * transactional producer (kscrape produce) ends its writes with a commit marker that takes an offset but is never
 * given to a consumer, so a partition whose workers have finished every record sits one offset behind its end
 * for good: that is not lag.
 */
export function partitionLag(p: PartitionOffsets, oldestTs: number | undefined, now: number, nothingToRead = false): PartitionLag {
  const offsetsBehind = p.committed === null || p.logEnd === null ? null : p.logEnd - p.committed;
  const lag = offsetsBehind !== null && offsetsBehind > 0 && nothingToRead ? 0 : offsetsBehind;
  let lagMs: number | null = null;
  if (lag !== null && lag <= 0) lagMs = 0;
  else if (oldestTs !== undefined) lagMs = Math.max(0, now - oldestTs);
  return { ...p, lag, oldestUnconsumedTs: lag !== null && lag > 0 ? oldestTs ?? null : null, lagMs };
}

/** The offset whose record is the oldest unconsumed one, when the partition lags; else undefined. */
export function probeOffset(p: PartitionOffsets): number | undefined {
  if (p.committed === null || p.logEnd === null || p.committed >= p.logEnd) return undefined;
  return p.committed;
}

const maxOrNull = (values: (number | null)[]): number | null =>
  values.reduce<number | null>((m, v) => (v === null ? m : m === null ? v : Math.max(m, v)), null);

export function groupLag(input: {
  group: string;
  state: string;
  members: number | null;
  partitions: PartitionLag[];
  problems?: LagProblem[];
}): GroupLag {
  const partitions = [...input.partitions].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  const byTopic = new Map<string, PartitionLag[]>();
  for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
  const topics: TopicTotal[] = [...byTopic].map(([topic, ps]) => ({
    topic,
    lag: ps.reduce((s, p) => s + Math.max(0, p.lag ?? 0), 0),
    maxLagMs: maxOrNull(ps.map((p) => p.lagMs)),
    partitions: ps.length,
  }));
  const problems = [...(input.problems ?? [])];
  for (const p of partitions) {
    if (p.logEnd === null) problems.push({ kind: 'offsets', detail: `${p.topic}[${p.partition}]: log-end offset not readable` });
    else if (p.lag !== null && p.lag > 0 && p.lagMs === null) {
      problems.push({ kind: 'timestamp', detail: `${p.topic}[${p.partition}]: timestamp of offset ${p.committed} not readable` });
    }
  }
  return {
    group: input.group,
    state: input.state,
    members: input.members,
    partitions,
    topics,
    totalLag: partitions.every((p) => p.lag === null) && problems.some((p) => p.kind === 'offsets') ? null : topics.reduce((s, t) => s + t.lag, 0),
    maxLagMs: maxOrNull(topics.map((t) => t.maxLagMs)),
    problems,
  };
}
