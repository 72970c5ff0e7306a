/**
 * The urls topic's ends as the worker's idle check and watchdog need them: the high watermarks, except that a
 * partition whose records from the committed offset on are only transaction markers or aborted records (kscrape
 * produce commits transactions, and its last commit marker sits below every watermark) ends at that offset, so
 * it does not count as lag. Telling the two apart takes a read_committed reader; its answer is kept for as long
 * as the partition's committed offset and watermark stay the same, so a quiet worker does not open a reader on
 * every check.
 */
import { withDeadline } from '../deadline.js';
import { partitionsWithRecords, type Admin, type KafkaConfig } from '../kafka/index.js';
import type { Logger } from '../log.js';

export interface LogEndsOptions {
  admin: Pick<Admin, 'fetchTopicOffsets'>;
  topic: string;
  /** The reader's config (the consumer role's). */
  consumerConfig: KafkaConfig;
  logger: Logger;
  /** Bound of each read: the offsets request, the reader's connect and its read. @default 5000 */
  timeoutMs?: number;
  /** Which partitions have records left (tests pass their own). @default partitionsWithRecords */
  hasRecords?: typeof partitionsWithRecords;
}

export class LogEnds {
  /** `partition:committed:high` → whether records lie between. */
  private readonly known = new Map<string, boolean>();

  constructor(private readonly opts: LogEndsOptions) {}

  /** The ends of these partitions (all when omitted); with `from` (committed offsets), marker-only rests end there. */
  async read(partitions?: number[], from?: Map<number, number>): Promise<Map<number, number>> {
    const timeoutMs = this.opts.timeoutMs ?? 5_000;
    const highs = await withDeadline(this.opts.admin.fetchTopicOffsets(this.opts.topic), 2 * timeoutMs, 'topic offsets');
    const wanted = partitions && new Set(partitions);
    const ends = new Map(highs.filter((h) => !wanted || wanted.has(h.partition)).map((h) => [h.partition, Number(h.high)]));
    if (!from) return ends;
    const behind = [...ends].flatMap(([partition, high]) => {
      const offset = from.get(partition) ?? -1;
      return offset >= 0 && offset < high ? [{ partition, offset, high }] : [];
    });
    const unknown = behind.filter((b) => !this.known.has(key(b)));
    if (unknown.length) {
      const { withRecords, undecided } = await (this.opts.hasRecords ?? partitionsWithRecords)({
        config: this.opts.consumerConfig, logger: this.opts.logger, connectTimeoutMs: timeoutMs, topic: this.opts.topic, timeoutMs,
      }, unknown);
      if (this.known.size > 10_000) this.known.clear();
      // A partition the reader could not settle in time counts as lag this once and is asked again next time:
      // kept, a slow read during a broker restart would hold a quiet worker off its idle exit for good.
      for (const b of unknown) if (!undecided.has(b.partition)) this.known.set(key(b), withRecords.has(b.partition));
      if (undecided.size) this.opts.logger.debug(`log ends: no answer in ${timeoutMs} ms for partitions ${[...undecided].join(',')}; counted as lag`);
    }
    for (const b of behind) if (this.known.get(key(b)) === false) ends.set(b.partition, b.offset);
    return ends;
  }
}

const key = (b: { partition: number; offset: number; high: number }) => `${b.partition}:${b.offset}:${b.high}`;
