/**
 * Reads a topic's partitions from given offsets up to given marks (the high watermarks seen at start) without a
 * consumer group and without committing: for `dlq stats` and `dlq retry --dry-run`, which must not disturb the
 * retry group. The callback may stop a partition early.
 */
import type { Logger } from '../log.js';
import { type KafkaConfig, AssignedReader, type AssignedRecord } from '../kafka/index.js';

export interface ScanOptions {
  config: KafkaConfig;
  logger: Logger;
  topic: string;
  startAt: ReadonlyMap<number, number>;
  stopAt: ReadonlyMap<number, number>;
  /** Give up after this long (what was read so far stands, and `complete` is false). */
  timeoutMs: number;
  /** Return 'stop' to read no further in this record's partition. */
  onRecord(record: AssignedRecord): 'next' | 'stop';
}

export async function scanTopic(opts: ScanOptions): Promise<{ complete: boolean; read: number }> {
  const open = new Map<number, number>();
  for (const [p, start] of opts.startAt) {
    const stop = opts.stopAt.get(p) ?? 0;
    if (start < stop) open.set(p, stop);
  }
  if (!open.size) return { complete: true, read: 0 };
  const reader = await AssignedReader.open({ config: opts.config, logger: opts.logger, connectTimeoutMs: opts.timeoutMs });
  const deadline = Date.now() + opts.timeoutMs;
  let read = 0;
  try {
    reader.assign([...open.keys()].map((p) => ({ topic: opts.topic, partition: p, offset: opts.startAt.get(p)! })));
    while (open.size && Date.now() < deadline) {
      const { records, eof } = await reader.poll(1000);
      const finished: { topic: string; partition: number }[] = [];
      for (const r of records) {
        const stop = open.get(r.partition);
        if (stop === undefined) continue;
        if (r.offset >= stop) { open.delete(r.partition); finished.push(r); continue; }
        read++;
        if (opts.onRecord(r) === 'stop' || r.offset + 1 >= stop) { open.delete(r.partition); finished.push(r); }
      }
      for (const e of eof) if (open.has(e.partition) && e.offset >= open.get(e.partition)!) { open.delete(e.partition); finished.push(e); }
      reader.pause(finished);
    }
  } finally {
    await reader.close();
  }
  if (open.size) opts.logger.warn(`${opts.topic}: partitions ${[...open.keys()].join(', ')} not read to the end within ${opts.timeoutMs / 1000} s`);
  return { complete: open.size === 0, read };
}
