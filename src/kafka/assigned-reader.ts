/**
 * Reads chosen partitions from chosen offsets without joining a consumer group (assign, never subscribe), and
 * never commits. The promisified consumer has no assign(), so this uses the client's callback API, built from the
 * same merged config (`ctx.kafkaConfig('consumer')`) as every other client. Used where a command must look at
 * records without disturbing a group: `lag` (timestamp of the oldest unconsumed record), `dlq stats`,
 * `dlq retry --dry-run`.
 */
import KafkaJavascript from '@confluentinc/kafka-javascript';
import type { Logger } from '../log.js';
import { assignedReaderConfig } from './client-configs.js';
import type { KafkaConfig } from './config.js';
import { redactConfig } from '../redact.js';
import { withDeadline } from '../deadline.js';

type RawConsumer = InstanceType<typeof KafkaJavascript.KafkaConsumer>;

export interface AssignedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number | undefined;
  key: Buffer | null;
  value: Buffer | null;
}

export interface PartitionStart {
  topic: string;
  partition: number;
  offset: number;
}

export interface AssignedReaderOptions {
  config: KafkaConfig;
  logger: Logger;
  /** Extra librdkafka properties, for example a small fetch size when only one record is wanted. */
  extra?: KafkaConfig;
  connectTimeoutMs: number;
}

/** An assign-only consumer: open, read with `poll`, close. */
export class AssignedReader {
  private eofs: { topic: string; partition: number; offset: number }[] = [];

  private constructor(private readonly consumer: RawConsumer, private readonly logger: Logger) {
    consumer.on('partition.eof', (e) => { this.eofs.push({ topic: e.topic, partition: e.partition, offset: Number(e.offset) }); });
  }

  static async open(opts: AssignedReaderOptions): Promise<AssignedReader> {
    const config = assignedReaderConfig(opts.config, opts.extra);
    opts.logger.debug(`assigned reader config: ${JSON.stringify(redactConfig(config))}`);
    const consumer = new KafkaJavascript.KafkaConsumer(config as never, {});
    consumer.on('event.error', (err) => opts.logger.debug(`assigned reader: ${err.message}`));
    try {
      await withDeadline(new Promise<void>((resolve, reject) => {
        consumer.connect({ timeout: opts.connectTimeoutMs }, (err) => (err ? reject(err) : resolve()));
      }), opts.connectTimeoutMs + 1_000, 'consumer connect');
    } catch (err) {
      // A long-running worker opens readers now and then (the idle check): a failed one must not keep its threads.
      consumer.disconnect(() => undefined);
      throw err;
    }
    consumer.setDefaultConsumeTimeout(50);
    // Wait for the first record only, then take what is ready: otherwise every poll that gets fewer than it asked
    // for (the usual case: one record per partition is wanted) also waits out the timeout once more.
    // (Public on the prototype, missing from the client's type declarations.)
    (consumer as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(v: boolean): void }).setDefaultIsTimeoutOnlyForFirstMessage(true);
    return new AssignedReader(consumer, opts.logger);
  }

  assign(starts: PartitionStart[]): void {
    this.consumer.assign(starts.map((s) => ({ topic: s.topic, partition: s.partition, offset: s.offset })));
  }

  /** Drops every assigned partition (a later `assign` starts afresh). */
  unassign(): void {
    this.consumer.unassign();
  }

  /** Stops fetching the given partitions (what is already fetched may still arrive). */
  pause(parts: { topic: string; partition: number }[]): void {
    if (parts.length) this.consumer.pause(parts);
  }

  /** Up to `max` records, plus the partitions that reached their end (offset = the end) since the last call. */
  poll(max: number): Promise<{ records: AssignedRecord[]; eof: { topic: string; partition: number; offset: number }[] }> {
    return new Promise((resolve, reject) => {
      this.consumer.consume(max, (err, messages) => {
        if (err) { reject(err); return; }
        const records: AssignedRecord[] = [];
        const eof = this.eofs;
        this.eofs = [];
        for (const m of messages) {
          records.push({
            topic: m.topic, partition: m.partition, offset: Number(m.offset), timestamp: m.timestamp,
            key: m.key === undefined || m.key === null ? null : Buffer.from(m.key as Buffer),
            value: m.value ?? null,
          });
        }
        resolve({ records, eof });
      });
    });
  }

  close(): Promise<void> {
    return withDeadline(new Promise<void>((resolve) => { this.consumer.disconnect(() => resolve()); }), 5_000, 'consumer disconnect')
      .catch((err: Error) => { this.logger.debug(`assigned reader disconnect: ${err.message}`); });
  }
}

/**
 * Of `starts`, the partitions where a read_committed reader finds a record at or after the given offset, below
 * `high` (the partition's high watermark). A partition whose rest is only transaction markers or aborted records
 * (a transactional producer's, e.g. `kscrape produce`) reaches its end at `high` without one: it has nothing to
 * consume although its committed offset is below the watermark. An end short of `high` (a transaction still
 * open) counts as having records; so does no answer within `timeoutMs`, and those are also in `undecided`.
 */
export async function partitionsWithRecords(opts: AssignedReaderOptions & { topic: string; timeoutMs: number },
  starts: { partition: number; offset: number; high: number }[]): Promise<{ withRecords: Set<number>; undecided: Set<number> }> {
  const found = new Set<number>();
  const undecided = new Set<number>();
  if (!starts.length) return { withRecords: found, undecided };
  const reader = await AssignedReader.open({ ...opts, extra: { ...opts.extra, 'isolation.level': 'read_committed' } });
  try {
    reader.assign(starts.map((s) => ({ topic: opts.topic, partition: s.partition, offset: s.offset })));
    const open = new Map(starts.map((s) => [s.partition, s.high]));
    const deadline = Date.now() + opts.timeoutMs;
    while (open.size && Date.now() < deadline) {
      const { records, eof } = await reader.poll(100);
      for (const r of records) { found.add(r.partition); open.delete(r.partition); }
      for (const e of eof) {
        const high = open.get(e.partition);
        if (high === undefined) continue;
        if (e.offset < high) found.add(e.partition);
        open.delete(e.partition);
      }
    }
    for (const p of open.keys()) { found.add(p); undecided.add(p); }
  } finally {
    await reader.close();
  }
  return { withRecords: found, undecided };
}
