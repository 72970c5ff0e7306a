/**
 * Page intake: what the consumer session hands over becomes extraction work. Each partition holds at most
 * `lookahead` unfinished pages (paused when full, resumed at half), so memory is bounded by look-ahead ×
 * partitions × page size, whatever the topic's depth; `maxMessages` ends consumption. A message that is not a
 * page record goes straight to an errors record.
 */
import { decodePageRecord, type PageRecord } from '../records/index.js';
import type { RawMessage } from '../worker/consumer-session.js';
import type { IntakeSession } from '../worker/intake.js';
import type { OffsetTracker, PartitionOffsets } from '../worker/offset-tracker.js';
import type { TrackedMessage } from '../worker/types.js';

export interface PageItem extends TrackedMessage {
  page: PageRecord;
  /** The message's size, for the bytes counter. */
  bytes: number;
}

export interface PageIntakeOptions {
  tracker: Pick<OffsetTracker, 'get' | 'pending'>;
  session(): IntakeSession;
  stats: { consumed: number; malformed: number };
  lookahead: number;
  maxMessages?: number;
  isStopping(): boolean;
  /** Queues a page for extraction. */
  extract(item: PageItem): void;
  /** A message that is not a page record: its errors record, then the offset is finished. */
  malformed(item: TrackedMessage, raw: RawMessage, reason: string): void;
  onLimitReached(): void;
}

export class PageIntake {
  lastMessageAt = Date.now();
  joined = false;

  constructor(private readonly opts: PageIntakeOptions) {}

  limitReached(): boolean {
    return this.opts.maxMessages !== undefined && this.opts.stats.consumed >= this.opts.maxMessages;
  }

  onBatch(partition: number, messages: RawMessage[]): void {
    const { stats, tracker } = this.opts;
    const session = this.opts.session();
    // A batch can still arrive from the client's cache after its partition was revoked: not ours any more.
    const offsets = tracker.get(partition);
    if (this.opts.isStopping() || !offsets || !session.isAssigned(partition)) return;
    for (const m of messages) {
      if (this.limitReached()) break;
      if (!offsets.track(m.offset)) continue;
      stats.consumed++;
      this.lastMessageAt = Date.now();
      const decoded = decodePageRecord(m.value);
      const tracked = { partition, offset: m.offset, offsets };
      if (!decoded.ok) {
        stats.malformed++;
        this.opts.malformed(tracked, m, decoded.malformed);
        continue;
      }
      this.opts.extract({ ...tracked, page: decoded.page, bytes: m.value?.length ?? 0 });
    }
    if (this.limitReached()) session.pause(session.assigned());
    else if (offsets.pending() >= this.opts.lookahead) session.pause([partition]);
  }

  onAssign(partitions: number[]): void {
    if (!this.joined) {
      this.joined = true;
      this.lastMessageAt = Date.now();
    }
    if (this.limitReached() || this.opts.isStopping()) this.opts.session().pause(partitions);
  }

  afterFinish(partition: number, offsets: PartitionOffsets): void {
    const session = this.opts.session();
    if (session.isPaused(partition) && offsets.pending() <= this.opts.lookahead / 2 && !this.limitReached()) session.resume([partition]);
    if (!this.opts.isStopping() && this.opts.maxMessages !== undefined && this.limitReached() && this.opts.tracker.pending() === 0) {
      this.opts.onLimitReached();
    }
  }
}
