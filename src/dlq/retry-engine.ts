/**
 * `dlq retry`: consumes the dlq topic in a consumer group and re-emits due records to the urls topic.
 *
 * Safety (reference-guide flaw #4): auto-commit is off; a partition's offset is committed only past records
 * that were re-emitted or parked, and only after those sends were delivered. A record that is not due yet stops
 * its partition: the partition is paused (the client then seeks back to that record, so nothing behind it is
 * skipped) and resumed when the record is due, or, with --once, left for the next run. Malformed records are
 * parked, never thrown on (a throwing eachBatch handler is re-delivered forever). Delivery is at least once: a
 * crash between delivery and commit re-emits those records again on restart, never loses them.
 *
 * With a transactional id (`--eos`), each batch's re-emits, parks and the dlq offset past them are one
 * transaction: a crash anywhere leaves either all of them or none visible to read_committed readers, so a
 * record is re-emitted exactly once. A transaction that fails (a broker or coordinator away) is aborted and its
 * batch handled again after a pause; the run stops (exit status says retriable) only when transactions keep
 * failing for longer than the handler's bound, with nothing of the failed ones visible or committed.
 */
import { errorMessage, RuntimeFailure } from '../errors.js';
import type { Logger } from '../log.js';
import { createConsumer, createProducer, dlqRetryConsumerSettings, dlqRetryProducerSettings, type KafkaConfig } from '../kafka/index.js';
import { withDeadline } from '../deadline.js';
import type { Partitioner } from '../partition/partitioner.js';
import { connectTransactionalProducer, Transactor } from '../worker/transactor.js';
import { BatchHandler, type BatchPayload, type RetrySummary } from './retry-batch.js';
import { createCommitHandled } from './retry-output.js';
import type { RetryPolicy } from './retry-policy.js';
import { readRetryStart } from './retry-start.js';
import { StatusLine } from './retry-status.js';

export type { RetrySummary } from './retry-batch.js';

/** A run's options, all given; src/commands/dlq.ts fills them from the flags and DLQ_DEFAULTS. */
export interface RetryRunOptions {
  consumerConfig: KafkaConfig;
  producerConfig: KafkaConfig;
  adminConfig: KafkaConfig;
  logger: Logger;
  group: string;
  topics: { dlq: string; urls: string; parked: string };
  policy: RetryPolicy;
  partitioner: Partitioner;
  /** Called with each re-emitted host (the fair partitioner's local depth). */
  onReEmit?: (host: string) => void;
  once: boolean;
  timeoutMs: number;
  /** Written into parked records. */
  worker: string;
  /**
   * Exactly-once: the producer's `transactional.id`. Stable across restarts, so a restarted run fences a
   * predecessor that may still be alive; two runs at once need two ids.
   */
  transactionalId?: string;
  /** Resolves to stop (tests); otherwise SIGINT/SIGTERM. */
  stopSignal?: Promise<void>;
  now?: () => number;
}

/** --once ends when no partition has been assigned to it for this long (other members hold them all). */
const NO_ASSIGNMENT_GIVE_UP_MS = 60_000;

export async function runRetry(opts: RetryRunOptions): Promise<RetrySummary> {
  const { logger, topics } = opts;
  const now = opts.now ?? Date.now;
  const { urlPartitions, progress } = await readRetryStart(opts);

  // Exactly once through the worker's Transactor (one home for transactions and their failure modes).
  const transactor = opts.transactionalId === undefined ? undefined : new Transactor({
    createProducer: () => connectTransactionalProducer({ ...opts.producerConfig, ...dlqRetryProducerSettings(opts.producerConfig, opts.transactionalId) }, logger),
    topic: topics.dlq, logger,
  });
  const producer = transactor ? undefined : createProducer({ config: opts.producerConfig, logger });
  const consumer = createConsumer({ config: opts.consumerConfig, logger }, dlqRetryConsumerSettings(opts.group));
  let stopping = false;
  let fatal: unknown;
  let inFlight: Promise<void> = Promise.resolve();

  const handler = new BatchHandler({
    policy: opts.policy, logger, now, progress, once: opts.once, stopping: () => stopping,
    commit: createCommitHandled({ ...(producer ? { producer } : {}), ...(transactor ? { transactor } : {}), consumer, timeoutMs: opts.timeoutMs, logger,
      output: { topics, partitioner: opts.partitioner, urlPartitions, worker: opts.worker, now } }),
    resume: (partition) => consumer.resume([{ topic: topics.dlq, partitions: [partition] }]),
    ...(opts.onReEmit ? { onReEmit: opts.onReEmit } : {}),
  });

  const stop = () => { stopping = true; };
  const signals = opts.stopSignal ? [] : (['SIGINT', 'SIGTERM'] as const);
  signals.forEach((s) => process.once(s, stop));
  void opts.stopSignal?.then(stop);
  try {
    if (producer) await withDeadline(producer.connect(), opts.timeoutMs, 'producer connect');
    else await transactor!.start();
    await withDeadline(consumer.connect(), opts.timeoutMs, 'consumer connect');
    await withDeadline(consumer.subscribe({ topics: [topics.dlq] }), opts.timeoutMs, 'subscribe');
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        if (stopping || fatal) return;
        const run = handler.handle(payload as unknown as BatchPayload).catch((err: unknown) => {
          // Never throw from the handler: stop instead, with nothing committed past what was delivered.
          fatal = err;
          stopping = true;
        });
        inFlight = run;
        await run;
      },
    });
    const started = now();
    const status = new StatusLine(logger, now, started);
    // Since when nothing has been assigned: a rebalance (a coordinator moved) empties the assignment for a while.
    let unassignedSince = started;
    while (!stopping) {
      await new Promise((r) => setTimeout(r, 100));
      if (!opts.once) status.maybeLog(handler.summary, handler.waiting);
      if (!opts.once || !progress) continue;
      const assigned = consumer.assignment().filter((tp) => tp.topic === topics.dlq).map((tp) => tp.partition);
      if (progress.allDone(assigned)) break;
      if (assigned.length) unassignedSince = now();
      else if (now() - unassignedSince > NO_ASSIGNMENT_GIVE_UP_MS) {
        logger.warn(`dlq retry --once: no partition of ${topics.dlq} assigned for ${NO_ASSIGNMENT_GIVE_UP_MS / 1000} s (other members of group ${opts.group} hold them?)`);
        break;
      }
    }
  } finally {
    stopping = true;
    signals.forEach((s) => process.off(s, stop));
    handler.clearTimers();
    await inFlight;
    // Leaves the group; everything delivered was already committed batch by batch.
    await withDeadline(consumer.disconnect(), opts.timeoutMs, 'consumer disconnect').catch((err: Error) => logger.warn(`consumer disconnect: ${err.message}`));
    if (producer) await withDeadline(producer.disconnect(), opts.timeoutMs, 'producer disconnect').catch((err: Error) => logger.warn(`producer disconnect: ${err.message}`));
    await transactor?.close();
  }
  if (fatal) throw new RuntimeFailure(`dlq retry stopped: ${errorMessage(fatal)}; nothing was committed past the last delivered record`, 'dlq.delivery', { retriable: true, cause: fatal });
  return handler.result();
}
