/**
 * Exactly-once results (`kscrape work --eos`). Outcome records are held here until their partition's commit
 * position (the lowest unfinished offset) has passed them; then one transaction carries every held record
 * below the positions together with the positions themselves as the group's offsets. A record is therefore
 * visible to read_committed readers exactly when its offset is committed: after a crash, the URLs above the
 * last committed position are fetched again, and the results of the first attempt were never committed.
 * The HTTP fetch itself may repeat; what goes into Kafka does not.
 */
import type { Consumer, Producer } from '../kafka/clients.js';
import { DeadlineExceeded, withDeadline } from '../kafka/deadline.js';
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';
import type { OutRecord } from './result-sink.js';

export interface TransactorOptions {
  /** Builds a connected transactional producer (initTransactions done); called again after a fatal error. */
  createProducer(): Promise<Producer>;
  topic: string;
  logger: Logger;
  /** Deadline of each transaction call (the client's own timeouts can hang, librdkafka #5456). @default 30000 */
  callTimeoutMs?: number;
}

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
   * Returns true when it committed; on failure nothing is visible and everything stays held.
   */
  async commit(consumer: Consumer, positions: readonly { partition: number; offset: number }[]): Promise<boolean> {
    if (!positions.length) return true;
    const producer = this.producer;
    if (!producer) throw new Error('transactor not started');
    const taken = positions.map(({ partition, offset }) => ({ partition, entries: (this.held.get(partition) ?? []).filter((h) => h.offset < offset) }));
    const byTopic = new Map<string, { key: string; value: string | Buffer }[]>();
    for (const { entries } of taken) {
      for (const { records } of entries) {
        for (const r of records) {
          let list = byTopic.get(r.topic);
          if (!list) byTopic.set(r.topic, (list = []));
          list.push({ key: r.key, value: r.value });
        }
      }
    }
    const call = <T>(p: Promise<T>, what: string) => withDeadline(p, this.timeoutMs, what);
    try {
      const tx = await call(producer.transaction(), 'begin transaction');
      try {
        await call(Promise.all([...byTopic].map(([topic, messages]) => tx.send({ topic, messages }))), 'transactional send');
        await call(tx.sendOffsets({
          consumer,
          topics: [{ topic: this.opts.topic, partitions: positions.map((p) => ({ partition: p.partition, offset: String(p.offset) })) }],
        }), 'send offsets to transaction');
        await call(tx.commit(), 'commit transaction');
      } catch (err) {
        await call(tx.abort(), 'abort transaction').catch(() => undefined);
        throw err;
      }
    } catch (err) {
      this.counters.aborted++;
      this.opts.logger.warn(`transaction failed, nothing of it is visible (will retry): ${errorMessage(err)}`);
      if (isFatal(err)) await this.restartProducer();
      return false;
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
    await withDeadline(this.producer?.disconnect() ?? Promise.resolve(), 10_000, 'producer disconnect').catch(() => undefined);
  }

  /** A fenced or otherwise fatal producer cannot continue: a new one with the same transactional.id fences the old. */
  private async restartProducer(): Promise<void> {
    this.counters.producerRestarts++;
    const old = this.producer;
    this.producer = undefined;
    await withDeadline(old?.disconnect() ?? Promise.resolve(), 10_000, 'producer disconnect').catch(() => undefined);
    this.producer = await this.opts.createProducer();
  }
}

function isFatal(err: unknown): boolean {
  // A call that hung leaves the producer in an unknown state: replacing it is the only safe way on.
  if (err instanceof DeadlineExceeded) return true;
  return (err as { fatal?: boolean })?.fatal === true || /fenced|fatal/i.test(errorMessage(err));
}
