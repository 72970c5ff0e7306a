/**
 * The commit protocol: which partition positions are committed, when, and what happens to them when the group
 * takes partitions away. It owns the in-flight work per partition (a revocation waits for it), the commit
 * rounds (one at a time, each confirmed by asking the coordinator), and assign/revoke including lost
 * partitions. Positions come from the offset tracker: each partition's lowest unfinished offset.
 */
import type { Logger } from '../log.js';
import type { Consumer } from '../kafka/index.js';
import { errorMessage } from '../errors.js';
import type { CommitEntry } from './consumer-session.js';
import { decodeFinishedAbove, encodeFinishedAbove } from './finished-above.js';
import type { OffsetTracker, PartitionOffsets } from './offset-tracker.js';
import type { WorkerStats } from './stats.js';
import type { Transactor } from './transactor.js';

/** What the commit protocol needs of the current consumer session. */
export interface CommitSession {
  assigned(): number[];
  commit(entries: readonly CommitEntry[]): Promise<void>;
  committed(partitions: readonly number[], timeoutMs?: number): Promise<CommitEntry[]>;
  /** The client itself, for sendOffsets in a transaction (--eos). */
  readonly client: Consumer;
}

export interface CommitProtocolOptions {
  tracker: OffsetTracker;
  /** The current session (the lifecycle may replace it). */
  session(): CommitSession;
  stats: Pick<WorkerStats, 'committed' | 'commitFailures' | 'rebalances'>;
  logger: Logger;
  /** Commit after this many finished messages (the interval timer is the lifecycle's). */
  commitEveryMessages: number;
  /** How long a revocation waits for the revoked partitions' in-flight work. */
  revokeTimeoutMs: number;
  /** How long an assignment waits for the committed offsets' hand-over notes before it goes on without them. @default 5000 */
  handOverReadTimeoutMs?: number;
  /** Drops a partition's queued URLs (the next owner reads them from the committed offset). */
  dropQueued(partition: number): void;
  transactor?: Pick<Transactor, 'commit' | 'drop'>;
}

export class CommitProtocol {
  /** Set while a session is being closed (its revocation callback cannot commit any more). */
  closing = false;
  private finishedSinceCommit = 0;
  private readonly inFlightByPartition = new Map<number, Set<Promise<void>>>();
  private commitRound: Promise<boolean> = Promise.resolve(true);
  /**
   * Partitions given back without a confirmed commit (lost, or the coordinator away): what this worker finished
   * on them, kept so that if the group hands them back (same member, same assignment once a coordinator answers)
   * it commits past that work instead of fetching it again. At-least-once only; one entry per partition at most.
   */
  private readonly uncommitted = new Map<number, PartitionOffsets>();

  constructor(private readonly opts: CommitProtocolOptions) {}

  /** Tracks work that must finish before its partition can be committed on revoke. */
  trackInFlight(partition: number, work: Promise<void>): void {
    let set = this.inFlightByPartition.get(partition);
    if (!set) this.inFlightByPartition.set(partition, (set = new Set()));
    set.add(work);
    void work.finally(() => set.delete(work));
  }

  /** Counts one finished message; every `commitEveryMessages` of them start a commit round. */
  finished(): void {
    this.finishedSinceCommit++;
    if (this.finishedSinceCommit >= this.opts.commitEveryMessages) void this.commitNow();
  }

  /**
   * Commits every partition whose position moved since the coordinator last confirmed one, then asks the
   * coordinator what it holds. A position it does not confirm (a commit lost in a rebalance, or not yet
   * applied) stays "moved" and is simply sent again next time. One commit round at a time.
   */
  /**
   * Starts a commit round after those already queued; resolves whether the coordinator confirmed every position
   * sent (and, for a hand-over, its note). `handOver`: the partitions are about to go (revocation, stop), so
   * every position is sent with its note of the finished offsets above it, moved or not (at-least-once only).
   */
  commitNow(only?: number[], handOver = false): Promise<boolean> {
    this.commitRound = this.commitRound.then(() => this.commitRoundOf(only, handOver));
    return this.commitRound;
  }

  private async commitRoundOf(only: number[] | undefined, handOver: boolean): Promise<boolean> {
    const { tracker, stats, logger, transactor } = this.opts;
    const session = this.opts.session();
    // Only partitions the group gave this session: committing another's would fail the whole request.
    const partitions = only ?? session.assigned();
    // With --eos a finished URL's results are only visible once its offset is committed: a note would make the
    // next owner skip URLs whose results were never committed. The transactions carry positions alone.
    const entries: CommitEntry[] = handOver && !transactor ? tracker.positionsOf(partitions) : tracker.commitable(partitions);
    if (!entries.length) return true;
    this.finishedSinceCommit = 0;
    if (!transactor) {
      for (const e of entries) {
        const above = tracker.get(e.partition)?.finishedAbove() ?? [];
        if (above.length) e.metadata = encodeFinishedAbove(e.offset, above);
      }
    }
    logger.debug(`commit ${entries.map((e) => `${e.partition}@${e.offset}${e.metadata ? `+${e.metadata.length}` : ''}`).join(' ')}`);
    if (transactor) {
      if (await transactor.commit(session.client, entries)) {
        tracker.markCommitted(entries);
        stats.committed++;
        return true;
      }
      stats.commitFailures++;
      return false;
    }
    try {
      await session.commit(entries);
      const stored = await session.committed(entries.map((e) => e.partition));
      tracker.markCommitted(stored);
      const confirmed = entries.filter((e) => stored.some((c) => c.partition === e.partition && c.offset === e.offset && (c.metadata ?? '') === (e.metadata ?? '')));
      if (confirmed.length) stats.committed++;
      return confirmed.length === entries.length;
    } catch (err) {
      stats.commitFailures++;
      logger.warn(`commit failed (will retry): ${errorMessage(err)}`);
      return false;
    }
  }

  /**
   * Hands positions over: commits (with their notes) until the coordinator confirms every one of `partitions`,
   * for at most `timeoutMs`.
   */
  async commitAndConfirm(partitions: number[], timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // One round can take the client's whole request timeout (30 s) with the coordinator away: the deadline
      // holds anyway, and the round goes on in the background.
      let timer: NodeJS.Timeout | undefined;
      const confirmed = await Promise.race([
        this.commitNow(partitions, true),
        new Promise<false>((r) => { timer = setTimeout(() => r(false), Math.max(0, deadline - Date.now())); }),
      ]);
      clearTimeout(timer);
      if (confirmed) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * New partitions from the group: tracked from the first offset that arrives, skipping the offsets their
   * previous owner's hand-over note says it finished (at-least-once; read before the client fetches anything).
   */
  async onAssign(partitions: number[]): Promise<void> {
    const { tracker, logger, stats, transactor } = this.opts;
    stats.rebalances++;
    // Tracked at once; the notes are added before the client fetches (it waits for this callback).
    const assigned = partitions.map((p) => [p, tracker.assign(p)] as const);
    let notes = new Map<number, Set<number>>();
    const committedOffsets = new Map<number, number>();
    if (!transactor && partitions.length) {
      try {
        const stored = await this.opts.session().committed(partitions, this.opts.handOverReadTimeoutMs ?? 5_000);
        notes = new Map(stored.map((c) => [c.partition, decodeFinishedAbove(c.metadata, c.offset)]));
        // -1001 (none committed yet): the consumer starts at the log start, and so may the skip.
        for (const c of stored) committedOffsets.set(c.partition, Math.max(0, c.offset));
      } catch (err) {
        logger.warn(`could not read the hand-over notes of partitions ${partitions.join(',')} (their finished URLs may be fetched again): ${errorMessage(err)}`);
      }
    }
    for (const [p, offsets] of assigned) {
      let skip = notes.get(p) ?? new Set<number>();
      const mine = this.uncommitted.get(p);
      this.uncommitted.delete(p);
      const from = committedOffsets.get(p);
      if (mine && from !== undefined) {
        const before = skip.size;
        skip = new Set([...skip, ...mine.finishedFrom(from)]);
        if (skip.size > before) logger.info(`partition ${p} is back: ${skip.size - before} URLs this worker finished while it could not commit are committed now, not fetched again`);
      }
      if (!skip.size) continue;
      logger.debug(`partition ${p}: ${skip.size} URLs above the committed offset ${from ?? '?'} are finished already; not fetched again`);
      offsets.skipFinished(skip);
    }
  }

  /**
   * Gives partitions back: queued URLs are dropped (the next owner reads them from the committed offset),
   * what already started is waited for so the commit covers it and the next owner does not fetch it again.
   */
  async onRevoke(partitions: number[], how: { lost: boolean } = { lost: false }): Promise<void> {
    const { tracker, logger } = this.opts;
    const mine = partitions.filter((p) => tracker.get(p) !== undefined);
    // While the session closes, commits are refused; stop() and restartConsumer() have committed already.
    if (!mine.length || this.closing) return;
    this.opts.stats.rebalances++;
    for (const p of mine) this.opts.dropQueued(p);
    if (how.lost) {
      // The group gave them away already (this member's session expired: the coordinator was unreachable). A
      // commit cannot succeed, and waiting here only delays the rejoin: the next owner starts from the last commit.
      logger.warn(`partitions ${mine.join(',')} lost (session expired); if they come back here, what was finished is committed, else the next owner repeats what was not committed`);
      this.forget(mine, true);
      return;
    }
    await this.waitForPartitions(mine, this.opts.revokeTimeoutMs);
    const confirmed = await this.commitAndConfirm(mine, 5_000);
    if (!confirmed) logger.warn(`final commit of partitions ${mine.join(',')} not confirmed: the next owner may repeat some URLs`);
    this.forget(mine, !confirmed);
  }

  /** `keep`: no commit covers these partitions' work; remember it in case they come back (at-least-once). */
  private forget(partitions: number[], keep = false): void {
    for (const p of partitions) {
      const offsets = this.opts.tracker.get(p);
      if (keep && offsets && !this.opts.transactor) this.uncommitted.set(p, offsets);
      this.opts.tracker.revoke(p);
      this.opts.transactor?.drop(p);
    }
  }

  private async waitForPartitions(partitions: number[], timeoutMs: number): Promise<void> {
    const work = partitions.flatMap((p) => [...(this.inFlightByPartition.get(p) ?? [])]);
    if (!work.length) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(work), new Promise((r) => { timer = setTimeout(r, timeoutMs); })]);
    clearTimeout(timer);
  }
}
