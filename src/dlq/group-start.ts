/** Where a group stands on a topic now: where it resumes per partition, and each partition's high watermark. */
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { errorMessage, RuntimeFailure } from '../errors.js';
import { type Admin, type KafkaConfig, readGroupsIsolated } from '../kafka/index.js';
import { withDeadline } from '../deadline.js';
import type { Logger } from '../log.js';

export interface GroupStart {
  /** Committed offset, or the log start when the group has none (auto.offset.reset=earliest) or it fell below it. */
  startAt: Map<number, number>;
  /** High watermark per partition. */
  stopAt: Map<number, number>;
}

/** The group whose committed offsets are read, and how to reach the cluster from a child process. */
export interface GroupOfReader {
  id: string;
  adminConfig: KafkaConfig;
  logger: Logger;
}

export async function readGroupStart(admin: Admin, group: GroupOfReader | undefined, topic: string, timeoutMs: number): Promise<GroupStart> {
  try {
    return await read(admin, group, topic, timeoutMs);
  } catch (err) {
    throw new RuntimeFailure(`cannot read the offsets of ${topic} (${errorMessage(err)}); does it exist? (kscrape topics create)`, 'dlq.offsets', { cause: err });
  }
}

async function read(admin: Admin, group: GroupOfReader | undefined, topic: string, timeoutMs: number): Promise<GroupStart> {
  const watermarks = await withDeadline(admin.fetchTopicOffsets(topic, { timeout: timeoutMs, isolationLevel: KafkaJS.IsolationLevel.READ_UNCOMMITTED }), timeoutMs + 1_000, `offsets of ${topic}`);
  const committed = group ? await committedOffsets(group, topic, timeoutMs) : new Map<number, number>();
  const startAt = new Map<number, number>();
  const stopAt = new Map<number, number>();
  for (const w of watermarks) {
    startAt.set(w.partition, Math.max(Number(w.low), committed.get(w.partition) ?? -1));
    stopAt.set(w.partition, Number(w.high));
  }
  return { startAt, stopAt };
}

/**
 * In a child process: the client's in-process fetchOffsets can crash the whole process (SIGSEGV) when the
 * group coordinator answers with an error (see kafka/isolated-group-reads.ts), e.g. on a fresh broker.
 */
async function committedOffsets(group: GroupOfReader, topic: string, timeoutMs: number): Promise<Map<number, number>> {
  const task = { kind: 'offsets' as const, group: group.id };
  const results = await readGroupsIsolated({ config: group.adminConfig, logger: group.logger, tasks: [task], timeoutMs });
  const result = [...results.values()][0];
  if (!result?.ok) throw new Error(`committed offsets of group ${group.id}: ${result ? result.failure.detail : 'no answer'}`);
  if (!('offsets' in result)) throw new Error(`committed offsets of group ${group.id}: unexpected answer`);
  return new Map(result.offsets.filter((o) => o.topic === topic).map((o) => [o.partition, o.offset]));
}
