/**
 * A producer for bulk input on the callback API, with exact accounting and bounded memory, built for
 * throughput: librdkafka reports only the messages that FAILED (`delivery.report.only.error`), with their key
 * and value (`dr_msg_cb`), so a delivered message costs one native produce() call and no JavaScript at all
 * afterwards. (Measured, 300 k messages: a report per message holds the client to 73–98 k msg/s; failures
 * only, 180–340 k msg/s.)
 *
 * Why the accounting stays exact: librdkafka gives every message exactly one outcome; with only.error the
 * successes are just not surfaced. Once librdkafka holds no message (flush() succeeded: its message count
 * drops only after a message's report callback ran) and every failure report queued by then has reached
 * JavaScript, each message queued and not reported failed was delivered. A failure report carries the
 * message itself, so the caller rebuilds what it needs from the value and nothing is kept per message here.
 *
 * The in-flight bound is librdkafka's own queue (`queue.buffering.max.messages` = maxInFlight): produce()
 * throws ERR__QUEUE_FULL when it is full, and only that message waits and is retried.
 *
 * Shutdown cannot cut librdkafka's wait short: the client exposes no purge(). A message it holds ends
 * delivered, or failed at the latest `delivery.timeout.ms` after it was queued (plus `request.timeout.ms` for
 * one already on the wire). shutdown() waits for exactly that; only if librdkafka still holds messages after
 * that bound (which it documents cannot happen) is their outcome unknown, and shutdown says so.
 */
import { RdKafka } from '@confluentinc/kafka-javascript';
import { RuntimeFailure, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { createBulkProducer } from './clients.js';
import { LIBRDKAFKA_REQUEST_TIMEOUT_MS, bulkProducerSettings, deliveryTimeoutOf } from './client-configs.js';
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
}

export interface ShutdownResult {
  /** False when librdkafka still held messages at the end of the wait: their outcome is unknown. */
  settled: boolean;
}

/** produce() refused a message for a reason other than a full queue; it was not queued. */
export class SendRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const QUEUE_FULL = RdKafka.CODES.ERRORS.ERR__QUEUE_FULL;
const ERROR_NAMES = new Map(Object.entries(RdKafka.CODES.ERRORS).map(([name, code]) => [code as number, name]));
const QUEUE_FULL_RETRY_MS = 5;
const SHUTDOWN_MARGIN_MS = 5_000;

export function kafkaErrorName(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return (typeof code === 'number' && ERROR_NAMES.get(code)) || errorMessage(err);
}

/** The longest librdkafka may take to give every queued message its outcome, from the producer's settings. */
export function settleBoundMs(config: KafkaConfig): number {
  const requestTimeoutMs = config['request.timeout.ms'] === undefined ? LIBRDKAFKA_REQUEST_TIMEOUT_MS : Number(config['request.timeout.ms']);
  return deliveryTimeoutOf(config) + requestTimeoutMs + SHUTDOWN_MARGIN_MS;
}

export class BulkProducer {
  private closing = false;
  private failureReports = 0;
  private shuttingDown: Promise<ShutdownResult> | undefined;

  private constructor(private readonly producer: RdKafka.Producer, private readonly opts: BulkProducerOptions) {
    producer.on('delivery-report', (err, report) => this.onReport(err, report));
    producer.on('event.error', (err) => opts.logger.debug(`[producer error] ${kafkaErrorName(err)}: ${err.message}`));
    // librdkafka's own log lines (connection refused, retries): for --verbose only, never on a piped stderr.
    producer.on('event.log', (e: { severity?: number; fac?: string; message?: string }) => opts.logger.debug(`[producer ${e.fac ?? 'log'}] ${e.message ?? ''}`));
  }

  static async connect(opts: BulkProducerOptions): Promise<BulkProducer> {
    const producer = createBulkProducer(opts, bulkProducerSettings(opts.maxInFlight));
    try {
      await withDeadline(new Promise<void>((resolve, reject) => {
        producer.connect({ timeout: opts.connectTimeoutMs }, (err) => (err ? reject(err) : resolve()));
      }), opts.connectTimeoutMs + 1_000, 'producer connect');
    } catch (err) {
      producer.disconnect(() => undefined);
      throw new RuntimeFailure(`cannot connect the producer to ${String(opts.config['bootstrap.servers'])}: ${errorMessage(err)}`, 'kafka.unreachable', { retriable: true, cause: err });
    }
    // Reports are served on librdkafka's thread; without polling they never arrive and the queue never empties.
    producer.setPollInBackground(true);
    return new BulkProducer(producer, opts);
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
   * Waits until librdkafka holds no message (each delivered or reported failed, bounded by its delivery
   * timeout) and every failure report has reached `onFailure`; then disconnects. Later sends are refused.
   */
  shutdown(): Promise<ShutdownResult> {
    this.closing = true;
    this.shuttingDown ??= this.flushAndDisconnect();
    return this.shuttingDown;
  }

  private async flushAndDisconnect(): Promise<ShutdownResult> {
    const deadline = Date.now() + settleBoundMs(this.opts.config);
    let settled = false;
    while (!settled && Date.now() < deadline) {
      const slice = Math.max(1, Math.min(1_000, deadline - Date.now()));
      settled = await new Promise<boolean>((resolve) => {
        try {
          this.producer.flush(slice, (err) => resolve(!err));
        } catch {
          resolve(false);
        }
      });
    }
    await this.drainReports();
    if (!settled) this.opts.logger.warn(`librdkafka still held messages ${settleBoundMs(this.opts.config)} ms after the last was queued: their delivery is unknown`);
    await withDeadline(new Promise<void>((resolve) => {
      this.producer.disconnect(settled ? 5_000 : 1_000, () => resolve());
    }), 10_000, 'producer disconnect').catch((err) => this.opts.logger.debug(errorMessage(err)));
    return { settled };
  }

  /**
   * After a successful flush every failure report is already in the binding's queue, which hands them to
   * JavaScript at most 100 per event-loop turn. Turns pass until three in a row bring none.
   */
  private async drainReports(): Promise<void> {
    let quiet = 0;
    while (quiet < 3) {
      const before = this.failureReports;
      await new Promise((r) => setImmediate(r));
      quiet = this.failureReports === before ? quiet + 1 : 0;
    }
  }

  private onReport(err: RdKafka.LibrdKafkaError | null | undefined, report: RdKafka.DeliveryReport): void {
    // With delivery.report.only.error only failures arrive; a success here (a -X override) needs no action.
    if (!err) return;
    this.failureReports++;
    const key = report.key === undefined || report.key === null ? '' : report.key.toString();
    this.opts.onFailure({ partition: report.partition, key, value: report.value ?? null, reason: kafkaErrorName(err) });
  }
}
