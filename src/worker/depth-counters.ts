/**
 * The fair partitioner's depth counters, from the worker's side: each URL finished is one fewer queued for
 * its host. What finished is subtracted once a second, in one call, not once per URL.
 */
import type { Logger } from '../log.js';
import { decrementDepth, depthKey } from '../partition/redis-depth.js';
import { createRedis } from '../ratelimit/redis-client.js';

export interface DepthCounters {
  /** One URL of `host` finished. */
  finished(host: string): void;
  /** Subtracts what is left and disconnects. */
  close(): Promise<void>;
}

export function startDepthCounters(opts: { redisUrl: string; topicPrefix: string; urlsTopic: string; logger: Logger }): DepthCounters {
  const finishedByHost = new Map<string, number>();
  const redis = createRedis(opts.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  const key = depthKey(opts.topicPrefix, opts.urlsTopic);
  const flushDepth = async () => {
    if (!finishedByHost.size) return;
    const counts = new Map(finishedByHost);
    finishedByHost.clear();
    await decrementDepth(redis, key, counts).catch((err: Error) => opts.logger.debug(`depth counters: ${err.message}`));
  };
  const depthTimer = setInterval(() => void flushDepth(), 1_000);
  depthTimer.unref();
  return {
    finished: (host) => { finishedByHost.set(host, (finishedByHost.get(host) ?? 0) + 1); },
    close: async () => { clearInterval(depthTimer); await flushDepth(); redis.disconnect(); },
  };
}
