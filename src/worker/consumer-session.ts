/**
 * One consumer-group membership on the urls topic: connect, subscribe, deliver batches, pause/resume,
 * commit, and report assignments and revocations. A session can be thrown away and replaced (the watchdog
 * does that when the client stops delivering); the worker's own state survives the swap.
 */
import { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Logger } from '../log.js';
import { createConsumer, type Consumer, type KafkaConfig } from '../kafka/index.js';
import { withDeadline } from '../deadline.js';

/** A consumed record; its value decoded to text, or (a session of `ConsumerSession<Buffer>`) the bytes as delivered. */
export interface RawMessage<V = string> {
  offset: number;
  key: string | null;
  value: V | null;
  timestamp: number;
}

/** A committed position; `metadata` is the hand-over note of finished-above.ts. */
export interface CommitEntry {
  partition: number;
  offset: number;
  metadata?: string;
}

export interface SessionHandlers<V = string> {
  onBatch(partition: number, messages: RawMessage<V>[]): void;
  /** Called before the client starts fetching the new partitions; the assignment waits for it. */
  onAssign(partitions: number[]): void | Promise<void>;
  /**
   * Called before partitions are taken away; the revocation waits for it (commit here). `lost`: the group
   * already took them (this member's session expired), so nothing can be committed for them any more.
   */
  onRevoke(partitions: number[], how?: { lost: boolean }): Promise<void>;
  /**
   * Where newly assigned partitions start, when the reader keeps its positions outside Kafka (`sink postgres`
   * stores them with its rows): the assignment waits for the answer; a partition left out starts at the group's
   * committed offset.
   */
  startPositions?(partitions: number[]): Promise<Map<number, number>>;
}

export interface ConsumerSessionOptions<V = string> {
  config: KafkaConfig;
  topic: string;
  group: string;
  logger: Logger;
  handlers: SessionHandlers<V>;
  /**
   * What a value becomes: text by default; the sink takes the bytes (`(b) => b`) and decodes only what it keeps.
   * @default UTF-8 text
   */
  decodeValue?: (bytes: Buffer) => V;
  /** Deadline for connect/commit/disconnect calls. @default 30000 */
  callTimeoutMs?: number;
}

const ASSIGN = KafkaJS.ErrorCodes.ERR__ASSIGN_PARTITIONS;

const asText = (bytes: Buffer): string => bytes.toString();

export class ConsumerSession<V = string> {
  private readonly consumer: Consumer;
  private readonly assignedSet = new Set<number>();
  private readonly pausedSet = new Set<number>();
  private readonly timeoutMs: number;
  /** When the client last handed us a batch (the watchdog's heartbeat). */
  lastBatchAt = Date.now();

  private readonly decodeValue: (bytes: Buffer) => V;

  constructor(private readonly opts: ConsumerSessionOptions<V>) {
    this.decodeValue = opts.decodeValue ?? (asText as unknown as (bytes: Buffer) => V);
    this.timeoutMs = opts.callTimeoutMs ?? 30_000;
    const rebalance = async (err: { code: number }, assignment: { topic: string; partition: number }[], fns?: { assignmentLost?: () => boolean }): Promise<{ topic: string; partition: number; offset?: number }[] | undefined> => {
      const partitions = assignment.filter((a) => a.topic === opts.topic).map((a) => a.partition);
      if (err.code === ASSIGN) {
        for (const p of partitions) this.assignedSet.add(p);
        opts.logger.debug(`assigned partitions ${partitions.join(',') || '(none)'}`);
        await opts.handlers.onAssign(partitions);
        const positions = opts.handlers.startPositions ? await opts.handlers.startPositions(partitions) : undefined;
        // Returning the assignment with offsets makes the client assign from there (its "alternate assignment").
        if (positions?.size) return assignment.map((a) => (a.topic === opts.topic && positions.has(a.partition) ? { ...a, offset: positions.get(a.partition) } : a));
      } else {
        const lost = fns?.assignmentLost?.() ?? false;
        opts.logger.debug(`${lost ? 'lost' : 'revoking'} partitions ${partitions.join(',') || '(none)'}`);
        try {
          await opts.handlers.onRevoke(partitions, { lost });
        } finally {
          for (const p of partitions) {
            this.assignedSet.delete(p);
            this.pausedSet.delete(p);
          }
        }
      }
      return undefined;
    };
    this.consumer = createConsumer({ config: opts.config, logger: opts.logger }, {
      'group.id': opts.group,
      rebalance_cb: rebalance,
    } as unknown as KafkaConfig & { 'group.id': string });
  }

  async start(): Promise<void> {
    await withDeadline(this.consumer.connect(), this.timeoutMs, 'consumer connect');
    await withDeadline(this.consumer.subscribe({ topics: [this.opts.topic] }), this.timeoutMs, 'subscribe');
    this.lastBatchAt = Date.now();
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        this.lastBatchAt = Date.now();
        // Never throw from here: the client would seek back and redeliver the batch forever.
        try {
          this.opts.handlers.onBatch(batch.partition, batch.messages.map((m) => ({
            offset: Number(m.offset),
            key: m.key ? m.key.toString() : null,
            value: m.value ? this.decodeValue(m.value) : null,
            timestamp: Number(m.timestamp),
          })));
        } catch (err) {
          this.opts.logger.error(`internal error handling a batch: ${(err as Error).message}`);
        }
      },
    });
  }

  /** The client itself, for sendOffsets in a transaction (--eos). */
  get client(): Consumer {
    return this.consumer;
  }

  assigned(): number[] {
    return [...this.assignedSet];
  }

  isAssigned(partition: number): boolean {
    return this.assignedSet.has(partition);
  }

  isPaused(partition: number): boolean {
    return this.pausedSet.has(partition);
  }

  pausedCount(): number {
    return this.pausedSet.size;
  }

  pause(partitions: number[]): void {
    const todo = partitions.filter((p) => this.assignedSet.has(p) && !this.pausedSet.has(p));
    if (!todo.length) return;
    for (const p of todo) this.pausedSet.add(p);
    try {
      this.consumer.pause([{ topic: this.opts.topic, partitions: todo }]);
    } catch (err) {
      this.opts.logger.debug(`pause failed: ${(err as Error).message}`);
    }
  }

  resume(partitions: number[]): void {
    const todo = partitions.filter((p) => this.pausedSet.has(p));
    if (!todo.length) return;
    for (const p of todo) this.pausedSet.delete(p);
    try {
      this.consumer.resume([{ topic: this.opts.topic, partitions: todo }]);
    } catch (err) {
      this.opts.logger.debug(`resume failed: ${(err as Error).message}`);
    }
  }

  /**
   * Queues a commit. The binding commits asynchronously and resolves before the broker answers (and the
   * client's offset_commit_cb never reaches us), so only `committed()` tells what was stored.
   */
  async commit(entries: readonly CommitEntry[]): Promise<void> {
    if (!entries.length) return;
    await withDeadline(this.consumer.commitOffsets(entries.map((e) => ({
      topic: this.opts.topic, partition: e.partition, offset: String(e.offset), ...(e.metadata ? { metadata: e.metadata } : {}),
    }))), this.timeoutMs, 'commit');
  }

  /** The offsets (and their metadata) the group coordinator holds for these partitions (a round trip to the broker). */
  async committed(partitions: readonly number[], timeoutMs = this.timeoutMs): Promise<CommitEntry[]> {
    if (!partitions.length) return [];
    const answer = await withDeadline(this.consumer.committed(partitions.map((partition) => ({ topic: this.opts.topic, partition })), timeoutMs), timeoutMs + 1_000, 'committed');
    return answer.filter((a) => a.topic === this.opts.topic).map((a) => ({
      partition: a.partition, offset: Number(a.offset), ...(a.metadata ? { metadata: a.metadata } : {}),
    }));
  }

  /** Leaves the group (revocation callbacks run first) and closes the client. */
  async close(): Promise<void> {
    await withDeadline(this.consumer.disconnect(), this.timeoutMs, 'consumer disconnect').catch((err: Error) => {
      this.opts.logger.warn(`consumer did not close cleanly: ${err.message}`);
    });
  }
}
