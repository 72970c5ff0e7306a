/**
 * The commit protocol: which partition positions are committed, when, and what happens to them when the group
 * takes partitions away. It owns the in-flight work per partition (a revocation waits for it), the commit
 * rounds (one at a time, each confirmed by asking the coordinator), and assign/revoke including lost
 * partitions. Positions come from the offset tracker: each partition's lowest unfinished offset.
 */
import type { Logger } from '../log.js';
import type { Consumer } from '../kafka/index.js';
import { errorMessage } from '../errors.js';
import type { OffsetTracker } from './offset-tracker.js';
import type { WorkerStats } from './stats.js';
import type { Transactor } from './transactor.js';

type Position = { partition: number; offset: number };

/** What the commit protocol needs of the current consumer session. */
export interface CommitSession {
  assigned(): number[];
  commit(entries: readonly Position[]): Promise<void>;
  committed(partitions: readonly number[]): Promise<Position[]>;
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
  /** Drops a partition's queued URLs (the next owner reads them from the committed offset). */
  dropQueued(partition: number): void;
  transactor?: Pick<Transactor, 'commit' | 'drop'>;
}

export class CommitProtocol {
  /** Set while a session is being closed (its revocation callback cannot commit any more). */
  closing = false;
  private finishedSinceCommit = 0;
  private readonly inFlightByPartition = new Map<number, Set<Promise<void>>>();
  private commitRound: Promise<void> = Promise.resolve();

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
  commitNow(only?: number[]): Promise<void> {
    this.commitRound = this.commitRound.then(() => this.commitRoundOf(only));
    return this.commitRound;
  }

  private async commitRoundOf(only?: number[]): Promise<void> {
    const { tracker, stats, logger, transactor } = this.opts;
    const session = this.opts.session();
    // Only partitions the group gave this session: committing another's would fail the whole request.
    const entries = tracker.commitable(only ?? session.assigned());
    if (!entries.length) return;
    this.finishedSinceCommit = 0;
    logger.debug(`commit ${entries.map((e) => `${e.partition}@${e.offset}`).join(' ')}`);
    if (transactor) {
      if (await transactor.commit(session.client, entries)) {
        tracker.markCommitted(entries);
        stats.committed++;
      } else {
        stats.commitFailures++;
      }
      return;
    }
    try {
      await session.commit(entries);
      const stored = await session.committed(entries.map((e) => e.partition));
      tracker.markCommitted(stored);
      if (stored.some((c) => entries.some((e) => e.partition === c.partition && e.offset === c.offset))) stats.committed++;
    } catch (err) {
      stats.commitFailures++;
      logger.warn(`commit failed (will retry): ${errorMessage(err)}`);
    }
  }

  /** Commits until the coordinator holds every position of `partitions`, for at most `timeoutMs`. */
  async commitAndConfirm(partitions: number[], timeoutMs: number): Promise<boolean> {
    const { tracker } = this.opts;
    const deadline = Date.now() + timeoutMs;
    while (tracker.commitable(partitions).length) {
      if (Date.now() >= deadline) return false;
      // One round can take the client's whole request timeout (30 s) with the coordinator away: the deadline
      // holds anyway, and the round goes on in the background.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.commitNow(partitions), new Promise((r) => { timer = setTimeout(r, Math.max(0, deadline - Date.now())); })]);
      clearTimeout(timer);
      if (tracker.commitable(partitions).length) await new Promise((r) => setTimeout(r, 100));
    }
    return true;
  }

  /** New partitions from the group: tracked from the first offset that arrives. */
  onAssign(partitions: number[]): void {
    this.opts.stats.rebalances++;
    for (const p of partitions) this.opts.tracker.assign(p);
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
      logger.warn(`partitions ${mine.join(',')} lost (session expired); the next owner repeats what was not committed`);
      this.forget(mine);
      return;
    }
    await this.waitForPartitions(mine, this.opts.revokeTimeoutMs);
    if (!(await this.commitAndConfirm(mine, 5_000))) logger.warn(`final commit of partitions ${mine.join(',')} not confirmed: the next owner may repeat some URLs`);
    this.forget(mine);
  }

  private forget(partitions: number[]): void {
    for (const p of partitions) {
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
