/**
 * The client can silently stop delivering messages after idle periods or a cooperative rebalance
 * (confluent-kafka-javascript issue #476). The watchdog notices "no batch for a long time although my
 * unpaused partitions have lag" and asks the worker to replace the consumer, which loses and skips nothing
 * because commits only ever cover finished work.
 */
import type { Logger } from '../log.js';

export interface PartitionOffsetsSnapshot {
  high: Map<number, number>;
  committed: Map<number, number>;
}

/** Pure: the reason to restart, or undefined. `position` is the next offset the worker expects (-1 = none seen). */
export function stallVerdict(input: {
  now: number;
  lastBatchAt: number;
  stallTimeoutMs: number;
  partitions: readonly number[];
  position: (partition: number) => number;
  offsets: PartitionOffsetsSnapshot;
}): string | undefined {
  const silentMs = input.now - input.lastBatchAt;
  if (silentMs < input.stallTimeoutMs) return undefined;
  const lagging: string[] = [];
  for (const p of input.partitions) {
    const high = input.offsets.high.get(p);
    if (high === undefined) continue;
    const from = Math.max(input.position(p), input.offsets.committed.get(p) ?? -1, 0);
    if (high > from) lagging.push(`${p} (lag ${high - from})`);
  }
  if (!lagging.length) return undefined;
  return `no messages for ${Math.round(silentMs / 1000)} s while partitions ${lagging.join(', ')} have lag`;
}

export interface WatchdogOptions {
  stallTimeoutMs: number;
  /** How often to look. @default stallTimeoutMs / 4 */
  checkIntervalMs?: number;
  lastBatchAt(): number;
  /** Assigned partitions that are not paused by the worker (paused ones are silent on purpose). */
  assigned(): number[];
  position(partition: number): number;
  readOffsets(partitions: number[]): Promise<PartitionOffsetsSnapshot>;
  onStall(reason: string): Promise<void>;
  logger: Logger;
}

export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly opts: WatchdogOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.opts.checkIntervalMs ?? Math.max(1_000, this.opts.stallTimeoutMs / 4));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async check(): Promise<void> {
    if (this.checking) return;
    const partitions = this.opts.assigned();
    if (!partitions.length || Date.now() - this.opts.lastBatchAt() < this.opts.stallTimeoutMs) return;
    this.checking = true;
    try {
      const offsets = await this.opts.readOffsets(partitions);
      const reason = stallVerdict({
        now: Date.now(), lastBatchAt: this.opts.lastBatchAt(), stallTimeoutMs: this.opts.stallTimeoutMs,
        partitions, position: this.opts.position, offsets,
      });
      if (reason) await this.opts.onStall(reason);
    } catch (err) {
      this.opts.logger.debug(`watchdog could not read offsets: ${(err as Error).message}`);
    } finally {
      this.checking = false;
    }
  }
}
