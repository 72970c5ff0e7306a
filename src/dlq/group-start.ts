/** Where a group stands on a topic now: where it resumes per partition, and each partition's high watermark. */
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { errorMessage, RuntimeFailure } from '../errors.js';
import type { Admin } from '../kafka/clients.js';
import { withDeadline } from '../kafka/deadline.js';

export interface GroupStart {
  /** Committed offset, or the log start when the group has none (auto.offset.reset=earliest) or it fell below it. */
  startAt: Map<number, number>;
  /** High watermark per partition. */
  stopAt: Map<number, number>;
}

export async function readGroupStart(admin: Admin, group: string | undefined, topic: string, timeoutMs: number): Promise<GroupStart> {
  try {
    return await read(admin, group, topic, timeoutMs);
  } catch (err) {
    throw new RuntimeFailure(`cannot read the offsets of ${topic} (${errorMessage(err)}); does it exist? (kscrape topics create)`, 'dlq.offsets', { cause: err });
  }
}

async function read(admin: Admin, group: string | undefined, topic: string, timeoutMs: number): Promise<GroupStart> {
  const watermarks = await withDeadline(admin.fetchTopicOffsets(topic, { timeout: timeoutMs, isolationLevel: KafkaJS.IsolationLevel.READ_UNCOMMITTED }), timeoutMs + 1_000, `offsets of ${topic}`);
  const committed = new Map<number, number>();
  if (group) {
    const offsets = await withDeadline(admin.fetchOffsets({ groupId: group, topics: [topic], timeout: timeoutMs }), timeoutMs + 1_000, `offsets of group ${group}`);
    for (const p of offsets.find((t) => t.topic === topic)?.partitions ?? []) committed.set(p.partition, Number(p.offset));
  }
  const startAt = new Map<number, number>();
  const stopAt = new Map<number, number>();
  for (const w of watermarks) {
    startAt.set(w.partition, Math.max(Number(w.low), committed.get(w.partition) ?? -1));
    stopAt.set(w.partition, Number(w.high));
  }
  return { startAt, stopAt };
}
