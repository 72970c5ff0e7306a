/**
 * Intake: what the consumer session hands over becomes work. Each partition holds at most `lookahead`
 * unfinished messages (paused when full, resumed at half), so memory is bounded by look-ahead × partitions
 * whatever the topic's depth; `maxMessages` ends consumption. Malformed messages go straight to outcome
 * routing; parsed ones are queued for their host.
 */
import type { RawMessage } from './consumer-session.js';
import type { OffsetTracker, PartitionOffsets } from './offset-tracker.js';
import { decodeUrlEnvelope, politenessHostOf, type UrlEnvelope } from '../records/index.js';
import { malformedRecords, stoppedRecords, type OutcomeContext } from './outcomes.js';
import type { OutRecord } from './result-sink.js';
import type { WorkerStats } from './stats.js';
import type { TrackedMessage, WorkItem } from './types.js';

/** What intake needs of the current consumer session. */
export interface IntakeSession {
  assigned(): number[];
  isAssigned(partition: number): boolean;
  isPaused(partition: number): boolean;
  pause(partitions: number[]): void;
  resume(partitions: number[]): void;
}

export interface IntakeOptions {
  tracker: Pick<OffsetTracker, 'get' | 'pending'>;
  /** The current session (the lifecycle may replace it). */
  session(): IntakeSession;
  stats: Pick<WorkerStats, 'consumed' | 'malformed' | 'stopped'>;
  /** --follow: whether the envelope's crawl was stopped (its URLs are dropped unfetched, a metric each). */
  isStopped?(envelope: UrlEnvelope): boolean;
  /** Unfinished messages per partition before it is paused (resumed at half). */
  lookahead: number;
  /** Stop after consuming this many messages (and finishing them). */
  maxMessages?: number;
  isStopping(): boolean;
  ctx(): OutcomeContext;
  /** Queues a parsed URL for its host (the scheduler). */
  schedule(item: WorkItem): void;
  /** Outcome routing for a message that needs no fetch (malformed). */
  route(item: TrackedMessage, records: OutRecord[]): void;
  /** Every consumed message is finished after the limit was reached: time to stop. */
  onLimitReached(): void;
}

export class Intake {
  /** When the last message arrived (idle exit measures from here). */
  lastMessageAt = Date.now();
  /** The group has assigned this worker its first partitions (possibly none). */
  joined = false;

  constructor(private readonly opts: IntakeOptions) {}

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
      const parsed = decodeUrlEnvelope(m.value);
      if (!parsed.ok) {
        stats.malformed++;
        this.opts.route({ partition, offset: m.offset, offsets }, malformedRecords(m, parsed.malformed, this.opts.ctx()));
        continue;
      }
      if (this.opts.isStopped?.(parsed.envelope)) {
        stats.stopped++;
        this.opts.route({ partition, offset: m.offset, offsets, envelope: parsed.envelope }, stoppedRecords(parsed.envelope, this.opts.ctx()));
        continue;
      }
      // The scheduler queues by politeness host (no port), the limiter's unit; the decoder checked the URL parses.
      const host = politenessHostOf(new URL(parsed.envelope.url));
      this.opts.schedule({ host, partition, offset: m.offset, offsets, envelope: parsed.envelope });
    }
    if (this.limitReached()) session.pause(session.assigned());
    else if (offsets.pending() >= this.opts.lookahead) session.pause([partition]);
  }

  /** Partitions assigned (the commit protocol tracks them): paused at once when no more may be consumed. */
  onAssign(partitions: number[]): void {
    if (!this.joined) {
      this.joined = true;
      this.lastMessageAt = Date.now();
    }
    if (this.limitReached() || this.opts.isStopping()) this.opts.session().pause(partitions);
  }

  /** After a message is finished: its partition resumes once half its look-ahead is free; the limit may end the run. */
  afterFinish(partition: number, offsets: PartitionOffsets): void {
    const session = this.opts.session();
    if (session.isPaused(partition) && offsets.pending() <= this.opts.lookahead / 2 && !this.limitReached()) {
      session.resume([partition]);
    }
    if (!this.opts.isStopping() && this.opts.maxMessages !== undefined && this.limitReached() && this.opts.tracker.pending() === 0) {
      this.opts.onLimitReached();
    }
  }
}
