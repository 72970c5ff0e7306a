/**
 * What every intake on the consumer plumbing does before a message becomes work (`work`'s URLs, `extract`'s
 * pages): a batch for a partition that is not ours any more is dropped; each partition holds at most
 * `lookahead` unfinished messages (paused when full, resumed at half), so memory is bounded by look-ahead ×
 * partitions whatever the topic's depth; `maxMessages` ends consumption; the last message's time and the first
 * assignment are kept for the idle exit. What one message becomes is the subclass's `take`.
 */
import type { RawMessage, SessionHandlers } from './consumer-session.js';
import type { CommitProtocol } from './commit-protocol.js';
import type { OffsetTracker, PartitionOffsets } from './offset-tracker.js';
import type { TrackedMessage } from './types.js';

/** What intake needs of the current consumer session. */
export interface IntakeSession {
  assigned(): number[];
  isAssigned(partition: number): boolean;
  isPaused(partition: number): boolean;
  pause(partitions: number[]): void;
  resume(partitions: number[]): void;
}

export interface LookaheadIntakeOptions {
  tracker: Pick<OffsetTracker, 'get' | 'pending'>;
  /** The current session (the lifecycle may replace it). */
  session(): IntakeSession;
  stats: { consumed: number };
  /** Unfinished messages per partition before it is paused (resumed at half). */
  lookahead: number;
  /** Stop after consuming this many messages (and finishing them). */
  maxMessages?: number | undefined;
  isStopping(): boolean;
  /** Every consumed message is finished after the limit was reached: time to stop. */
  onLimitReached(): void;
}

export abstract class LookaheadIntake {
  /** When the last message arrived (idle exit measures from here). */
  lastMessageAt = Date.now();
  /** The group has assigned this consumer its first partitions (possibly none). */
  joined = false;

  constructor(private readonly base: LookaheadIntakeOptions) {}

  /** A message consumed and tracked (its offset is unfinished until its outcome is delivered): make it work. */
  protected abstract take(message: RawMessage, tracked: TrackedMessage): void;

  limitReached(): boolean {
    return this.base.maxMessages !== undefined && this.base.stats.consumed >= this.base.maxMessages;
  }

  onBatch(partition: number, messages: RawMessage[]): void {
    const { stats, tracker } = this.base;
    const session = this.base.session();
    // A batch can still arrive from the client's cache after its partition was revoked: not ours any more.
    const offsets = tracker.get(partition);
    if (this.base.isStopping() || !offsets || !session.isAssigned(partition)) return;
    for (const m of messages) {
      if (this.limitReached()) break;
      if (!offsets.track(m.offset)) continue;
      stats.consumed++;
      this.lastMessageAt = Date.now();
      this.take(m, { partition, offset: m.offset, offsets });
    }
    if (this.limitReached()) session.pause(session.assigned());
    else if (offsets.pending() >= this.base.lookahead) session.pause([partition]);
  }

  /** Partitions assigned (the commit protocol tracks them): paused at once when no more may be consumed. */
  onAssign(partitions: number[]): void {
    if (!this.joined) {
      this.joined = true;
      this.lastMessageAt = Date.now();
    }
    if (this.limitReached() || this.base.isStopping()) this.base.session().pause(partitions);
  }

  /** After a message is finished: its partition resumes once half its look-ahead is free; the limit may end the run. */
  afterFinish(partition: number, offsets: PartitionOffsets): void {
    const session = this.base.session();
    if (session.isPaused(partition) && offsets.pending() <= this.base.lookahead / 2 && !this.limitReached()) {
      session.resume([partition]);
    }
    if (!this.base.isStopping() && this.base.maxMessages !== undefined && this.limitReached() && this.base.tracker.pending() === 0) {
      this.base.onLimitReached();
    }
  }
}

/**
 * The consumer session's handlers of a look-ahead consumer (`work`, `extract`): batches to the intake; an
 * assignment reaches the commit protocol first, awaited, so the previous owner's hand-over notes (finished URLs or
 * pages above the committed offset, skipped instead of done again) are known before the first batch is taken.
 */
export function lookaheadSessionHandlers(intake: LookaheadIntake, commits: Pick<CommitProtocol, 'onAssign' | 'onRevoke'>): SessionHandlers {
  return {
    onBatch: (partition, messages) => intake.onBatch(partition, messages),
    onAssign: async (partitions) => {
      await commits.onAssign(partitions);
      intake.onAssign(partitions);
    },
    onRevoke: (partitions, how) => commits.onRevoke(partitions, how),
  };
}
