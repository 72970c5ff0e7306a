/**
 * The sink's stages: consumer session → row mapping → per-partition batcher (bounded; partitions paused when
 * it is full) → loader on a pool of connections (one batch per partition at a time, retried with backoff while
 * the database is away) → Kafka's committed offsets, after the database commit, for `kscrape lag`. Partitions
 * start where the database says (the stored offsets), so a crash between the two commits repeats nothing.
 */
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';
import type { ConsumerSession, RawMessage, SessionHandlers } from '../worker/consumer-session.js';
import { startIdleExit } from '../worker/idle-exit.js';
import type { PartitionOffsetsSnapshot } from '../worker/watchdog.js';
import { Batcher } from './batcher.js';
import type { BatchEntry, Loader, PartitionBatch } from './loader.js';
import { copyLine } from './copy-text.js';
import { mapRecord, valueText, type MappingOptions } from './row-mapping.js';
import type { SinkStats } from './stats.js';

export interface PipelineLimits {
  batchRows: number;
  batchBytes: number;
  lingerMs: number;
  connections: number;
  bufferBytes: number;
  retryMaxMs: number;
  shutdownTimeoutMs: number;
}

export interface SinkPipelineOptions {
  logger: Logger;
  topic: string;
  /** A session that hands over values as the bytes delivered (the mapping decodes only what it keeps). */
  newSession(handlers: SessionHandlers<Buffer>): ConsumerSession<Buffer>;
  loader: Pick<Loader, 'load'>;
  /** The stored next offsets of these partitions (kscrape_offsets). */
  readStoredOffsets(partitions: number[]): Promise<Map<number, number>>;
  /** Log ends and the group's committed offsets of the whole topic (for --idle-exit). */
  readGroupOffsets(session: ConsumerSession<Buffer>): Promise<PartitionOffsetsSnapshot>;
  mapping: MappingOptions;
  limits: PipelineLimits;
  stats: SinkStats;
  maxMessages?: number;
  idleExitMs?: number;
  /** How often Kafka's committed offsets follow the database's. @default 1000 */
  kafkaCommitIntervalMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class SinkPipeline {
  session!: ConsumerSession<Buffer>;
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private readonly batcher: Batcher;
  /** The partitions owned now, each with the generation of its assignment (a batch of an older one is dropped). */
  private readonly owned = new Map<number, number>();
  private generation = 0;
  private readonly inFlight = new Map<number, Promise<void>>();
  /** The next offset of each partition past what was added to the batcher (redeliveries are not added twice). */
  private readonly nextExpected = new Map<number, number>();
  /** Stored offsets Kafka has not been told yet. */
  private readonly kafkaDue = new Map<number, number>();
  private readonly timers: (() => void)[] = [];
  private stopping = false;
  private draining = false;
  /** Past the shutdown deadline: batches still failing are given up (their records are read again next time). */
  private abandon = false;
  private joined = false;
  private lastMessageAt = Date.now();
  private drained: (() => void) | undefined;

  constructor(private readonly opts: SinkPipelineOptions) {
    this.batcher = new Batcher(opts.limits);
    this.done = new Promise((r) => { this.resolveDone = r; });
  }

  async start(): Promise<void> {
    const { opts } = this;
    this.session = opts.newSession({
      onAssign: (partitions) => this.onAssign(partitions),
      onRevoke: (partitions, how) => this.onRevoke(partitions, how?.lost ?? false),
      onBatch: (partition, messages) => this.onBatch(partition, messages),
      startPositions: (partitions) => this.startPositions(partitions),
    });
    await this.session.start();
    const tick = setInterval(() => this.pump(), Math.max(20, Math.min(250, Math.floor(opts.limits.lingerMs / 4))));
    const commits = setInterval(() => void this.commitKafka(), opts.kafkaCommitIntervalMs ?? 1_000);
    this.timers.push(() => clearInterval(tick), () => clearInterval(commits));
    if (opts.idleExitMs !== undefined) {
      const idleExitMs = opts.idleExitMs;
      this.timers.push(startIdleExit({
        idleExitMs, logger: opts.logger,
        joined: () => this.joined,
        quiet: () => !this.stopping && Date.now() - this.lastMessageAt > idleExitMs && this.idle() && this.kafkaDue.size === 0,
        readGroupOffsets: () => opts.readGroupOffsets(this.session),
        stop: (reason) => void this.stop(reason),
      }));
    }
  }

  gauges(): { bufferedRows: number; inFlight: number; assigned: number; paused: number } {
    return { bufferedRows: this.batcher.rows(), inFlight: this.inFlight.size, assigned: this.owned.size, paused: this.session?.pausedCount() ?? 0 };
  }

  private idle(): boolean {
    return this.batcher.rows() === 0 && this.inFlight.size === 0;
  }

  private onAssign(partitions: number[]): void {
    this.joined = true;
    this.opts.stats.rebalances++;
    for (const p of partitions) {
      this.owned.set(p, ++this.generation);
      this.batcher.drop(p);
      this.nextExpected.delete(p);
    }
  }

  /** The database's positions: the rows and these offsets committed together, so reading resumes exactly there. */
  private async startPositions(partitions: number[]): Promise<Map<number, number>> {
    try {
      const stored = await this.opts.readStoredOffsets(partitions);
      this.opts.logger.debug(`assigned ${partitions.join(',')}; stored offsets ${[...stored].map(([p, o]) => `${p}@${o}`).join(' ') || '(none)'}`);
      // Kafka may be behind the database: the previous owner's last Kafka commit can fail in the rebalance that
      // took its partitions. Tell Kafka the stored positions now, or a drained partition would show lag forever
      // (in `kscrape lag`, and to --idle-exit, which waits for the whole group to have committed everything).
      for (const [p, o] of stored) if (!this.kafkaDue.has(p)) this.kafkaDue.set(p, o);
      return stored;
    } catch (err) {
      // Safe without them: Kafka's committed offsets never lead the database's, and the loader skips what is stored.
      this.opts.logger.warn(`could not read the stored offsets (${errorMessage(err)}): starting at the group's committed offsets`);
      return new Map();
    }
  }

  private async onRevoke(partitions: number[], lost: boolean): Promise<void> {
    this.opts.stats.rebalances++;
    for (const p of partitions) {
      this.owned.delete(p);
      this.batcher.drop(p);
    }
    // A batch being loaded may still commit (its rows and offsets together); the next owner starts after it.
    const loading = partitions.flatMap((p) => (this.inFlight.has(p) ? [this.inFlight.get(p)!] : []));
    if (loading.length) await Promise.race([Promise.all(loading), sleep(10_000)]);
    if (!lost) await this.commitKafka(partitions);
    for (const p of partitions) this.kafkaDue.delete(p);
  }

  private onBatch(partition: number, messages: RawMessage<Buffer>[]): void {
    const { opts } = this;
    if (!this.owned.has(partition) || this.stopping) return;
    this.lastMessageAt = Date.now();
    const now = Date.now();
    for (const m of messages) {
      if (m.offset < (this.nextExpected.get(partition) ?? 0)) continue;
      if (opts.maxMessages !== undefined && opts.stats.consumed >= opts.maxMessages) break;
      this.nextExpected.set(partition, m.offset + 1);
      opts.stats.consumed++;
      const consumed = { topic: opts.topic, partition, offset: m.offset, timestamp: m.timestamp, key: m.key, value: m.value };
      const mapped = mapRecord(consumed, opts.mapping);
      const size = m.value === null ? 0 : m.value.length;
      // A row is held as its COPY line (one string, nothing for the collector to trace inside), without the value.
      let entry: BatchEntry;
      if (mapped.ok) {
        entry = { message: { ...consumed, value: null }, line: copyLine(mapped.row), reject: undefined };
      } else {
        const message = { ...consumed, value: valueText(m.value) };
        entry = { message, line: undefined, reject: { message, reason: mapped.reason, detail: mapped.detail } };
      }
      // What is held counts: a row without the body it left out, a reject's value (cut to 64 KiB in its errors record).
      this.batcher.add(partition, entry, mapped.ok ? mapped.heldBytes : Math.min(size, 65_536), now);
    }
    if (this.maxReached()) this.session.pause(this.session.assigned());
    else if (this.overBuffer(partition)) this.session.pause([partition]);
    this.pump();
  }

  private maxReached(): boolean {
    return this.opts.maxMessages !== undefined && this.opts.stats.consumed >= this.opts.maxMessages;
  }

  private overBuffer(partition: number): boolean {
    const { batchRows, batchBytes, bufferBytes } = this.opts.limits;
    return this.batcher.rows(partition) >= 2 * batchRows || this.batcher.bytes(partition) >= 2 * batchBytes || this.batcher.bytes() >= bufferBytes;
  }

  private resumeWhatFits(): void {
    if (this.stopping || this.maxReached() || !this.session) return;
    const { batchRows, batchBytes, bufferBytes } = this.opts.limits;
    if (this.batcher.bytes() >= bufferBytes / 2) return;
    const ready = this.session.assigned().filter((p) => this.session.isPaused(p) && this.batcher.rows(p) < batchRows && this.batcher.bytes(p) < batchBytes);
    this.session.resume(ready);
  }

  /** Starts a load for every partition with a batch due, up to --connections at once. */
  private pump(): void {
    const now = Date.now();
    // Past --max-messages nothing more will come: what is buffered goes now rather than after --linger.
    for (const p of this.batcher.due(now, this.draining || this.maxReached())) {
      if (this.inFlight.size >= this.opts.limits.connections) break;
      if (this.inFlight.has(p)) continue;
      const batch = this.batcher.take(p, now);
      const generation = this.owned.get(p);
      if (!batch || generation === undefined) continue;
      const loading = this.loadWithRetry(batch, generation).finally(() => {
        this.inFlight.delete(p);
        this.resumeWhatFits();
        if (this.maxReached() && this.idle()) void this.stop(`--max-messages ${this.opts.maxMessages} reached`);
        if (this.drained && this.idle()) this.drained();
        this.pump();
      });
      this.inFlight.set(p, loading);
    }
  }

  /** Loads one batch, retrying while the database is away; gives up only when the partition is gone or past the shutdown deadline. */
  private async loadWithRetry(batch: PartitionBatch, generation: number): Promise<void> {
    const { logger, stats, limits } = this.opts;
    let failures = 0;
    let firstFailureAt = 0;
    for (;;) {
      if (this.owned.get(batch.partition) !== generation || (this.abandon && failures)) return;
      try {
        const result = await this.opts.loader.load(batch);
        stats.rows += result.rows;
        stats.skipped += result.skipped;
        stats.rejects += result.rejects;
        stats.batches++;
        this.kafkaDue.set(batch.partition, result.nextOffset);
        if (failures) logger.info(`partition ${batch.partition}: batch stored after ${failures} failed attempt${failures > 1 ? 's' : ''} over ${Math.round((Date.now() - firstFailureAt) / 1000)} s`);
        return;
      } catch (err) {
        stats.dbFailures++;
        if (!failures++) firstFailureAt = Date.now();
        const waitMs = Math.min(limits.retryMaxMs, 100 * 2 ** Math.min(failures, 16)) * (0.75 + Math.random() * 0.5);
        if (this.abandon) {
          logger.warn(`partition ${batch.partition}: batch of ${batch.entries.length} records not stored before the shutdown deadline (${errorMessage(err)}); they will be read again`);
          return;
        }
        // The first failure and then about every half minute: a stuck database is visible, the log is not flooded.
        if (failures === 1 || failures % Math.max(1, Math.round(30_000 / limits.retryMaxMs)) === 0) {
          logger.warn(`partition ${batch.partition}: storing a batch of ${batch.entries.length} failed (${errorMessage(err)}); retrying in ${(waitMs / 1000).toFixed(1)} s (attempt ${failures}, for ${Math.round((Date.now() - firstFailureAt) / 1000)} s)`);
        }
        await sleep(waitMs);
      }
    }
  }

  /** Tells Kafka the stored offsets (for lag); they never lead the database's. */
  private async commitKafka(only?: number[]): Promise<void> {
    const entries = [...this.kafkaDue].filter(([p]) => (only ? only.includes(p) : this.owned.has(p))).map(([partition, offset]) => ({ partition, offset }));
    if (!entries.length || !this.session) return;
    for (const e of entries) if (this.kafkaDue.get(e.partition) === e.offset) this.kafkaDue.delete(e.partition);
    try {
      await this.session.commit(entries);
    } catch (err) {
      this.opts.logger.debug(`Kafka commit failed (retried; the database holds the positions): ${errorMessage(err)}`);
      for (const e of entries) if (!this.kafkaDue.has(e.partition)) this.kafkaDue.set(e.partition, e.offset);
    }
  }

  /** Graceful stop: nothing new, every buffered record stored within the deadline, Kafka told, group left. */
  async stop(reason?: string): Promise<void> {
    if (this.stopping) return this.done;
    this.stopping = true;
    const { logger, limits } = this.opts;
    if (reason) logger.info(`stopping: ${reason}`);
    for (const stopTimer of this.timers) stopTimer();
    this.session.pause(this.session.assigned());
    this.draining = true;
    const drained = new Promise<void>((r) => { this.drained = r; });
    this.pump();
    if (!this.idle()) {
      let timer: NodeJS.Timeout | undefined;
      const pumping = setInterval(() => this.pump(), 50);
      const outcome = await Promise.race([drained.then(() => 'drained'), new Promise<string>((r) => { timer = setTimeout(() => r('timeout'), limits.shutdownTimeoutMs); })]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        this.abandon = true;
        logger.warn(`${this.batcher.rows()} buffered and ${this.inFlight.size} batches in flight not stored after ${limits.shutdownTimeoutMs} ms: they will be read again`);
        await Promise.race([Promise.all(this.inFlight.values()), sleep(limits.retryMaxMs + 1_000)]);
      }
      clearInterval(pumping);
    }
    await this.commitKafka();
    await this.session.close();
    this.resolveDone();
    return this.done;
  }
}
