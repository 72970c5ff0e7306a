/**
 * What `dlq retry` must know before it consumes: the urls topic's partition count (re-emits are partitioned
 * like produce's) and, with --once, where the group stands (the end of "everything due now").
 */
import { errorMessage, RuntimeFailure } from '../errors.js';
import { connectAdmin, type KafkaConfig } from '../kafka/index.js';
import { withDeadline } from '../deadline.js';
import type { Logger } from '../log.js';
import { readGroupStart } from './group-start.js';
import { OnceProgress } from './once-progress.js';

export interface RetryStartOptions {
  adminConfig: KafkaConfig;
  logger: Logger;
  group: string;
  topics: { dlq: string; urls: string; parked: string };
  once: boolean;
  timeoutMs: number;
}

export interface RetryStart {
  urlPartitions: number;
  /** With --once: what is left to handle. */
  progress: OnceProgress | undefined;
}

export async function readRetryStart(opts: RetryStartOptions): Promise<RetryStart> {
  const { logger, topics } = opts;
  const admin = await connectAdmin({ config: opts.adminConfig, logger, timeoutMs: opts.timeoutMs });
  try {
    const meta = await withDeadline(admin.admin.fetchTopicMetadata({ topics: [topics.dlq, topics.urls, topics.parked], timeout: opts.timeoutMs }), opts.timeoutMs + 1_000, 'topic metadata');
    const urlPartitions = meta.find((t) => t.name === topics.urls)?.partitions.length ?? 0;
    if (!urlPartitions) throw new Error(`topic ${topics.urls} not found`);
    let progress: OnceProgress | undefined;
    if (opts.once) {
      const start = await readGroupStart(admin.admin, { id: opts.group, adminConfig: opts.adminConfig, logger }, topics.dlq, opts.timeoutMs);
      progress = new OnceProgress(start.stopAt, start.startAt);
    }
    return { urlPartitions, progress };
  } catch (err) {
    if (err instanceof RuntimeFailure) throw err;
    throw new RuntimeFailure(`dlq retry: cannot read topics ${topics.dlq}, ${topics.urls}, ${topics.parked} (${errorMessage(err)}); create them with kscrape topics create`, 'dlq.topics', { cause: err });
  } finally {
    await admin.close();
  }
}
