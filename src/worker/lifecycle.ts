/**
 * The worker's lifecycle: starting the consumer session and the timers (commit interval, idle exit,
 * watchdog), replacing the session without losing or skipping anything, and the graceful stop (no new work,
 * in-flight finished within the deadline, results delivered, positions committed, group left).
 */
import { errorMessage } from '../errors.js';
import type { CommitProtocol } from './commit-protocol.js';
import type { ConsumerSession } from './consumer-session.js';
import type { FetchStage } from './fetch-stage.js';
import type { HostScheduler } from './host-scheduler.js';
import { startIdleExit } from './idle-exit.js';
import type { LookaheadIntake } from './lookahead-intake.js';
import type { OffsetTracker } from './offset-tracker.js';
import type { OutcomeRouter } from './outcome-router.js';
import type { WorkerStats } from './stats.js';
import type { WorkItem, WorkerOptions } from './types.js';
import { Watchdog, type PartitionOffsetsSnapshot } from './watchdog.js';
import { STUCK_POSITION_AFTER_MS, stuckPositions } from './stuck-positions.js';

export interface LifecycleOptions extends Pick<WorkerOptions,
  'logger' | 'commitIntervalMs' | 'idleExitMs' | 'shutdownTimeoutMs' | 'stallTimeoutMs' | 'maxMessages' | 'readHighWatermarks'> {
  stats: WorkerStats;
  newSession(): ConsumerSession;
  commits: Pick<CommitProtocol, 'commitNow' | 'commitAndConfirm' | 'onRevoke' | 'closing'>;
  tracker: Pick<OffsetTracker, 'get' | 'pending' | 'partitionIds' | 'positions'>;
  scheduler: Pick<HostScheduler<WorkItem>, 'stop' | 'whenIdle' | 'stats'>;
  fetches: Pick<FetchStage, 'running' | 'abortAll'>;
  router: Pick<OutcomeRouter, 'drainAndClose'>;
  intake: Pick<LookaheadIntake, 'joined' | 'lastMessageAt'>;
}

export class Lifecycle {
  /** The current consumer session; replaced by restartConsumer. */
  session!: ConsumerSession;
  stopping = false;
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private restarting: Promise<void> | undefined;
  private readonly stopTimers: (() => void)[] = [];

  constructor(private readonly opts: LifecycleOptions) {
    this.done = new Promise<void>((r) => { this.resolveDone = r; });
  }

  /** Joins the group and starts the commit timer, the idle check and the watchdog. */
  async start(): Promise<void> {
    const { opts } = this;
    this.session = opts.newSession();
    await this.session.start();
    const commitTimer = setInterval(() => { void opts.commits.commitNow(); }, opts.commitIntervalMs);
    this.stopTimers.push(() => clearInterval(commitTimer));
    this.stopTimers.push(this.reportStuckPositions());
    if (opts.idleExitMs !== undefined) {
      const idleExitMs = opts.idleExitMs;
      this.stopTimers.push(startIdleExit({
        idleExitMs, logger: opts.logger,
        joined: () => opts.intake.joined,
        quiet: () => !this.stopping && Date.now() - opts.intake.lastMessageAt > idleExitMs && opts.tracker.pending() === 0 && opts.scheduler.stats().queued === 0,
        readGroupOffsets: () => this.readGroupOffsets(),
        stop: (reason) => void this.stop(reason),
      }));
    }
    const watchdog = this.watchdog();
    if (!opts.maxMessages) watchdog.start();
    // The watchdog stops first, as it always did: it must not restart a consumer that is being stopped.
    this.stopTimers.unshift(() => watchdog.stop());
  }

  /** Names partitions whose commit position is stuck (see stuck-positions.ts), once per position. Returns the undo. */
  private reportStuckPositions(): () => void {
    const { opts } = this;
    const reported = new Set<string>();
    const timer = setInterval(() => {
      const s = opts.scheduler.stats();
      for (const { key, line } of stuckPositions(opts.tracker.positions(), Date.now(), STUCK_POSITION_AFTER_MS, s.queued === 0 && s.running === 0)) {
        if (reported.has(key)) continue;
        reported.add(key);
        opts.logger.warn(line);
      }
      if (reported.size > 10_000) reported.clear();
    }, STUCK_POSITION_AFTER_MS / 6);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Log-end and committed offsets of every partition of the urls topic, assigned here or not. */
  private async readGroupOffsets(): Promise<PartitionOffsetsSnapshot> {
    const all = await this.opts.readHighWatermarks();
    const committed = new Map((await this.session.committed([...all.keys()])).map((c) => [c.partition, c.offset]));
    return { high: await this.opts.readHighWatermarks(undefined, committed), committed };
  }

  private watchdog(): Watchdog {
    const { opts } = this;
    return new Watchdog({
      stallTimeoutMs: opts.stallTimeoutMs,
      lastBatchAt: () => this.session.lastBatchAt,
      assigned: () => this.session.assigned().filter((p) => !this.session.isPaused(p)),
      position: (p) => opts.tracker.get(p)?.nextOffset() ?? -1,
      // Committed offsets through the consumer (it has a group): the admin client's fetchOffsets can crash the
      // process on NOT_COORDINATOR (librdkafka #5040), which is exactly when a broker restarts.
      readOffsets: async (partitions): Promise<PartitionOffsetsSnapshot> => {
        const committed = new Map((await this.session.committed(partitions)).map((c) => [c.partition, c.offset]));
        return { high: await opts.readHighWatermarks(partitions, committed), committed };
      },
      onStall: (detail) => this.restartConsumer(detail),
      logger: opts.logger,
    });
  }

  /** Replace the consumer without losing or skipping anything (the watchdog's remedy; also SIGUSR2). */
  async restartConsumer(reason: string): Promise<void> {
    const { logger, commits } = this.opts;
    if (this.stopping || this.restarting) return;
    logger.warn(`restarting the consumer: ${reason}`);
    this.opts.stats.consumerRestarts++;
    this.restarting = (async () => {
      const old = this.session;
      // Give everything back ourselves first: close() cannot commit any more once it has begun.
      await commits.onRevoke(this.opts.tracker.partitionIds());
      commits.closing = true;
      await old.close().finally(() => { commits.closing = false; });
      this.session = this.opts.newSession();
      await this.session.start();
    })();
    try {
      await this.restarting;
    } catch (err) {
      logger.error(`consumer restart failed: ${errorMessage(err)}`);
    } finally {
      this.restarting = undefined;
    }
  }

  /** Graceful stop: no new work, finish in-flight within the deadline, deliver, commit, leave the group. */
  async stop(reason?: string): Promise<void> {
    const { opts } = this;
    const { logger, scheduler, shutdownTimeoutMs } = opts;
    if (this.stopping) return this.done;
    this.stopping = true;
    if (reason) logger.info(`stopping: ${reason}`);
    for (const stopTimer of this.stopTimers) stopTimer();
    this.session.pause(this.session.assigned());
    scheduler.stop();
    const deadline = Date.now() + shutdownTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      scheduler.whenIdle().then(() => 'idle' as const),
      new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), shutdownTimeoutMs); }),
    ]);
    clearTimeout(timer);
    if (waited === 'timeout') {
      logger.warn(`${opts.fetches.running()} fetches still running after ${shutdownTimeoutMs} ms: abandoned (they will be redelivered)`);
      opts.fetches.abortAll();
    }
    const undelivered = await opts.router.drainAndClose(Math.max(1_000, deadline - Date.now()));
    if (undelivered) logger.warn(`${undelivered} results not delivered before the deadline: their URLs stay uncommitted`);
    const assigned = this.session.assigned();
    if (!(await opts.commits.commitAndConfirm(assigned, 10_000))) logger.warn('final commit not confirmed: some finished URLs may be fetched again');
    opts.commits.closing = true;
    await this.session.close();
    this.resolveDone();
    return this.done;
  }
}
