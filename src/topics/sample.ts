/**
 * Reads a bounded slice of a topic for the partition audit: the last N records of each partition, or every record
 * since a point in time, up to the high watermark seen at the start. Assign-only (no group is joined, nothing is
 * committed), streamed record by record to the caller, so memory holds one poll's batch, not the slice.
 */
import { RdKafka } from '@confluentinc/kafka-javascript';
import { RuntimeFailure } from '../errors.js';
import type { Logger } from '../log.js';
import { AssignedReader, type AssignedRecord, type KafkaConfig } from '../kafka/index.js';
import { withDeadline } from '../deadline.js';
import { listTopicNames, topicOffsets, type TopicIo } from './topic-io.js';

export type SampleWindow = { kind: 'last'; perPartition: number } | { kind: 'since'; ms: number };

export interface SampleResult {
  partitions: number;
  /** Records the slice holds (end − start summed) and how many were read. */
  expected: number;
  read: number;
  complete: boolean;
}

export interface PartitionRange {
  partition: number;
  start: number;
  end: number;
}

/** Start/end per partition for the window: pure, from watermarks (and, for `since`, offsets by timestamp). */
export function sampleRanges(offsets: readonly { partition: number; low: number; high: number }[], window: SampleWindow, sinceOffsets?: ReadonlyMap<number, number>): PartitionRange[] {
  return offsets.map(({ partition, low, high }) => {
    const start = window.kind === 'last' ? Math.max(low, high - window.perPartition) : Math.min(high, Math.max(low, sinceOffsets?.get(partition) ?? high));
    return { partition, start, end: high };
  });
}

export async function sampleTopic(
  io: TopicIo & { consumerConfig: KafkaConfig; logger: Logger },
  topic: string,
  window: SampleWindow,
  onRecord: (record: AssignedRecord) => void,
): Promise<SampleResult> {
  if (!(await listTopicNames(io)).includes(topic)) {
    throw new RuntimeFailure(`topic ${topic} does not exist (check --topic-prefix, or create it with: kscrape topics create)`, 'kafka.unknown-topic');
  }
  const offsets = await topicOffsets(io, topic);
  let since: Map<number, number> | undefined;
  if (window.kind === 'since') {
    const byTime = await withDeadline(io.admin.fetchTopicOffsetsByTimestamp(topic, Date.now() - window.ms, { timeout: io.timeoutMs, isolationLevel: RdKafka.IsolationLevel.READ_UNCOMMITTED }), io.timeoutMs + 1_000, `offsets by time of ${topic}`);
    since = new Map(byTime.map((o) => [o.partition, Number(o.offset)]));
  }
  const ranges = sampleRanges(offsets, window, since).filter((r) => r.end > r.start);
  const expected = ranges.reduce((a, r) => a + r.end - r.start, 0);
  const result: SampleResult = { partitions: offsets.length, expected, read: 0, complete: true };
  if (!ranges.length) return result;

  const reader = await AssignedReader.open({ config: io.consumerConfig, logger: io.logger, connectTimeoutMs: io.timeoutMs });
  const deadline = Date.now() + io.timeoutMs;
  try {
    const open = new Map(ranges.map((r) => [r.partition, r]));
    reader.assign(ranges.map((r) => ({ topic, partition: r.partition, offset: r.start })));
    while (open.size && Date.now() < deadline) {
      const { records, eof } = await reader.poll(1000);
      const finished: number[] = [];
      for (const rec of records) {
        const range = open.get(rec.partition);
        if (!range || rec.offset < range.start || rec.offset >= range.end) continue;
        result.read++;
        onRecord(rec);
        if (rec.offset >= range.end - 1) finished.push(rec.partition);
      }
      for (const e of eof) if (e.offset >= (open.get(e.partition)?.end ?? Infinity)) finished.push(e.partition);
      for (const p of finished) open.delete(p);
      reader.pause(finished.map((partition) => ({ topic, partition })));
    }
    result.complete = open.size === 0;
  } finally {
    await reader.close();
  }
  return result;
}
