/**
 * Exactly-once results (`kscrape work --eos`). Outcome records are held here until their partition's commit
 * position (the lowest unfinished offset) has passed them; then one transaction carries every held record
 * below the positions together with the positions themselves as the group's offsets. A record is therefore
 * visible to read_committed readers exactly when its offset is committed: after a crash, the URLs above the
 * last committed position are fetched again, and the results of the first attempt were never committed.
 * The HTTP fetch itself may repeat; what goes into Kafka does not.
 */
import { createProducer, type Consumer, type KafkaConfig, type Producer } from '../kafka/index.js';
import { DeadlineExceeded, withDeadline } from '../deadline.js';
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';
import type { OutRecord } from './result-sink.js';
import type { Cleanups } from '../consumer-command/run.js';

export interface TransactorOptions {
  /** Builds a connected transactional producer (initTransactions done); called again after a fatal error. */
  createProducer(): Promise<Producer>;
  topic: string;
  logger: Logger;
  /** Deadline of each transaction call (the client's own timeouts can hang, librdkafka #5456). @default 30000 */
  callTimeoutMs?: number;
}

/** How long a producer's disconnect may take before it is abandoned. */
const DISCONNECT_TIMEOUT_MS = 10_000;

interface Held {
  offset: number;
  records: OutRecord[];
}

export class Transactor {
  private producer: Producer | undefined;
  private readonly held = new Map<number, Held[]>();
  private readonly timeoutMs: number;
  readonly counters = { transactions: 0, aborted: 0, producerRestarts: 0, records: 0 };

  constructor(private readonly opts: TransactorOptions) {
    this.timeoutMs = opts.callTimeoutMs ?? 30_000;
  }

  async start(): Promise<void> {
    this.producer = await this.opts.createProducer();
  }

  /** Keeps a finished message's records until a transaction commits its partition past it. */
  hold(partition: number, offset: number, records: OutRecord[]): void {
    let list = this.held.get(partition);
    if (!list) this.held.set(partition, (list = []));
    list.push({ offset, records });
  }

  heldCount(): number {
    let n = 0;
    for (const list of this.held.values()) n += list.length;
    return n;
  }

  /** Forgets a revoked partition's held records: its next owner fetches those URLs again. */
  drop(partition: number): void {
    this.held.delete(partition);
  }

  /**
   * One transaction: the held records below `positions` and the positions as the group's offsets.
   * Returns true when it committed; on failure nothing is visible and everything stays held. Never throws: the
   * worker's commit rounds are a promise chain, and a rejection would stop every later round.
   */
  async commit(consumer: Consumer, positions: readonly { partition: number; offset: number }[]): Promise<boolean> {
    if (!positions.length) return true;
    const producer = await this.ensureProducer();
    if (!producer) return false;
    const taken = positions.map(({ partition, offset }) => ({ partition, entries: (this.held.get(partition) ?? []).filter((h) => h.offset < offset) }));
    const byTopic = new Map<string, { key: string | null; value: string | Buffer; partition?: number; headers?: Record<string, string> }[]>();
    for (const { entries } of taken) {
      for (const { records } of entries) {
        for (const r of records) {
          let list = byTopic.get(r.topic);
          if (!list) byTopic.set(r.topic, (list = []));
          list.push({ key: r.key, value: r.value, ...(r.partition === undefined ? {} : { partition: r.partition }), ...(r.headers ? { headers: r.headers } : {}) });
        }
      }
    }
    const call = <T>(p: Promise<T>, what: string) => withDeadline(p, this.timeoutMs, what);
    let tx: Producer;
    try {
      tx = await call(producer.transaction(), 'begin transaction');
    } catch (err) {
      // Beginning is local to the client: failing means its transaction state is wedged (e.g. "Can only start
      // one transaction at a time" after an abort that never completed). Only a new producer gets out of it.
      return this.failed(err, true);
    }
    try {
      await call(Promise.all([...byTopic].map(([topic, messages]) => tx.send({ topic, messages }))), 'transactional send');
      await call(tx.sendOffsets({
        consumer,
        topics: [{ topic: this.opts.topic, partitions: positions.map((p) => ({ partition: p.partition, offset: String(p.offset) })) }],
      }), 'send offsets to transaction');
      await call(tx.commit(), 'commit transaction');
    } catch (err) {
      // A call still stuck in the client holds the transaction manager: an abort would only queue behind it.
      if (err instanceof DeadlineExceeded) return this.failed(err, true, true);
      const aborted = await call(tx.abort(), 'abort transaction').then(() => true, () => false);
      // An abort that failed (broker away, call hung) leaves the transaction open in this producer for good.
      return this.failed(err, !aborted || isFatal(err));
    }
    for (const { partition, entries } of taken) {
      const sent = new Set(entries);
      this.held.set(partition, (this.held.get(partition) ?? []).filter((h) => !sent.has(h)));
      this.counters.records += entries.reduce((n, e) => n + e.records.length, 0);
    }
    this.counters.transactions++;
    return true;
  }

  async close(): Promise<void> {
    await this.disconnect(this.producer, 'at the stop');
  }

  /**
   * A disconnect that does not end in time is abandoned, and said: its native destroy goes on in a thread of its
   * own (the process's exit bound, exit-bound.ts, ends the process if it never returns); what it left open is safe.
   */
  private async disconnect(producer: Producer | undefined, when: string): Promise<void> {
    if (!producer) return;
    await withDeadline(producer.disconnect(), DISCONNECT_TIMEOUT_MS, 'producer disconnect').catch((err: unknown) => {
      this.opts.logger.warn(`transactional producer not closed ${when} within ${DISCONNECT_TIMEOUT_MS / 1000} s: abandoned `
        + `(an open transaction of it is aborted by the broker after transaction.timeout.ms, or fenced by the next producer): ${errorMessage(err)}`);
    });
  }

  private async failed(err: unknown, replaceProducer: boolean, stuck = false): Promise<false> {
    this.counters.aborted++;
    this.opts.logger.warn(`transaction failed, nothing of it is visible (will retry${replaceProducer ? ' with a new producer' : ''}): ${errorMessage(err)}`);
    if (replaceProducer) await this.restartProducer(stuck);
    return false;
  }

  /** The producer, made anew when the last attempt to make one failed (the broker was away); undefined if it fails again. */
  private async ensureProducer(): Promise<Producer | undefined> {
    if (this.producer) return this.producer;
    try {
      this.producer = await this.opts.createProducer();
    } catch (err) {
      this.opts.logger.warn(`transactional producer not available yet (will retry at the next commit): ${errorMessage(err)}`);
    }
    return this.producer;
  }

  /**
   * A fenced, fatal or wedged producer cannot continue: a new one with the same transactional.id fences the old
   * one and aborts whatever transaction it left open on the broker.
   */
  private async restartProducer(stuck: boolean): Promise<void> {
    this.counters.producerRestarts++;
    const old = this.producer;
    this.producer = undefined;
    if (stuck) {
      // Seen after a group coordinator was killed: rd_kafka_send_offsets_to_transaction waits for good despite its
      // timeout, in one of libuv's 4 pool threads, and a disconnect of the same producer (rd_kafka_destroy) then
      // waits for it in a second one. Two such incidents took every pool thread: consumes and commits of the
      // whole worker stopped, and the process could not end. So the stuck producer is left as it is (its threads
      // and one pool thread are lost until the process ends); the new one, same transactional.id, fences it.
      this.opts.logger.warn('transactional producer left without disconnect: a call of it is stuck in the client (a disconnect would wait for it and hold a second thread); '
        + 'the new producer fences it, and its open transaction is aborted');
    } else {
      await this.disconnect(old, 'on replacement');
    }
    await this.ensureProducer();
  }
}

function isFatal(err: unknown): boolean {
  // A call that hung leaves the producer in an unknown state: replacing it is the only safe way on.
  if (err instanceof DeadlineExceeded) return true;
  return (err as { fatal?: boolean })?.fatal === true || /fenced|fatal/i.test(errorMessage(err));
}

/**
 * A transactional producer for the Transactor, connected within 60 s. On failure it is closed again before the error
 * goes up: the next commit retries with a new one, and this one must not linger with its threads.
 */
export async function connectTransactionalProducer(config: KafkaConfig, logger: Logger): Promise<Producer> {
  const p = createProducer({ config, logger });
  try {
    await withDeadline(p.connect(), 60_000, 'transactional producer connect');
  } catch (err) {
    await withDeadline(p.disconnect(), 10_000, 'producer disconnect').catch(() => undefined);
    throw err;
  }
  return p;
}

/**
 * --eos: a Transactor on `topic` (the consumed topic, whose offsets go into each transaction), started with its
 * first producer and closed with the run. `producerConfig` is read for each producer it builds.
 */
export async function startTransactor(opts: { topic: string; logger: Logger; producerConfig(): KafkaConfig; cleanups: Cleanups }): Promise<Transactor> {
  const transactor = new Transactor({
    topic: opts.topic, logger: opts.logger,
    createProducer: () => connectTransactionalProducer(opts.producerConfig(), opts.logger),
  });
  await transactor.start();
  opts.cleanups.push(() => transactor.close());
  return transactor;
}
