/**
 * A topic's partition count for a producer that picks partitions itself: read once at start (a missing
 * topic is one clear error), then refreshed in the background so added partitions are used within a minute.
 */
import { RuntimeFailure, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { connectAdmin, type ConnectedAdmin } from './admin.js';
import type { KafkaConfig } from './config.js';
import { withDeadline } from '../deadline.js';

export interface PartitionCountOptions {
  config: KafkaConfig;
  logger: Logger;
  topic: string;
  timeoutMs: number;
  /** How often to re-read the count. Default 60 s. */
  refreshMs?: number;
}

export class TopicPartitionCount {
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly admin: ConnectedAdmin, private readonly opts: PartitionCountOptions, public count: number) {}

  static async open(opts: PartitionCountOptions): Promise<TopicPartitionCount> {
    const admin = await connectAdmin(opts);
    try {
      const count = await fetchCount(admin, opts);
      const tracker = new TopicPartitionCount(admin, opts, count);
      tracker.timer = setInterval(() => void tracker.refresh(), opts.refreshMs ?? 60_000);
      tracker.timer.unref();
      return tracker;
    } catch (err) {
      await admin.close();
      throw err;
    }
  }

  async refresh(): Promise<void> {
    try {
      const count = await fetchCount(this.admin, this.opts);
      if (count !== this.count) this.opts.logger.info(`${this.opts.topic}: partition count ${this.count} -> ${count}`);
      // Never shrink (Kafka cannot remove partitions; a smaller answer is a stale broker).
      this.count = Math.max(this.count, count);
    } catch (err) {
      this.opts.logger.debug(`partition count refresh failed, keeping ${this.count}: ${errorMessage(err)}`);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.admin.close();
  }
}

async function fetchCount(admin: ConnectedAdmin, opts: PartitionCountOptions): Promise<number> {
  let metadata;
  try {
    metadata = await withDeadline(admin.admin.fetchTopicMetadata({ topics: [opts.topic], timeout: opts.timeoutMs }), opts.timeoutMs + 1_000, 'topic metadata');
  } catch (err) {
    if ((err as { type?: string }).type === 'ERR_UNKNOWN_TOPIC_OR_PART') {
      throw new RuntimeFailure(`topic '${opts.topic}' does not exist; create it with: kscrape topics create (or check --topic/--topic-prefix)`, 'kafka.topic-missing', { cause: err });
    }
    throw new RuntimeFailure(`cannot read the metadata of topic '${opts.topic}': ${errorMessage(err)}`, 'kafka.metadata', { retriable: true, cause: err });
  }
  const count = metadata[0]?.partitions.length ?? 0;
  if (count === 0) throw new RuntimeFailure(`topic '${opts.topic}' has no partitions`, 'kafka.topic-missing');
  return count;
}
