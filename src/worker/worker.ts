/**
 * The scraper worker: consumer → per-partition look-ahead (paused when full) → per-host queues → scheduler
 * (limiter + concurrency) → fetch → outcome records → delivery → offset finished → batched commit of each
 * partition's lowest unfinished offset. Every URL consumed gets exactly one outcome record before its offset
 * is committed; memory is bounded by look-ahead × partitions, whatever the topic's depth.
 */
import type { Logger } from '../log.js';
import type { KafkaConfig } from '../kafka/config.js';
import type { Producer } from '../kafka/clients.js';
import type { UrlEnvelope } from '../kafka/schema.js';
import type { Limiter, RateRule } from '../ratelimit/limiter.js';
import type { RequestHooks } from '../fetch/types.js';
import { errorMessage } from '../errors.js';
import { ConsumerSession, type RawMessage } from './consumer-session.js';
import { HostScheduler } from './host-scheduler.js';
import { OffsetTracker, type PartitionOffsets } from './offset-tracker.js';
import { malformedRecords, outcomeRecords, parseEnvelope, shrinkPageRecord, type FetchOutcome, type OutcomeContext } from './outcomes.js';
import { ResultSink, SinkClosed, type OutRecord } from './result-sink.js';
import { WorkerStats } from './stats.js';
import type { Transactor } from './transactor.js';
import { Watchdog, type PartitionOffsetsSnapshot } from './watchdog.js';
import { partitionsWithLag } from './group-drained.js';

export interface WorkerTopics {
  urls: string;
  pages: string;
  errors: string;
  dlq: string;
  metrics: string;
}

export interface WorkerOptions {
  consumerConfig: KafkaConfig;
  producer: Producer;
  logger: Logger;
  topics: WorkerTopics;
  /** Consumer group. @default 'scrapers' */
  group: string;
  /** Written into every record this worker produces. */
  workerId: string;
  limiter: Limiter;
  /** The rate rules a URL must pass (its host's, and its customer's when configured). */
  rulesFor(envelope: UrlEnvelope, host: string): readonly RateRule[];
  /**
   * Fetches a URL. Must not throw: failures are outcomes. It must call `hooks.sent` when each request left and
   * `hooks.beforeRequest` before every request after the first (robots.txt, redirects): see RequestHooks.
   */
  fetch(envelope: UrlEnvelope, opts: { signal: AbortSignal; hooks: RequestHooks }): Promise<FetchOutcome>;
  /** Fetches in flight at once. @default 64 */
  concurrency: number;
  /** Fetches in flight at once for one host. @default 1 */
  perHostConcurrency: number;
  /** Unfinished messages per partition before it is paused (resumed at half). @default 1000 */
  lookahead: number;
  /** Commit after this many finished messages... @default 1000 */
  commitEveryMessages: number;
  /** ...or after this long, whichever comes first. @default 5000 */
  commitIntervalMs: number;
  /** Stop after consuming this many messages (and finishing them). */
  maxMessages?: number;
  /** Stop when nothing arrived for this long, nothing is pending, and the group has committed the whole topic. */
  idleExitMs?: number;
  /** How long shutdown waits for in-flight fetches and deliveries. @default 30000 */
  shutdownTimeoutMs: number;
  /** How long a revocation waits for the revoked partitions' in-flight work. @default 10000 */
  revokeTimeoutMs: number;
  /** Restart the consumer when it delivered nothing for this long while its partitions have lag. @default 60000 */
  stallTimeoutMs: number;
  /**
   * Reads the urls topic's high watermarks of these partitions (all when omitted), for the watchdog and the
   * idle check (committed offsets come from the consumer itself).
   */
  readHighWatermarks(partitions?: number[]): Promise<Map<number, number>>;
  /**
   * Results handed to the producer and not yet acknowledged, in bytes, before fetching waits for the broker.
   * Bounds memory with large pages or a slow broker; librdkafka holds a copy of each until it is acknowledged,
   * so memory for them is up to twice this. @default 32 MiB
   */
  maxPendingBytes?: number;
  /** Largest record the sink sends before shrinking a page body. @default 4 MiB */
  maxRecordBytes?: number;
  /** Told when a URL's outcome is delivered (the fair partitioner's depth counters go down). */
  onUrlFinished?(envelope: UrlEnvelope): void;
  /**
   * Exactly-once mode: results are held and committed with the offsets in transactions (see transactor.ts);
   * `commitEveryMessages`/`commitIntervalMs` then size the transactions. Without it, results are delivered at
   * once and offsets committed after them (at-least-once).
   */
  transactor?: Transactor;
}

interface WorkItem {
  host: string;
  partition: number;
  offset: number;
  offsets: PartitionOffsets;
  envelope: UrlEnvelope;
}

export interface WorkerHandle {
  /** Graceful stop: no new work, finish in-flight within the deadline, deliver, commit, leave the group. */
  stop(reason?: string): Promise<void>;
  /** Replace the consumer without losing or skipping anything (the watchdog's remedy; also SIGUSR2). */
  restartConsumer(reason: string): Promise<void>;
  /** Resolves when the worker has stopped. */
  done: Promise<void>;
  stats: WorkerStats;
  gauges(): { inFlight: number; queued: number; hosts: number; pausedPartitions: number; assigned: number };
}

export async function startWorker(opts: WorkerOptions): Promise<WorkerHandle> {
  const { logger } = opts;
  const stats = new WorkerStats();
  const tracker = new OffsetTracker();
  const inFlightByPartition = new Map<number, Set<Promise<void>>>();
  const abortControllers = new Set<AbortController>();
  const ctx = (): OutcomeContext => ({ topics: opts.topics, worker: opts.workerId, now: Date.now() });
  let stopping = false;
  /** Set while a session is being closed (its revocation callback cannot commit any more). */
  let closing = false;
  let finishedSinceCommit = 0;
  let lastMessageAt = Date.now();
  /** The group has assigned this worker its first partitions (possibly none). */
  let joined = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => { resolveDone = r; });

  const maxPendingBytes = opts.maxPendingBytes ?? 32 * 1024 * 1024;
  const sink = new ResultSink({
    producer: opts.producer,
    maxRecordBytes: opts.maxRecordBytes,
    shrink: shrinkPageRecord,
    onRetry: (_record, err, attempt) => {
      stats.deliveryRetries++;
      if (attempt === 1 || attempt % 10 === 0) logger.warn(`delivery failed (attempt ${attempt}), retrying: ${errorMessage(err)}`);
    },
  });

  const scheduler = new HostScheduler<WorkItem>({
    limiter: opts.limiter,
    concurrency: opts.concurrency,
    perHostConcurrency: opts.perHostConcurrency,
    rulesFor: (item) => opts.rulesFor(item.envelope, item.host),
    run: (item) => runItem(item),
    onLimiterError: (err) => {
      stats.limiterErrors++;
      logger.debug(`limiter error: ${errorMessage(err)}`);
    },
  });

  /** Tracks work that must finish before its partition can be committed on revoke. */
  function trackInFlight(partition: number, work: Promise<void>): void {
    let set = inFlightByPartition.get(partition);
    if (!set) inFlightByPartition.set(partition, (set = new Set()));
    set.add(work);
    void work.finally(() => set.delete(work));
  }

  function finish(item: { partition: number; offset: number; offsets: PartitionOffsets; envelope?: UrlEnvelope }): void {
    item.offsets.finish(item.offset);
    if (item.envelope) opts.onUrlFinished?.(item.envelope);
    finishedSinceCommit++;
    if (finishedSinceCommit >= opts.commitEveryMessages) void commitNow();
    if (session.isPaused(item.partition) && item.offsets.pending() <= opts.lookahead / 2 && !limitReached()) {
      session.resume([item.partition]);
    }
    if (stopping === false && opts.maxMessages !== undefined && limitReached() && tracker.pending() === 0) {
      void handle.stop('--max-messages reached');
    }
  }

  /**
   * Delivers the records and marks the offset finished; on a closed sink the offset stays unfinished.
   * With --eos the records are held for the transaction that will commit past this offset.
   */
  function deliverThenFinish(item: { partition: number; offset: number; offsets: PartitionOffsets; envelope?: UrlEnvelope }, records: OutRecord[]): Promise<void> {
    if (opts.transactor) {
      opts.transactor.hold(item.partition, item.offset, records);
      finish(item);
      return Promise.resolve();
    }
    return sink.deliver(records).then(
      () => finish(item),
      (err: unknown) => { if (!(err instanceof SinkClosed)) logger.error(`delivery: ${errorMessage(err)}`); },
    );
  }

  /**
   * Runs one URL. The returned promise (which holds the scheduler's slot) settles when the fetch is done and
   * the results awaiting the broker are under the byte budget; delivery continues in the background, tracked
   * per partition so a revocation can wait for it.
   */
  function runItem(item: WorkItem): Promise<void> {
    let releaseSlot!: () => void;
    const slot = new Promise<void>((r) => { releaseSlot = r; });
    const whole = (async () => {
      let delivered: Promise<void> | undefined;
      try {
        const records = await fetchToRecords(item);
        if (!records) return; // shutdown gave up on it: left unfinished, so it is redelivered.
        delivered = deliverThenFinish(item, records);
        // Holding the slot while too much is undelivered turns a slow broker into slower fetching, not memory.
        await sink.belowBytes(maxPendingBytes);
      } finally {
        releaseSlot();
      }
      await delivered;
    })();
    trackInFlight(item.partition, whole);
    return slot;
  }

  /**
   * Fetches and returns the outcome records, or undefined when shutdown aborted the fetch. Its own frame, so
   * the fetched body is garbage as soon as its record exists (the caller may wait long for the broker).
   */
  async function fetchToRecords(item: WorkItem): Promise<OutRecord[] | undefined> {
    const abort = new AbortController();
    abortControllers.add(abort);
    let result: FetchOutcome;
    try {
      result = await opts.fetch(item.envelope, { signal: abort.signal, hooks: politenessHooks(item, abort.signal) });
    } catch (err) {
      result = { kind: 'retryable', status: null, error: `internal: ${errorMessage(err)}`, elapsedMs: 0 };
    } finally {
      abortControllers.delete(abort);
    }
    // The host's slot is released only once a Retry-After it sent is recorded.
    if (!abort.signal.aborted) await honourRetryAfter(item, result);
    if (abort.signal.aborted) return undefined;
    stats.recordFetch(result);
    return outcomeRecords(item.envelope, result, ctx());
  }

  /**
   * Politeness is what the host sees. The scheduler admitted the fetch's first request; the fetcher asks
   * before each further one (robots.txt, redirects), and every request, once actually sent, pushes its host's
   * next admission to one interval after that moment — a slow connect can delay a request well past the
   * moment the limiter admitted it.
   */
  function politenessHooks(item: WorkItem, signal: AbortSignal): RequestHooks {
    const intervalOf = (host: string) => opts.rulesFor(item.envelope, host).find((r) => r.key === `host:${host}`)?.intervalMs ?? 0;
    let lastSent: { host: string; at: number } | undefined;
    return {
      async beforeRequest(url: URL) {
        // The previous request of this fetch was spaced by the interval known when it left; robots.txt may have
        // raised it since (Crawl-delay), and the next request must keep the raised one from that send.
        if (lastSent?.host === url.hostname) {
          const holdMs = lastSent.at + intervalOf(url.hostname) + 1 - Date.now();
          if (holdMs > 0) await opts.limiter.holdOff(`host:${url.hostname}`, holdMs, 'spacing').catch(() => undefined);
        }
        for (;;) {
          if (signal.aborted) throw new Error('aborted');
          const answer = await opts.limiter.tryAcquire(opts.rulesFor(item.envelope, url.hostname)).catch(() => ({ granted: false, retryAfterMs: 500 }));
          if (answer.granted) return;
          await new Promise((r) => setTimeout(r, answer.retryAfterMs));
        }
      },
      async sent(url: URL, at: number) {
        lastSent = { host: url.hostname, at };
        // +1: `at` is a millisecond clock reading, up to 1 ms earlier than the real send.
        const holdMs = at + intervalOf(url.hostname) + 1 - Date.now();
        if (holdMs > 0) await opts.limiter.holdOff(`host:${url.hostname}`, holdMs, 'spacing').catch(() => undefined);
      },
    };
  }

  /** A host that asked us to come back later (429/503 Retry-After) gets nothing before then. */
  async function honourRetryAfter(item: WorkItem, result: FetchOutcome): Promise<void> {
    if (result.kind === 'retryable' && result.retryAfterMs) {
      await opts.limiter.holdOff(`host:${item.host}`, result.retryAfterMs).catch(() => undefined);
    }
  }

  function limitReached(): boolean {
    return opts.maxMessages !== undefined && stats.consumed >= opts.maxMessages;
  }

  function onBatch(partition: number, messages: RawMessage[]): void {
    // A batch can still arrive from the client's cache after its partition was revoked: not ours any more.
    const offsets = tracker.get(partition);
    if (stopping || !offsets || !session.isAssigned(partition)) return;
    for (const m of messages) {
      if (limitReached()) break;
      if (!offsets.track(m.offset)) continue;
      stats.consumed++;
      lastMessageAt = Date.now();
      const parsed = parseEnvelope(m.value);
      if ('error' in parsed) {
        stats.malformed++;
        trackInFlight(partition, deliverThenFinish({ partition, offset: m.offset, offsets }, malformedRecords(m, parsed.error, ctx())));
        continue;
      }
      const host = new URL(parsed.envelope.url).hostname;
      scheduler.add({ host, partition, offset: m.offset, offsets, envelope: parsed.envelope });
    }
    if (limitReached()) session.pause(session.assigned());
    else if (offsets.pending() >= opts.lookahead) session.pause([partition]);
  }

  /**
   * Commits every partition whose position moved since the coordinator last confirmed one, then asks the
   * coordinator what it holds. A position it does not confirm (a commit lost in a rebalance, or not yet
   * applied) stays "moved" and is simply sent again next time. One commit round at a time.
   */
  let commitRound: Promise<void> = Promise.resolve();
  function commitNow(only?: number[]): Promise<void> {
    commitRound = commitRound.then(async () => {
      // Only partitions the group gave this session: committing another's would fail the whole request.
      const entries = tracker.commitable(only ?? session.assigned());
      if (!entries.length) return;
      finishedSinceCommit = 0;
      logger.debug(`commit ${entries.map((e) => `${e.partition}@${e.offset}`).join(' ')}`);
      if (opts.transactor) {
        if (await opts.transactor.commit(session.client, entries)) {
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
    });
    return commitRound;
  }

  /** Commits until the coordinator holds every position of `partitions`, for at most `timeoutMs`. */
  async function commitAndConfirm(partitions: number[], timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (tracker.commitable(partitions).length) {
      if (Date.now() >= deadline) return false;
      // One round can take the client's whole request timeout (30 s) with the coordinator away: the deadline
      // holds anyway, and the round goes on in the background.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([commitNow(partitions), new Promise((r) => { timer = setTimeout(r, Math.max(0, deadline - Date.now())); })]);
      clearTimeout(timer);
      if (tracker.commitable(partitions).length) await new Promise((r) => setTimeout(r, 100));
    }
    return true;
  }

  async function waitForPartitions(partitions: number[], timeoutMs: number): Promise<void> {
    const work = partitions.flatMap((p) => [...(inFlightByPartition.get(p) ?? [])]);
    if (!work.length) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(work), new Promise((r) => { timer = setTimeout(r, timeoutMs); })]);
    clearTimeout(timer);
  }

  /**
   * Gives partitions back: queued URLs are dropped (the next owner reads them from the committed offset),
   * what already started is waited for so the commit covers it and the next owner does not fetch it again.
   */
  async function onRevoke(partitions: number[], how: { lost: boolean } = { lost: false }): Promise<void> {
    const mine = partitions.filter((p) => tracker.get(p) !== undefined);
    // While the session closes, commits are refused; stop() and restartConsumer() have committed already.
    if (!mine.length || closing) return;
    stats.rebalances++;
    for (const p of mine) scheduler.dropPartition(p);
    if (how.lost) {
      // The group gave them away already (this member's session expired: the coordinator was unreachable). A
      // commit cannot succeed, and waiting here only delays the rejoin: the next owner starts from the last commit.
      logger.warn(`partitions ${mine.join(',')} lost (session expired); the next owner repeats what was not committed`);
      for (const p of mine) {
        tracker.revoke(p);
        opts.transactor?.drop(p);
      }
      return;
    }
    await waitForPartitions(mine, opts.revokeTimeoutMs);
    if (!(await commitAndConfirm(mine, 5_000))) logger.warn(`final commit of partitions ${mine.join(',')} not confirmed: the next owner may repeat some URLs`);
    for (const p of mine) {
      tracker.revoke(p);
      opts.transactor?.drop(p);
    }
  }

  function onAssign(partitions: number[]): void {
    stats.rebalances++;
    if (!joined) {
      joined = true;
      lastMessageAt = Date.now();
    }
    for (const p of partitions) tracker.assign(p);
    if (limitReached() || stopping) session.pause(partitions);
  }

  const newSession = () => new ConsumerSession({
    config: opts.consumerConfig, topic: opts.topics.urls, group: opts.group, logger,
    handlers: { onBatch, onAssign, onRevoke },
  });
  let session = newSession();
  await session.start();

  const commitTimer = setInterval(() => { void commitNow(); }, opts.commitIntervalMs);
  // Idle time only counts once the group has answered: joining can take a whole session timeout when a
  // crashed predecessor still holds its membership, and that is waiting, not idleness. And a quiet worker is
  // only idle when the whole group is done: mid-rebalance it may hold nothing while other partitions have lag.
  let idleCheck: Promise<void> | undefined;
  const quiet = () => !stopping && Date.now() - lastMessageAt > opts.idleExitMs! && tracker.pending() === 0 && scheduler.stats().queued === 0;
  const idleTimer = opts.idleExitMs === undefined ? undefined : setInterval(() => {
    if (!joined || idleCheck || !quiet()) return;
    idleCheck = readGroupOffsets()
      .then((offsets) => {
        const lagging = partitionsWithLag(offsets);
        if (!lagging.length && quiet()) void handle.stop(`idle for ${opts.idleExitMs} ms`);
        else if (lagging.length) logger.debug(`quiet, but the group has lag on partitions ${lagging.join(',')}: not idle`);
      })
      .catch((err: unknown) => logger.debug(`idle check could not read offsets: ${errorMessage(err)}`))
      .finally(() => { idleCheck = undefined; });
  }, Math.min(1_000, opts.idleExitMs));

  /** Log-end and committed offsets of every partition of the urls topic, assigned here or not. */
  async function readGroupOffsets(): Promise<PartitionOffsetsSnapshot> {
    const high = await opts.readHighWatermarks();
    const committed = await session.committed([...high.keys()]);
    return { high, committed: new Map(committed.map((c) => [c.partition, c.offset])) };
  }

  const watchdog = new Watchdog({
    stallTimeoutMs: opts.stallTimeoutMs,
    lastBatchAt: () => session.lastBatchAt,
    assigned: () => session.assigned().filter((p) => !session.isPaused(p)),
    position: (p) => tracker.get(p)?.nextOffset() ?? -1,
    // Committed offsets through the consumer (it has a group): the admin client's fetchOffsets can crash the
    // process on NOT_COORDINATOR (librdkafka #5040), which is exactly when a broker restarts.
    readOffsets: async (partitions): Promise<PartitionOffsetsSnapshot> => {
      const [high, committed] = await Promise.all([opts.readHighWatermarks(partitions), session.committed(partitions)]);
      return { high, committed: new Map(committed.map((c) => [c.partition, c.offset])) };
    },
    onStall: (detail) => handle.restartConsumer(detail),
    logger,
  });
  if (!opts.maxMessages) watchdog.start();

  let restarting: Promise<void> | undefined;
  const handle: WorkerHandle = {
    stats,
    done,
    gauges: () => {
      const s = scheduler.stats();
      return { inFlight: s.running, queued: s.queued, hosts: s.hosts, pausedPartitions: session.pausedCount(), assigned: session.assigned().length };
    },
    async restartConsumer(reason: string) {
      if (stopping || restarting) return;
      logger.warn(`restarting the consumer: ${reason}`);
      stats.consumerRestarts++;
      restarting = (async () => {
        const old = session;
        // Give everything back ourselves first: close() cannot commit any more once it has begun.
        await onRevoke(tracker.partitionIds());
        closing = true;
        await old.close().finally(() => { closing = false; });
        session = newSession();
        await session.start();
      })();
      try {
        await restarting;
      } catch (err) {
        logger.error(`consumer restart failed: ${errorMessage(err)}`);
      } finally {
        restarting = undefined;
      }
    },
    async stop(reason?: string) {
      if (stopping) return done;
      stopping = true;
      if (reason) logger.info(`stopping: ${reason}`);
      watchdog.stop();
      clearInterval(commitTimer);
      if (idleTimer) clearInterval(idleTimer);
      session.pause(session.assigned());
      scheduler.stop();
      const deadline = Date.now() + opts.shutdownTimeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const waited = await Promise.race([
        scheduler.whenIdle().then(() => 'idle' as const),
        new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), opts.shutdownTimeoutMs); }),
      ]);
      clearTimeout(timer);
      if (waited === 'timeout') {
        logger.warn(`${abortControllers.size} fetches still running after ${opts.shutdownTimeoutMs} ms: abandoned (they will be redelivered)`);
        for (const a of abortControllers) a.abort();
      }
      const undelivered = await sink.drain(Math.max(1_000, deadline - Date.now()));
      if (undelivered) logger.warn(`${undelivered} results not delivered before the deadline: their URLs stay uncommitted`);
      sink.close();
      const assigned = session.assigned();
      if (!(await commitAndConfirm(assigned, 10_000))) logger.warn('final commit not confirmed: some finished URLs may be fetched again');
      closing = true;
      await session.close();
      resolveDone();
      return done;
    },
  };
  return handle;
}
