/**
 * Page intake of `kscrape extract`: a consumed message becomes extraction work; one that is not a page record
 * goes straight to an errors record. The look-ahead (memory is bounded by look-ahead × partitions × page size),
 * the message limit and the rest of the consumer-side bookkeeping are the worker's (worker/lookahead-intake.ts).
 */
import { decodePageRecord, type PageRecord } from '../records/index.js';
import type { RawMessage } from '../worker/consumer-session.js';
import { LookaheadIntake, type LookaheadIntakeOptions } from '../worker/lookahead-intake.js';
import type { TrackedMessage } from '../worker/types.js';

export interface PageItem extends TrackedMessage {
  page: PageRecord;
  /** The message's size, for the bytes counter. */
  bytes: number;
}

export interface PageIntakeOptions extends LookaheadIntakeOptions {
  stats: { consumed: number; malformed: number };
  /** Queues a page for extraction. */
  extract(item: PageItem): void;
  /** A message that is not a page record: its errors record, then the offset is finished. */
  malformed(item: TrackedMessage, raw: RawMessage, reason: string): void;
}

export class PageIntake extends LookaheadIntake {
  constructor(private readonly opts: PageIntakeOptions) {
    super(opts);
  }

  protected take(m: RawMessage, tracked: TrackedMessage): void {
    const decoded = decodePageRecord(m.value);
    if (!decoded.ok) {
      this.opts.stats.malformed++;
      this.opts.malformed(tracked, m, decoded.malformed);
      return;
    }
    this.opts.extract({ ...tracked, page: decoded.page, bytes: m.value?.length ?? 0 });
  }
}
