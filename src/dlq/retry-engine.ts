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
 * record is re-emitted exactly once. A failed transaction is aborted and the run stops (exit status says
 * retriable): nothing of that batch is visible or committed, and the next run handles it again.
 */
import { errorMessage, RuntimeFailure } from '../errors.js';
import type { Logger } from '../log.js';
import { connectAdmin, createConsumer, createProducer, dlqRetryConsumerSettings, dlqRetryProducerSettings, type KafkaConfig } from '../kafka/index.js';
import { withDeadline } from '../deadline.js';
import type { Partitioner } from '../partition/partitioner.js';
import { decide, parkedRecord, type Decision, type RetryPolicy } from './retry-policy.js';
import { OnceProgress } from './once-progress.js';
import { readGroupStart } from './group-start.js';

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

export interface RetrySummary {
  reEmitted: number;
  parked: { 'max-attempts': number; malformed: number };
  /** Partitions left waiting for a record that is not due, with when it will be. */
  waiting: { partition: number; offset: number; dueAt: number }[];
}

/** Records of one batch that were decided (re-emit or park), with their offsets. */
type Handled = { offset: number; d: Exclude<Decision, { action: 'wait' }> };

const DELIVERY_DEADLINE_MS = 130_000;
/** Deadline of each transaction call: the client's own can hang when the coordinator is away (librdkafka #5456). */
const TRANSACTION_CALL_DEADLINE_MS = 30_000;
const NO_ASSIGNMENT_GIVE_UP_MS = 60_000;
/** Continuous mode logs one status line per interval on stderr (when something changed). */
const STATUS_INTERVAL_MS = 60_000;

export async function runRetry(opts: RetryRunOptions): Promise<RetrySummary> {
  const { logger, topics } = opts;
  const now = opts.now ?? Date.now;
  const summary: RetrySummary = { reEmitted: 0, parked: { 'max-attempts': 0, malformed: 0 }, waiting: [] };
  const waiting = new Map<number, { offset: number; dueAt: number }>();

  const admin = await connectAdmin({ config: opts.adminConfig, logger, timeoutMs: opts.timeoutMs });
  let urlPartitions: number;
  let progress: OnceProgress | undefined;
  try {
    const meta = await withDeadline(admin.admin.fetchTopicMetadata({ topics: [topics.dlq, topics.urls, topics.parked], timeout: opts.timeoutMs }), opts.timeoutMs + 1_000, 'topic metadata');
    urlPartitions = meta.find((t) => t.name === topics.urls)?.partitions.length ?? 0;
    if (!urlPartitions) throw new Error(`topic ${topics.urls} not found`);
    if (opts.once) {
      const start = await readGroupStart(admin.admin, { id: opts.group, adminConfig: opts.adminConfig, logger }, topics.dlq, opts.timeoutMs);
      progress = new OnceProgress(start.stopAt, start.startAt);
    }
  } catch (err) {
    if (err instanceof RuntimeFailure) throw err;
    throw new RuntimeFailure(`dlq retry: cannot read topics ${topics.dlq}, ${topics.urls}, ${topics.parked} (${errorMessage(err)}); create them with kscrape topics create`, 'dlq.topics', { cause: err });
  } finally {
    await admin.close();
  }

  const eos = opts.transactionalId !== undefined;
  const producer = createProducer({ config: opts.producerConfig, logger }, dlqRetryProducerSettings(opts.producerConfig, opts.transactionalId));
  const consumer = createConsumer({ config: opts.consumerConfig, logger }, dlqRetryConsumerSettings(opts.group));
  const timers = new Map<number, NodeJS.Timeout>();
  let stopping = false;
  let fatal: unknown;
  let inFlight: Promise<void> = Promise.resolve();

  const messagesOf = (partition: number, handled: Handled[]) => {
    const urls = [];
    const parked = [];
    for (const { offset, d } of handled) {
      const origin = { 'kscrape-dlq-source': `${topics.dlq}/${partition}/${offset}` };
      if (d.action === 're-emit') {
        const e = d.envelope;
        urls.push({ key: e.host, value: JSON.stringify(e), headers: origin,
          partition: opts.partitioner({ host: e.host, url: e.url, customerId: e.customer_id }, urlPartitions) });
      } else {
        parked.push({ key: d.record?.original.url ?? null, value: JSON.stringify(parkedRecord(d, now(), opts.worker)), headers: origin });
      }
    }
    const topicMessages = [];
    if (urls.length) topicMessages.push({ topic: topics.urls, messages: urls });
    if (parked.length) topicMessages.push({ topic: topics.parked, messages: parked });
    return topicMessages;
  };

  /** At least once: deliver, then commit past what was delivered. */
  const deliverThenCommit = async (topic: string, partition: number, handled: Handled[], next: number) => {
    await withDeadline(producer.sendBatch({ topicMessages: messagesOf(partition, handled) }), DELIVERY_DEADLINE_MS, 'delivery of re-emitted records');
    await withDeadline(consumer.commitOffsets([{ topic, partition, offset: String(next) }]), opts.timeoutMs, 'commit');
  };

  /** Exactly once: the records and the offset past them in one transaction, or none of it. */
  const commitInTransaction = async (topic: string, partition: number, handled: Handled[], next: number) => {
    const call = <T>(p: Promise<T>, what: string) => withDeadline(p, TRANSACTION_CALL_DEADLINE_MS, what);
    const tx = await call(producer.transaction(), 'begin transaction');
    try {
      await call(tx.sendBatch({ topicMessages: messagesOf(partition, handled) }), 'transactional send of re-emitted records');
      await call(tx.sendOffsets({ consumer, topics: [{ topic, partitions: [{ partition, offset: String(next) }] }] }), 'send offsets to transaction');
      await call(tx.commit(), 'commit transaction');
    } catch (err) {
      await call(tx.abort(), 'abort transaction').catch(() => undefined);
      throw new Error(`transaction aborted, nothing of it is visible: ${errorMessage(err)}`, { cause: err });
    }
  };

  const handleBatch = async (payload: { batch: { topic: string; partition: number; messages: { offset: string; value: Buffer | null }[] }; resolveOffset(o: string): void; pause(): void }) => {
    const { partition, messages } = payload.batch;
    const clock = now();
    const handled: Handled[] = [];
    let wait: { offset: number; dueAt: number } | undefined;
    let reachedStopMark = false;
    for (const m of messages) {
      if (stopping) break;
      const offset = Number(m.offset);
      if (progress?.beyondStart(partition, offset)) { reachedStopMark = true; break; }
      const d = decide(m.value, clock, opts.policy);
      if (d.action === 'wait') { wait = { offset, dueAt: d.dueAt }; break; }
      handled.push({ offset, d });
    }
    if (handled.length) {
      const last = handled[handled.length - 1]!.offset;
      await (eos ? commitInTransaction : deliverThenCommit)(payload.batch.topic, partition, handled, last + 1);
      payload.resolveOffset(String(last));
      for (const { d } of handled) {
        if (d.action === 're-emit') { summary.reEmitted++; opts.onReEmit?.(d.envelope.host); } else summary.parked[d.reason]++;
      }
      progress?.handledThrough(partition, last);
      waiting.delete(partition);
      logger.debug(`dlq retry: partition ${partition}: handled ${handled.length}, committed ${last + 1}`);
    }
    if (wait) {
      // Paused: the client drops what it already fetched of this partition and seeks back to the first
      // unresolved offset (this record), so it is read again on resume and nothing behind it is skipped.
      payload.pause();
      waiting.set(partition, wait);
      progress?.blockedAt(partition);
      if (!opts.once) scheduleResume(partition, wait.dueAt);
      logger.debug(`dlq retry: partition ${partition} waits for offset ${wait.offset}, due ${new Date(wait.dueAt).toISOString()}`);
    } else if (reachedStopMark) {
      payload.pause();
    }
  };

  const scheduleResume = (partition: number, due: number) => {
    clearTimeout(timers.get(partition));
    // Capped so a far-off due time is re-checked now and then instead of overflowing the timer.
    const delay = Math.min(Math.max(0, due - now()) + 50, 3_600_000);
    timers.set(partition, setTimeout(() => {
      timers.delete(partition);
      if (stopping) return;
      try {
        consumer.resume([{ topic: topics.dlq, partitions: [partition] }]);
      } catch (err) {
        logger.debug(`dlq retry: resume of partition ${partition}: ${errorMessage(err)} (reassigned elsewhere?)`);
      }
    }, delay));
  };

  const stop = () => { stopping = true; };
  const signals = opts.stopSignal ? [] : (['SIGINT', 'SIGTERM'] as const);
  signals.forEach((s) => process.once(s, stop));
  void opts.stopSignal?.then(stop);
  try {
    await withDeadline(producer.connect(), opts.timeoutMs, 'producer connect');
    await withDeadline(consumer.connect(), opts.timeoutMs, 'consumer connect');
    await withDeadline(consumer.subscribe({ topics: [topics.dlq] }), opts.timeoutMs, 'subscribe');
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        if (stopping || fatal) return;
        const run = handleBatch(payload as never).catch((err: unknown) => {
          // Never throw from the handler: stop instead, with nothing committed past what was delivered.
          fatal = err;
          stopping = true;
        });
        inFlight = run;
        await run;
      },
    });
    const started = now();
    let lastStatusAt = started;
    let lastStatus = '';
    while (!stopping) {
      await new Promise((r) => setTimeout(r, 100));
      if (!opts.once && now() - lastStatusAt >= STATUS_INTERVAL_MS) {
        lastStatusAt = now();
        const next = Math.min(...[...waiting.values()].map((w) => w.dueAt));
        const line = `dlq retry: re-emitted ${summary.reEmitted}, parked ${summary.parked['max-attempts'] + summary.parked.malformed}, `
          + `${waiting.size} partition(s) waiting${waiting.size ? `, next due ${new Date(next).toISOString()}` : ''}`;
        if (line !== lastStatus) logger.info(line);
        lastStatus = line;
      }
      if (!opts.once || !progress) continue;
      const assigned = consumer.assignment().filter((tp) => tp.topic === topics.dlq).map((tp) => tp.partition);
      if (progress.allDone(assigned)) break;
      if (!assigned.length && now() - started > NO_ASSIGNMENT_GIVE_UP_MS) {
        logger.warn(`dlq retry --once: no partition of ${topics.dlq} assigned within ${NO_ASSIGNMENT_GIVE_UP_MS / 1000} s (other members of group ${opts.group} hold them?)`);
        break;
      }
    }
  } finally {
    stopping = true;
    signals.forEach((s) => process.off(s, stop));
    for (const t of timers.values()) clearTimeout(t);
    await inFlight;
    // Leaves the group; everything delivered was already committed batch by batch.
    await withDeadline(consumer.disconnect(), opts.timeoutMs, 'consumer disconnect').catch((err: Error) => logger.warn(`consumer disconnect: ${err.message}`));
    await withDeadline(producer.disconnect(), opts.timeoutMs, 'producer disconnect').catch((err: Error) => logger.warn(`producer disconnect: ${err.message}`));
  }
  if (fatal) throw new RuntimeFailure(`dlq retry stopped: ${errorMessage(fatal)}; nothing was committed past the last delivered record`, 'dlq.delivery', { retriable: true, cause: fatal });
  summary.waiting = [...waiting].map(([partition, w]) => ({ partition, ...w })).sort((a, b) => a.partition - b.partition);
  return summary;
}
