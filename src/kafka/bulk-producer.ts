/**
 * A transactional producer for bulk input on the callback API, with exact accounting and bounded memory, built
 * for throughput: librdkafka reports only the messages that FAILED (`delivery.report.only.error`), with their
 * key and value (`dr_msg_cb`), so a delivered message costs one native produce() call and no JavaScript at all
 * afterwards. (Measured, 300 k messages: a report per message holds the client to 73-98 k msg/s; failures
 * only, 180-340 k msg/s.)
 *
 * Why transactions: a message whose request timed out on the client (ERR__MSG_TIMED_OUT) may still have been
 * written by the broker, so "reported failed" never meant "not in the topic". In a transaction it does: a
 * message counts as delivered only when its transaction commits, and an aborted transaction's messages stay
 * invisible to read_committed readers. The caller (src/produce/produce-transactions.ts) decides when to commit
 * and where an aborted transaction's messages go; this class only makes the calls.
 *
 * Every transactional call is bounded twice: librdkafka's own timeout argument, and a deadline a little longer
 * on our side in case the native call hangs (its worker thread is then left to finish on its own). An outcome
 * carries librdkafka's flags (retriable: call again to resume; abortable: abort; fatal: this producer is done).
 *
 * The in-flight bound is librdkafka's own queue (`queue.buffering.max.messages` = maxInFlight): produce()
 * throws ERR__QUEUE_FULL when it is full, and only that message waits and is retried.
 */
import { RdKafka } from '@confluentinc/kafka-javascript';
import { RuntimeFailure, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { createBulkProducer } from './clients.js';
import { bulkProducerSettings } from './client-configs.js';
import type { KafkaConfig } from './config.js';
import { withDeadline } from '../deadline.js';

export interface FailureReport {
  partition: number;
  key: string;
  /** The message as produced (null only if it had none). */
  value: Buffer | null;
  /** librdkafka's error name: ERR__MSG_TIMED_OUT, ERR_TOPIC_AUTHORIZATION_FAILED... */
  reason: string;
}

export interface BulkProducerOptions {
  config: KafkaConfig;
  logger: Logger;
  /** Called once for every queued message that librdkafka reports undelivered. */
  onFailure: (report: FailureReport) => void;
  /** The one topic this producer writes to. */
  topic: string;
  /** Messages librdkafka may hold at most (sets queue.buffering.max.messages). */
  maxInFlight: number;
  connectTimeoutMs: number;
  /** The run's transactional.id and transaction.timeout.ms (see client-configs.ts). */
  transaction: { id: string; timeoutMs: number };
}

/** What a transactional call came to: done, or failed with librdkafka's flags. */
export type TxnOutcome = { ok: true } | { ok: false; reason: string; retriable: boolean; abortable: boolean; fatal: boolean };

/** produce() refused a message for a reason other than a full queue; it was not queued. */
export class SendRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const QUEUE_FULL = RdKafka.CODES.ERRORS.ERR__QUEUE_FULL;
const ERROR_NAMES = new Map(Object.entries(RdKafka.CODES.ERRORS).map(([name, code]) => [code as number, name]));
const QUEUE_FULL_RETRY_MS = 5;
/** How much longer than librdkafka's own timeout our deadline on a transactional call is. */
const CALL_MARGIN_MS = 2_000;
/** Pause between init_transactions attempts while the coordinator loads. */
const INIT_RETRY_MS = 500;
/** Coordinator errors that pass once the coordinator has moved or loaded (librdkafka does not always mark them retriable). */
const COORDINATOR_NOT_READY = /LOAD_IN_PROGRESS|COORDINATOR_NOT_AVAILABLE|NOT_COORDINATOR/;

export function kafkaErrorName(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return (typeof code === 'number' && ERROR_NAMES.get(code)) || errorMessage(err);
}

function outcomeOf(err: RdKafka.LibrdKafkaError | null | undefined): TxnOutcome {
  if (!err) return { ok: true };
  return { ok: false, reason: kafkaErrorName(err), retriable: Boolean(err.isRetriable), abortable: Boolean(err.isTxnRequiresAbort), fatal: Boolean(err.isFatal) };
}

export class BulkProducer {
  private closing = false;
  private disconnecting: Promise<void> | undefined;

  private constructor(private readonly producer: RdKafka.Producer, private readonly opts: BulkProducerOptions) {
    producer.on('delivery-report', (err, report) => this.onReport(err, report));
    producer.on('event.error', (err) => opts.logger.debug(`[producer error] ${kafkaErrorName(err)}: ${err.message}`));
    // librdkafka's own log lines (connection refused, retries): for --verbose only, never on a piped stderr.
    producer.on('event.log', (e: { severity?: number; fac?: string; message?: string }) => opts.logger.debug(`[producer ${e.fac ?? 'log'}] ${e.message ?? ''}`));
  }

  /** Connects, initializes transactions and begins the first one. */
  static async connect(opts: BulkProducerOptions): Promise<BulkProducer> {
    const producer = createBulkProducer(opts, bulkProducerSettings(opts.maxInFlight, opts.transaction));
    const fail = (err: unknown, what: string) => {
      producer.disconnect(() => undefined);
      return new RuntimeFailure(`cannot ${what} at ${String(opts.config['bootstrap.servers'])}: ${errorMessage(err)}`, 'kafka.unreachable', { retriable: true, cause: err });
    };
    try {
      await withDeadline(new Promise<void>((resolve, reject) => {
        producer.connect({ timeout: opts.connectTimeoutMs }, (err) => (err ? reject(err) : resolve()));
      }), opts.connectTimeoutMs + 1_000, 'producer connect');
    } catch (err) {
      throw fail(err, 'connect the producer');
    }
    // Reports are served on librdkafka's thread; without polling they never arrive and the queue never empties.
    producer.setPollInBackground(true);
    const self = new BulkProducer(producer, opts);
    const init = await self.initTransactions(Date.now() + opts.connectTimeoutMs);
    const begun = init.ok ? await self.beginTransaction() : init;
    if (!begun.ok) throw fail(new Error(begun.reason), 'start a producer transaction');
    return self;
  }

  /**
   * Queues one message without waiting: true when queued, false when librdkafka's queue is full (wait with
   * `waitForRoom` and try again). Throws SendRefused when produce() refused it otherwise (it was not queued).
   * librdkafka copies `value`, so the caller may reuse its memory at once.
   */
  trySend(partition: number, key: string, value: Buffer): boolean {
    if (this.closing) throw new SendRefused('producer-closed');
    try {
      this.producer.produce(this.opts.topic, partition, value, key, null);
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === QUEUE_FULL) return false;
      throw new SendRefused(kafkaErrorName(err));
    }
  }

  /** Resolves after a short pause, in which librdkafka may make room (deliveries or failures free its queue). */
  waitForRoom(): Promise<void> {
    return new Promise((r) => setTimeout(r, QUEUE_FULL_RETRY_MS));
  }

  /**
   * init_transactions, asked again while the transaction coordinator is not ready and the deadline allows: on a
   * cluster the coordinator moves when a broker dies or rejoins, and the new one answers "load in progress" until it
   * has read its share of __transaction_state (seconds); a fresh cluster's first transactional producer also
   * creates that topic. librdkafka lets a timed-out or retriable init be called again.
   */
  private async initTransactions(deadline: number): Promise<TxnOutcome> {
    for (let attempt = 1; ; attempt++) {
      const init = await this.call('init transactions', Math.max(1_000, deadline - Date.now()), (ms, cb) => this.producer.initTransactions(ms, cb));
      const transient = !init.ok && !init.fatal && (init.retriable || COORDINATOR_NOT_READY.test(init.reason));
      if (init.ok || !transient || Date.now() + INIT_RETRY_MS >= deadline) return init;
      if (attempt === 1) this.opts.logger.info(`the transaction coordinator is not ready (${init.reason}); asking again until the connect timeout`);
      await new Promise((r) => setTimeout(r, INIT_RETRY_MS));
    }
  }

  /** Local to the client (no broker round trip); the next transaction starts with its first message. */
  beginTransaction(): Promise<TxnOutcome> {
    return this.call('begin transaction', 5_000, (_ms, cb) => this.producer.beginTransaction(cb));
  }

  /** Flushes the open transaction's messages and commits it, within `timeoutMs`; resumable when retriable. */
  commitTransaction(timeoutMs: number): Promise<TxnOutcome> {
    return this.call('commit transaction', timeoutMs, (ms, cb) => this.producer.commitTransaction(ms, cb));
  }

  /** Purges what the open transaction still queues and aborts it, within `timeoutMs`; resumable when retriable. */
  abortTransaction(timeoutMs: number): Promise<TxnOutcome> {
    return this.call('abort transaction', timeoutMs, (ms, cb) => this.producer.abortTransaction(ms, cb));
  }

  /** Later sends are refused; disconnects (bounded). The caller has committed or aborted what it queued. */
  shutdown(): Promise<void> {
    this.closing = true;
    this.disconnecting ??= withDeadline(new Promise<void>((resolve) => {
      this.producer.disconnect(5_000, () => resolve());
    }), 10_000, 'producer disconnect').catch((err) => this.opts.logger.debug(errorMessage(err)));
    return this.disconnecting;
  }

  private async call(what: string, timeoutMs: number, run: (ms: number, cb: (err: RdKafka.LibrdKafkaError) => void) => void): Promise<TxnOutcome> {
    const ms = Math.max(1, Math.round(timeoutMs));
    this.opts.logger.debug(`${what} (at most ${ms} ms)`);
    try {
      return outcomeOf(await withDeadline(new Promise<RdKafka.LibrdKafkaError | null>((resolve) => {
        try {
          run(ms, (err) => resolve(err ?? null));
        } catch (err) {
          resolve(err as RdKafka.LibrdKafkaError);
        }
      }), ms + CALL_MARGIN_MS, what));
    } catch (err) {
      // The native call did not return: treat it as a timeout, which librdkafka lets the caller resume.
      return { ok: false, reason: errorMessage(err), retriable: true, abortable: false, fatal: false };
    }
  }

  private onReport(err: RdKafka.LibrdKafkaError | null | undefined, report: RdKafka.DeliveryReport): void {
    // With delivery.report.only.error only failures arrive; a success here (a -X override) needs no action.
    if (!err) return;
    const key = report.key === undefined || report.key === null ? '' : report.key.toString();
    this.opts.onFailure({ partition: report.partition, key, value: report.value ?? null, reason: kafkaErrorName(err) });
  }
}
