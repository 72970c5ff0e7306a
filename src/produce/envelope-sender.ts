/**
 * The send stage of produce: partition, encode and queue each envelope to the bulk producer, and route every
 * envelope that is not sent (run stopped, broker failing, send refused) or reported undelivered into the
 * fallback file. After the first delivery failure the broker is taken to be failing: nothing more is sent.
 *
 * `emit` is synchronous unless it must wait (no room in librdkafka's queue, or a file write): a promise per
 * URL costs throughput.
 */
import { errorMessage } from '../errors.js';
import { SendRefused, type BulkProducer, type FailureReport } from '../kafka/bulk-producer.js';
import type { LocalDepthCounter, Partitioner } from '../partition/partitioner.js';
import type { RedisDepthSource } from '../partition/redis-depth.js';
import { EnvelopeEncoder, type UrlEnvelope } from '../records/index.js';
import type { DedupeClaims } from './dedupe-claims.js';
import type { JsonLinesFile } from './json-lines-file.js';
import type { ProduceStats } from './produce-stats.js';

/** Delivery failures as librdkafka reports them (synchronously), kept until the main flow writes them out. */
export class FailedDeliveries {
  /** The first failure's reason: set, the broker is taken to be failing. */
  failingSince: string | undefined;
  private queue: UrlEnvelope[] = [];

  constructor(private readonly opts: { stats: ProduceStats; fallback: JsonLinesFile; claims?: DedupeClaims; redisDepth?: RedisDepthSource }) {}

  /** BulkProducer's onFailure. */
  report({ partition, value, reason }: FailureReport): void {
    this.opts.stats.failQueued(partition, reason);
    // The value is the envelope's JSON as produced: the fallback file gets exactly what was sent.
    const envelope = JSON.parse(value?.toString('utf8') ?? 'null') as UrlEnvelope;
    this.opts.redisDepth?.add(envelope.host, -1);
    this.opts.claims?.undelivered(envelope.url);
    this.queue.push(envelope);
    this.failingSince ??= reason;
  }

  /** Writes the failures reported so far to the fallback file. */
  async drain(): Promise<void> {
    const failed = this.queue;
    this.queue = [];
    for (const envelope of failed) await this.opts.fallback.write(envelope);
  }
}

export interface SenderParts {
  producer: BulkProducer;
  partition: Partitioner;
  /** The urls topic's partition count (kept current by its owner). */
  partitions: { readonly count: number };
  stats: ProduceStats;
  fallback: JsonLinesFile;
  failures: FailedDeliveries;
  claims?: DedupeClaims;
  redisDepth?: RedisDepthSource;
  localDepth?: LocalDepthCounter;
}

export class EnvelopeSender {
  /** The signal that stopped the run: nothing more is sent. */
  stoppedBy: string | undefined;
  private readonly encoder = new EnvelopeEncoder();

  constructor(private readonly p: SenderParts) {}

  /** Stopped, or the broker is failing: envelopes go to the fallback file instead. */
  halted(): boolean {
    return Boolean(this.stoppedBy || this.p.failures.failingSince);
  }

  emit(envelope: UrlEnvelope): Promise<void> | undefined {
    if (this.stoppedBy || this.p.failures.failingSince) return this.notSent(envelope, this.stoppedBy ? 'interrupted' : 'not-sent-broker-failing');
    const p = this.p.partition({ host: envelope.host, url: envelope.url, customerId: envelope.customer_id }, this.p.partitions.count);
    this.p.localDepth?.add(envelope.host);
    const value = this.encoder.encode(envelope);
    try {
      if (this.p.producer.trySend(p, envelope.host, value)) {
        this.queued(p, envelope);
        return undefined;
      }
    } catch (err) {
      return this.notSent(envelope, err instanceof SendRefused ? err.reason : errorMessage(err));
    }
    // librdkafka copies the value, so the scratch buffer is reused; a message that waits needs its own copy.
    return this.sendLater(p, envelope, Buffer.from(value));
  }

  // Waits for room in librdkafka's queue; gives up when the run stops or the broker is failing meanwhile.
  private async sendLater(p: number, envelope: UrlEnvelope, value: Buffer): Promise<void> {
    for (;;) {
      await this.p.producer.waitForRoom();
      if (this.stoppedBy || this.p.failures.failingSince) return this.notSent(envelope, this.stoppedBy ? 'interrupted' : 'not-sent-broker-failing');
      try {
        if (this.p.producer.trySend(p, envelope.host, value)) return this.queued(p, envelope);
      } catch (err) {
        return this.notSent(envelope, err instanceof SendRefused ? err.reason : errorMessage(err));
      }
    }
  }

  private queued(p: number, envelope: UrlEnvelope): void {
    this.p.stats.queue(p);
    this.p.redisDepth?.add(envelope.host);
  }

  private notSent(envelope: UrlEnvelope, reason: string): Promise<void> {
    this.p.stats.fail(reason);
    this.p.claims?.notSent(envelope);
    return this.p.fallback.write(envelope);
  }
}
