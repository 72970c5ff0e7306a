/**
 * Reads whole topics, up to the high watermarks seen at the start, without joining a group or committing
 * (the project's assign-only reader), so counting what a pipeline wrote never disturbs it.
 */
import { createAdmin, AssignedReader, type KafkaConfig } from '../../src/kafka/index.js';
import { withDeadline } from '../../src/deadline.js';
import type { Logger } from '../../src/log.js';

/** One record's value as text (null for a tombstone). */
export type TopicValues = Map<string, (string | null)[]>;

export interface ReadTopicsOptions {
  config: KafkaConfig;
  logger: Logger;
  timeoutMs?: number;
}

/** Every record of each topic, by topic; throws when a topic cannot be read to its end within the deadline. */
export async function readTopics(topics: readonly string[], opts: ReadTopicsOptions): Promise<TopicValues> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const admin = createAdmin({ config: opts.config, logger: opts.logger });
  await withDeadline(admin.connect(), timeoutMs, 'admin connect');
  const ranges: { topic: string; partition: number; start: number; end: number }[] = [];
  try {
    for (const topic of topics) {
      const offsets = await withDeadline(admin.fetchTopicOffsets(topic), timeoutMs, `offsets of ${topic}`);
      for (const o of offsets) ranges.push({ topic, partition: o.partition, start: Number(o.low), end: Number(o.high) });
    }
  } finally {
    await withDeadline(admin.disconnect(), 5_000, 'admin disconnect').catch(() => undefined);
  }

  const out: TopicValues = new Map(topics.map((t) => [t, []]));
  const open = new Map(ranges.filter((r) => r.end > r.start).map((r) => [`${r.topic}/${r.partition}`, r]));
  if (!open.size) return out;
  const reader = await AssignedReader.open({ config: opts.config, logger: opts.logger, connectTimeoutMs: timeoutMs });
  const deadline = Date.now() + timeoutMs;
  try {
    reader.assign([...open.values()].map((r) => ({ topic: r.topic, partition: r.partition, offset: r.start })));
    while (open.size && Date.now() < deadline) {
      const { records, eof } = await reader.poll(1000);
      for (const rec of records) {
        const key = `${rec.topic}/${rec.partition}`;
        const range = open.get(key);
        if (!range || rec.offset < range.start || rec.offset >= range.end) continue;
        out.get(rec.topic)!.push(rec.value ? rec.value.toString('utf8') : null);
        if (rec.offset >= range.end - 1) {
          open.delete(key);
          reader.pause([{ topic: rec.topic, partition: rec.partition }]);
        }
      }
      // Offsets can have gaps (transaction markers): the end of a partition is also reached at its EOF.
      for (const e of eof) {
        const key = `${e.topic}/${e.partition}`;
        if (e.offset >= (open.get(key)?.end ?? Infinity)) open.delete(key);
      }
    }
  } finally {
    await reader.close();
  }
  if (open.size) throw new Error(`could not read ${[...open.keys()].join(', ')} to the end within ${timeoutMs / 1000} s`);
  return out;
}
