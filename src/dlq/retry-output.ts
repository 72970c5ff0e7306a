/**
 * What `dlq retry` writes for the records of one batch it decided on, and how it makes that durable: re-emits
 * to the urls topic (partitioned like produce), parks to dlq.parked, then the dlq offset past them: delivered
 * then committed (at least once), or all in one transaction (exactly once, --eos).
 */
import { errorMessage } from '../errors.js';
import type { Consumer, Producer } from '../kafka/index.js';
import { withDeadline } from '../deadline.js';
import type { Partitioner } from '../partition/partitioner.js';
import { parkedRecord, type Decision } from './retry-policy.js';
import type { Logger } from '../log.js';
import type { OutRecord } from '../worker/result-sink.js';
import type { Transactor } from '../worker/transactor.js';

/** A record of a batch that was decided (re-emit or park), with its offset. */
export type Handled = { offset: number; d: Exclude<Decision, { action: 'wait' }> };

export interface OutputContext {
  topics: { dlq: string; urls: string; parked: string };
  partitioner: Partitioner;
  urlPartitions: number;
  /** Written into parked records. */
  worker: string;
  now: () => number;
}

const DELIVERY_DEADLINE_MS = 130_000;
/**
 * How long one batch's commit is retried until the group coordinator confirms it. Short: a commit that is not
 * taken is often one of a member that lost its partitions (its generation is gone), and the client cannot
 * finish that rebalance while the batch handler waits; the batch is then handled again (BatchNotCommitted).
 */
const COMMIT_CONFIRM_DEADLINE_MS = 10_000;

/** The messages for one partition's decided records, each with a header naming the dlq record it came from. */
export function messagesOf(partition: number, handled: Handled[], ctx: OutputContext) {
  const { topics } = ctx;
  const urls = [];
  const parked = [];
  for (const { offset, d } of handled) {
    const origin = { 'kscrape-dlq-source': `${topics.dlq}/${partition}/${offset}` };
    if (d.action === 're-emit') {
      const e = d.envelope;
      urls.push({ key: e.host, value: JSON.stringify(e), headers: origin,
        partition: ctx.partitioner({ host: e.host, url: e.url, customerId: e.customer_id }, ctx.urlPartitions) });
    } else {
      parked.push({ key: d.record?.original.url ?? null, value: JSON.stringify(parkedRecord(d, ctx.now(), ctx.worker)), headers: origin });
    }
  }
  const topicMessages = [];
  if (urls.length) topicMessages.push({ topic: topics.urls, messages: urls });
  if (parked.length) topicMessages.push({ topic: topics.parked, messages: parked });
  return topicMessages;
}

/** Makes one partition's decided records durable and commits the dlq offset `next` past them. */
export type CommitHandled = (topic: string, partition: number, handled: Handled[], next: number) => Promise<void>;

/**
 * A batch's offset was not committed: its transaction did not commit (nothing of it is visible; the Transactor has
 * logged why and replaced its producer if it had to), or, at least once, the coordinator did not take the commit
 * after delivery. The batch is to be handled again (at least once: its records are then re-emitted twice).
 */
export class BatchNotCommitted extends Error {
  /** @param delivered the batch's records were delivered (at least once) before its commit failed: they count as re-emitted */
  constructor(message: string, readonly delivered: boolean, options?: ErrorOptions) {
    super(message, options);
  }
}

export function createCommitHandled(parts: { producer?: Producer; transactor?: Transactor; consumer: Consumer; timeoutMs: number; output: OutputContext; logger: Logger }): CommitHandled {
  const { producer, transactor, consumer, output, logger } = parts;

  /**
   * At least once: deliver, then commit past what was delivered, confirmed. The binding's commit resolves before
   * the coordinator answers and a failed commit is never reported, so a commit made while the coordinator moves
   * was lost silently: the run then ended with the group's offsets behind what it had handled (seen on a
   * 3-broker cluster: 59 of 3000 left, re-emitted again by the next run). Only reading the offset back tells.
   */
  const deliverThenCommit: CommitHandled = async (topic, partition, handled, next) => {
    await withDeadline(producer!.sendBatch({ topicMessages: messagesOf(partition, handled, output) }), DELIVERY_DEADLINE_MS, 'delivery of re-emitted records');
    try {
      await commitConfirmed(consumer, { topic, partition, next }, { timeoutMs: Math.min(parts.timeoutMs, COMMIT_CONFIRM_DEADLINE_MS), deadlineMs: COMMIT_CONFIRM_DEADLINE_MS, logger });
    } catch (err) {
      throw new BatchNotCommitted(errorMessage(err), true, { cause: err });
    }
  };

  /**
   * Exactly once: the records and the offset past them in one transaction, or none of it; the worker's
   * Transactor, so a transaction call stuck in the client (a coordinator killed) costs a new producer, not the run.
   */
  const commitInTransaction: CommitHandled = async (_topic, partition, handled, next) => {
    const records: OutRecord[] = messagesOf(partition, handled, output).flatMap(({ topic, messages }) => messages.map((m) => ({ topic, ...m })));
    transactor!.hold(partition, next - 1, records);
    if (await transactor!.commit(consumer, [{ partition, offset: next }])) return;
    transactor!.drop(partition);
    throw new BatchNotCommitted(`transaction for ${output.topics.dlq}/${partition} up to ${next} not committed`, false);
  };

  if (transactor) return commitInTransaction;
  if (!producer) throw new Error('dlq retry: a producer or a transactor is needed');
  return deliverThenCommit;
}

/**
 * Commits `next` for one partition and reads it back from the coordinator until it holds at least that, retrying
 * with backoff for at most `deadlineMs` (each call bounded by `timeoutMs`); throws after that. A stored offset
 * above `next` (a later batch's commit) also counts.
 */
export async function commitConfirmed(consumer: Pick<Consumer, 'commitOffsets' | 'committed'>, at: { topic: string; partition: number; next: number },
  limits: { timeoutMs: number; deadlineMs: number; logger: Logger }, now: () => number = Date.now): Promise<void> {
  const { topic, partition, next } = at;
  const started = now();
  let lastError = 'the coordinator kept an older offset';
  for (let attempt = 0; ; attempt++) {
    try {
      await withDeadline(consumer.commitOffsets([{ topic, partition, offset: String(next) }]), limits.timeoutMs, 'commit');
      const stored = await withDeadline(consumer.committed([{ topic, partition }], limits.timeoutMs), limits.timeoutMs + 1_000, 'reading the committed offset');
      const offset = Number(stored.find((s) => s.topic === topic && s.partition === partition)?.offset ?? -1);
      if (offset >= next) {
        if (attempt > 0) limits.logger.info(`dlq retry: commit of ${topic}/${partition} at ${next} confirmed after ${attempt + 1} attempts (${((now() - started) / 1000).toFixed(1)} s)`);
        return;
      }
      lastError = `the coordinator holds ${offset < 0 ? 'no offset' : offset}`;
    } catch (err) {
      lastError = errorMessage(err);
    }
    const waited = now() - started;
    if (waited >= limits.deadlineMs) throw new Error(`commit of ${topic}/${partition} at ${next} not confirmed within ${Math.round(waited / 1000)} s: ${lastError}`);
    if (attempt === 0) limits.logger.warn(`dlq retry: commit of ${topic}/${partition} at ${next} not confirmed (${lastError}); retrying for up to ${Math.round(limits.deadlineMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 2_000)));
  }
}
