/**
 * --idle-exit: ends the worker when it has been quiet for the given time and its whole group has committed
 * everything on the urls topic.
 */
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';
import { partitionsWithLag } from './group-drained.js';
import type { PartitionOffsetsSnapshot } from './watchdog.js';

export interface IdleExitOptions {
  idleExitMs: number;
  logger: Logger;
  /** The group has answered this worker's join (idle time only counts from then). */
  joined(): boolean;
  /** Nothing arrived for `idleExitMs`, nothing is pending or queued, and the worker is not stopping. */
  quiet(): boolean;
  /** Log-end and committed offsets of every partition of the urls topic, assigned here or not. */
  readGroupOffsets(): Promise<PartitionOffsetsSnapshot>;
  stop(reason: string): void;
}

/** Starts the periodic idle check; returns the function that ends it. */
export function startIdleExit(opts: IdleExitOptions): () => void {
  const { logger } = opts;
  // Idle time only counts once the group has answered: joining can take a whole session timeout when a
  // crashed predecessor still holds its membership, and that is waiting, not idleness. And a quiet worker is
  // only idle when the whole group is done: mid-rebalance it may hold nothing while other partitions have lag.
  let idleCheck: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (!opts.joined() || idleCheck || !opts.quiet()) return;
    idleCheck = opts.readGroupOffsets()
      .then((offsets) => {
        const lagging = partitionsWithLag(offsets);
        if (!lagging.length && opts.quiet()) opts.stop(`idle for ${opts.idleExitMs} ms`);
        else if (lagging.length) logger.debug(`quiet, but the group has lag on partitions ${lagging.join(',')}: not idle`);
      })
      .catch((err: unknown) => logger.debug(`idle check could not read offsets: ${errorMessage(err)}`))
      .finally(() => { idleCheck = undefined; });
  }, Math.min(1_000, opts.idleExitMs));
  return () => clearInterval(timer);
}
