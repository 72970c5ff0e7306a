/**
 * Queue depth per host, shared by every producer and worker of a pipeline, for the fair partitioner.
 * One Redis hash per topic (field = host, value = URLs produced and not yet handled): producers add what was
 * delivered, workers subtract what they finished (`decrementDepth`). The partitioner asks synchronously, so
 * `RedisDepthSource` answers from a cache and talks to Redis in the background: increments are summed locally
 * and sent in one pipeline per interval, and the cached hosts are re-read in one pipeline per interval.
 *
 * A host above the fair threshold spans several partitions and therefore several workers: its politeness must
 * come from the shared Redis limiter, not from partition ownership.
 */
import type { Redis } from 'ioredis';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { DepthSource } from './partitioner.js';

/** The hash holding a topic's depth per host (`topic` is the full topic name, prefix included). */
export function depthKey(topicPrefix: string, topic: string): string {
  return `${topicPrefix}kscrape:depth:${topic}`;
}

// Subtract, and drop the field at zero or below so the hash only holds hosts with queued URLs (a worker may
// finish URLs produced before any counting started).
const DECREMENT_LUA = `
local left = {}
for i = 1, #ARGV, 2 do
  local v = redis.call('HINCRBY', KEYS[1], ARGV[i], -tonumber(ARGV[i + 1]))
  if v <= 0 then redis.call('HDEL', KEYS[1], ARGV[i]) end
  left[#left + 1] = v
end
return left`;

/**
 * For the worker: subtract finished URLs per host in one round trip. `counts` maps host to how many of its
 * URLs were handled (any outcome) since the last call.
 */
export async function decrementDepth(redis: Redis, key: string, counts: ReadonlyMap<string, number>): Promise<void> {
  if (counts.size === 0) return;
  const args: (string | number)[] = [];
  for (const [host, n] of counts) if (n > 0) args.push(host, n);
  if (args.length) await redis.eval(DECREMENT_LUA, 1, key, ...args);
}

export interface RedisDepthOptions {
  redis: Redis;
  key: string;
  logger: Logger;
  /** How often increments are sent and cached depths re-read. Default 1000 ms. */
  intervalMs?: number;
  /** Most hosts cached; the oldest are dropped beyond it. Default 100000. */
  maxHosts?: number;
}

const READ_CHUNK = 1000;

export class RedisDepthSource implements DepthSource {
  /** Last depth read from Redis, per host. */
  private readonly remote = new Map<string, number>();
  /** Added here since the last successful send. */
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly maxHosts: number;
  private warned = false;

  constructor(private readonly opts: RedisDepthOptions) {
    this.maxHosts = opts.maxHosts ?? 100_000;
  }

  depth(host: string): number {
    let remote = this.remote.get(host);
    if (remote === undefined) {
      remote = 0;
      this.remember(host, 0);
    }
    return remote + (this.pending.get(host) ?? 0);
  }

  add(host: string, n = 1): void {
    this.pending.set(host, (this.pending.get(host) ?? 0) + n);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.sync(), this.opts.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Sends pending increments and re-reads cached depths; one sync at a time. */
  sync(): Promise<void> {
    this.running ??= this.syncOnce().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Stops the timer and sends what is pending. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.sync();
  }

  private async syncOnce(): Promise<void> {
    const sending = this.pending;
    this.pending = new Map();
    const hosts = [...this.remote.keys()];
    const pipeline = this.opts.redis.pipeline();
    for (const [host, n] of sending) pipeline.hincrby(this.opts.key, host, n);
    for (let i = 0; i < hosts.length; i += READ_CHUNK) pipeline.hmget(this.opts.key, ...hosts.slice(i, i + READ_CHUNK));
    try {
      const replies = (await pipeline.exec()) ?? [];
      const failed = replies.find(([err]) => err);
      if (failed) throw failed[0];
      replies.slice(sending.size).forEach(([, values], chunk) => {
        (values as (string | null)[]).forEach((v, i) => this.remote.set(hosts[chunk * READ_CHUNK + i]!, Number(v ?? 0)));
      });
      // HINCRBY answers the new total: hosts first seen in this interval get theirs from it.
      const sent = [...sending.keys()];
      replies.slice(0, sent.length).forEach(([, total], i) => this.remember(sent[i]!, Number(total)));
    } catch (err) {
      // Keep the increments for the next try; depth answers stay approximate meanwhile.
      for (const [host, n] of sending) this.add(host, n);
      if (!this.warned) this.opts.logger.warn(`fair partitioner: Redis depth counters unavailable (${errorMessage(err)}); using cached counts`);
      this.warned = true;
    }
  }

  private remember(host: string, depth: number): void {
    if (!this.remote.has(host) && this.remote.size >= this.maxHosts) {
      const oldest = this.remote.keys().next().value;
      if (oldest !== undefined) this.remote.delete(oldest);
    }
    this.remote.set(host, depth);
  }
}
