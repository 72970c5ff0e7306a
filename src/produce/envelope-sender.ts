/**
 * The send stage of produce: partition, encode and queue each envelope to the bulk producer inside the open
 * transaction (./produce-transactions.ts), and route every envelope that is not sent (run stopped, broker
 * failing, send refused) into the fallback file. After the first failed transaction (or failure report) the
 * broker is taken to be failing: nothing more is sent.
 *
 * `emit` is synchronous unless it must wait (no room in librdkafka's queue, a commit under way or due, or a
 * file write): a promise per URL costs throughput.
 */
import { errorMessage } from '../errors.js';
import { SendRefused, type BulkProducer } from '../kafka/index.js';
import type { LocalDepthCounter, Partitioner } from '../partition/partitioner.js';
import { EnvelopeEncoder, type UrlEnvelope } from '../records/index.js';
import type { DedupeClaims } from './dedupe-claims.js';
import type { JsonLinesFile } from './json-lines-file.js';
import type { ProduceStats } from './produce-stats.js';
import type { ProduceTransactions } from './produce-transactions.js';

export interface SenderParts {
  producer: BulkProducer;
  partition: Partitioner;
  /** The urls topic's partition count (kept current by its owner). */
  partitions: { readonly count: number };
  stats: ProduceStats;
  fallback: JsonLinesFile;
  transactions: ProduceTransactions;
  claims?: DedupeClaims;
  localDepth?: LocalDepthCounter;
}

export class EnvelopeSender {
  /** The signal that stopped the run: nothing more is sent. */
  stoppedBy: string | undefined;
  private readonly encoder = new EnvelopeEncoder();

  constructor(private readonly p: SenderParts) {}

  /** Stopped, or the broker is failing: envelopes go to the fallback file instead. */
  halted(): boolean {
    return Boolean(this.stoppedBy || this.p.transactions.failingSince);
  }

  emit(envelope: UrlEnvelope): Promise<void> | undefined {
    // A commit under way: the next URL belongs to the next transaction.
    const settling = this.p.transactions.pending;
    if (settling) return settling.then(() => this.emit(envelope));
    if (this.halted()) return this.notSent(envelope, this.stoppedBy ? 'interrupted' : 'not-sent-broker-failing');
    const p = this.p.partition({ host: envelope.host, url: envelope.url, customerId: envelope.customer_id }, this.p.partitions.count);
    this.p.localDepth?.add(envelope.host);
    const value = this.encoder.encode(envelope);
    try {
      if (this.p.producer.trySend(p, envelope.host, value)) return this.queued(p, envelope);
    } catch (err) {
      return this.notSent(envelope, err instanceof SendRefused ? err.reason : errorMessage(err));
    }
    // librdkafka copies the value, so the scratch buffer is reused; a message that waits needs its own copy.
    return this.sendLater(p, envelope, Buffer.from(value));
  }

  // Waits for room in librdkafka's queue; gives up when the run stops or the broker is failing meanwhile.
  private async sendLater(p: number, envelope: UrlEnvelope, value: Buffer): Promise<void> {
    this.p.transactions.waitingSends++;
    try {
      for (;;) {
        await this.p.producer.waitForRoom();
        if (this.halted()) return await this.notSent(envelope, this.stoppedBy ? 'interrupted' : 'not-sent-broker-failing');
        try {
          if (this.p.producer.trySend(p, envelope.host, value)) break;
        } catch (err) {
          return await this.notSent(envelope, err instanceof SendRefused ? err.reason : errorMessage(err));
        }
      }
    } finally {
      this.p.transactions.waitingSends--;
    }
    return this.queued(p, envelope);
  }

  // Into the open transaction; a full one (or one whose time came while a send waited) is committed first.
  private queued(p: number, envelope: UrlEnvelope): Promise<void> | undefined {
    this.p.transactions.add(p, envelope);
    return this.p.transactions.due() ? this.p.transactions.settle() : undefined;
  }

  private notSent(envelope: UrlEnvelope, reason: string): Promise<void> {
    this.p.stats.fail(reason);
    this.p.claims?.notSent(envelope);
    return this.p.fallback.write(envelope);
  }
}
