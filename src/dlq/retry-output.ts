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
/** Deadline of each transaction call: the client's own can hang when the coordinator is away (librdkafka #5456). */
const TRANSACTION_CALL_DEADLINE_MS = 30_000;

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

export function createCommitHandled(parts: { producer: Producer; consumer: Consumer; eos: boolean; timeoutMs: number; output: OutputContext }): CommitHandled {
  const { producer, consumer, output } = parts;

  /** At least once: deliver, then commit past what was delivered. */
  const deliverThenCommit: CommitHandled = async (topic, partition, handled, next) => {
    await withDeadline(producer.sendBatch({ topicMessages: messagesOf(partition, handled, output) }), DELIVERY_DEADLINE_MS, 'delivery of re-emitted records');
    await withDeadline(consumer.commitOffsets([{ topic, partition, offset: String(next) }]), parts.timeoutMs, 'commit');
  };

  /** Exactly once: the records and the offset past them in one transaction, or none of it. */
  const commitInTransaction: CommitHandled = async (topic, partition, handled, next) => {
    const call = <T>(p: Promise<T>, what: string) => withDeadline(p, TRANSACTION_CALL_DEADLINE_MS, what);
    const tx = await call(producer.transaction(), 'begin transaction');
    try {
      await call(tx.sendBatch({ topicMessages: messagesOf(partition, handled, output) }), 'transactional send of re-emitted records');
      await call(tx.sendOffsets({ consumer, topics: [{ topic, partitions: [{ partition, offset: String(next) }] }] }), 'send offsets to transaction');
      await call(tx.commit(), 'commit transaction');
    } catch (err) {
      await call(tx.abort(), 'abort transaction').catch(() => undefined);
      throw new Error(`transaction aborted, nothing of it is visible: ${errorMessage(err)}`, { cause: err });
    }
  };

  return parts.eos ? commitInTransaction : deliverThenCommit;
}
