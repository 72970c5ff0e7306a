/**
 * Delivers each URL's outcome records and tells the caller when all of them are acknowledged. A record that
 * fails to deliver (broker slow or down, local queue full) is retried here with backoff, for as long as the
 * sink is open: its URL stays unfinished, so the consumer never commits past it, and the bounded look-ahead
 * pauses consumption instead of piling up work. Nothing is dropped and nothing deadlocks.
 */
import type { Producer } from '../kafka/index.js';
import { errorMessage } from '../errors.js';
import { withDeadline } from '../deadline.js';
import { DELIVERY_TIMEOUT_MS, LIBRDKAFKA_REQUEST_TIMEOUT_MS } from '../kafka/client-configs.js';

export interface OutRecord {
  topic: string;
  /** null: no key (a parked dlq record that could not be read). */
  key: string | null;
  /** JSON text; page records come as bytes (see json-bytes.ts), the rest as strings. */
  value: string | Buffer;
  /** Chosen by kscrape's partitioner (discovered URLs, like `produce`'s); else the client's by key. */
  partition?: number;
  /** Kafka headers (dlq retry names the dlq record a re-emit came from). */
  headers?: Record<string, string>;
}

export interface ResultSinkOptions {
  producer: Producer;
  /** Records above this serialized size are shrunk by `shrink` before sending. @default 4 MiB */
  maxRecordBytes?: number;
  /** Returns a smaller version of a record that is too large (e.g. a page with half its body), or undefined. */
  shrink?(record: OutRecord, limitBytes: number): OutRecord | undefined;
  /** First retry delay; doubles up to `maxRetryDelayMs`. @default 200 */
  retryDelayMs?: number;
  /** @default 5000 */
  maxRetryDelayMs?: number;
  /**
   * How long one send may wait for its delivery report before it counts as failed and is sent again. librdkafka
   * reports every message within its delivery timeout (plus a request on the wire); a report that never comes
   * (seen after a broker froze) would otherwise hold the URL unfinished, and its partition uncommitted, for
   * good and in silence. Sending again may duplicate the record (at-least-once), never loses it.
   * @default DELIVERY_TIMEOUT_MS + LIBRDKAFKA_REQUEST_TIMEOUT_MS + 5000 (settleBoundMs of the default producer)
   */
  reportTimeoutMs?: number;
  onRetry?(record: OutRecord, err: unknown, attempt: number): void;
}

const DEFAULT_REPORT_TIMEOUT_MS = DELIVERY_TIMEOUT_MS + LIBRDKAFKA_REQUEST_TIMEOUT_MS + 5_000;

const SIZE_ERRORS = /MSG_SIZE_TOO_LARGE|RECORD_LIST_TOO_LARGE|MESSAGE_TOO_LARGE|too large/i;

export class SinkClosed extends Error {
  constructor() {
    super('result sink closed before delivery');
  }
}

export class ResultSink {
  private open = true;
  private readonly pending = new Set<Promise<void>>();
  private readonly maxBytes: number;
  /** Size of the records not yet acknowledged (bytes, or a string's length: cheap, and close enough for a budget). */
  private pendingChars = 0;
  private roomWaiters: { limit: number; resolve: () => void }[] = [];
  readonly counters = { delivered: 0, retries: 0, shrunk: 0 };

  constructor(private readonly opts: ResultSinkOptions) {
    this.maxBytes = opts.maxRecordBytes ?? 4 * 1024 * 1024;
  }

  /** Resolves when every record is acknowledged by the broker; rejects only with SinkClosed. */
  deliver(records: readonly OutRecord[]): Promise<void> {
    const size = records.reduce((n, r) => n + r.value.length, 0);
    this.pendingChars += size;
    const all = Promise.all(records.map((r) => this.deliverOne(this.fit(r)))).then(() => undefined);
    this.pending.add(all);
    void all.catch(() => undefined).finally(() => {
      this.pending.delete(all);
      this.pendingChars -= size;
      this.wakeRoomWaiters();
    });
    return all;
  }

  /** Bytes (approximately) of records handed to `deliver` and not yet acknowledged. */
  pendingBytes(): number {
    return this.pendingChars;
  }

  /**
   * Resolves once the records awaiting acknowledgement are below `limitBytes` (at once if they are, and at
   * once when the sink is closed). The worker waits here before taking more work: a slow broker then slows
   * fetching instead of piling pages up in memory.
   */
  belowBytes(limitBytes: number): Promise<void> {
    if (this.hasRoom(limitBytes)) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push({ limit: limitBytes, resolve }));
  }

  /** An empty sink always has room, so a budget smaller than one record cannot wedge the worker. */
  private hasRoom(limitBytes: number): boolean {
    return !this.open || this.pendingChars === 0 || this.pendingChars < limitBytes;
  }

  private wakeRoomWaiters(): void {
    if (!this.roomWaiters.length) return;
    const ready = this.roomWaiters.filter((w) => this.hasRoom(w.limit));
    this.roomWaiters = this.roomWaiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  /** Waits up to `deadlineMs` for outstanding deliveries. Returns how many were still outstanding. */
  async drain(deadlineMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), deadlineMs); });
    const result = await Promise.race([Promise.allSettled([...this.pending]).then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    return result === 'done' ? 0 : this.pending.size;
  }

  /** Stops retrying: outstanding deliveries reject with SinkClosed (their URLs stay uncommitted). */
  close(): void {
    this.open = false;
    this.wakeRoomWaiters();
  }

  outstanding(): number {
    return this.pending.size;
  }

  private fit(record: OutRecord): OutRecord {
    if (Buffer.byteLength(record.value) <= this.maxBytes) return record;
    const smaller = this.opts.shrink?.(record, this.maxBytes);
    if (smaller) this.counters.shrunk++;
    return smaller ?? record;
  }

  private async deliverOne(record: OutRecord): Promise<void> {
    let delay = this.opts.retryDelayMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      if (!this.open) throw new SinkClosed();
      try {
        await withDeadline(this.opts.producer.send({ topic: record.topic, messages: [{ key: record.key, value: record.value, ...(record.partition === undefined ? {} : { partition: record.partition }) }] }),
          this.opts.reportTimeoutMs ?? DEFAULT_REPORT_TIMEOUT_MS, 'delivery report');
        this.counters.delivered++;
        return;
      } catch (err) {
        if (SIZE_ERRORS.test(errorMessage(err))) {
          const smaller = this.opts.shrink?.(record, Math.floor(Buffer.byteLength(record.value) / 2));
          if (smaller) {
            this.counters.shrunk++;
            record = smaller;
            continue;
          }
        }
        this.counters.retries++;
        this.opts.onRetry?.(record, err, attempt);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, this.opts.maxRetryDelayMs ?? 5_000);
      }
    }
  }
}
