/**
 * What a produce run opens before it reads a line: Redis (only for --dedupe or the fair partitioner), the urls
 * topic's partition count, and the partitioner with its depth source. A failure half-way closes what was opened.
 */
import type { Redis } from 'ioredis';
import { UserError } from '../errors.js';
import { TopicPartitionCount, type KafkaConfig } from '../kafka/index.js';
import type { Logger } from '../log.js';
import { LocalDepthCounter, createPartitioner, type Partitioner, type PartitionerName } from '../partition/partitioner.js';
import { RedisDepthSource, depthKey } from '../partition/redis-depth.js';
import { connectRedis } from '../ratelimit/redis-client.js';
import { RedisDeduper, dedupeKeyPrefix } from './dedupe.js';

export interface ResourceOptions {
  topic: string;
  topicPrefix: string;
  adminConfig: KafkaConfig;
  logger: Logger;
  redisUrl: string | undefined;
  dedupeTtlMs: number | undefined;
  partitioner: PartitionerName;
  fairThreshold: number;
  fairBands: number;
  timeoutMs: number;
  /** `--crawl`: with Redis, seeds are claimed in the crawl's dedupe store. */
  crawlId?: string | undefined;
}

export interface ProduceResources {
  redis: Redis | undefined;
  partitions: TopicPartitionCount;
  partition: Partitioner;
  deduper: RedisDeduper | undefined;
  redisDepth: RedisDepthSource | undefined;
  localDepth: LocalDepthCounter | undefined;
}

export async function openResources(opts: ResourceOptions): Promise<ProduceResources> {
  if (opts.dedupeTtlMs !== undefined && !opts.redisUrl) {
    throw new UserError('--dedupe needs Redis: pass --redis redis://host:6379 or set KSCRAPE_REDIS_URL', 'produce.dedupe-needs-redis');
  }
  const redis = opts.redisUrl && (opts.dedupeTtlMs !== undefined || opts.partitioner === 'fair' || opts.crawlId !== undefined)
    ? await connectRedis(opts.redisUrl, opts.timeoutMs) : undefined;
  const partitions = await TopicPartitionCount.open({ config: opts.adminConfig, logger: opts.logger, topic: opts.topic, timeoutMs: opts.timeoutMs })
    .catch(async (err) => { redis?.disconnect(); throw err; });
  const deduper = redis && opts.dedupeTtlMs !== undefined
    ? new RedisDeduper({ redis, keyPrefix: dedupeKeyPrefix(opts.topicPrefix, opts.topic), ttlMs: opts.dedupeTtlMs }) : undefined;
  const redisDepth = redis && opts.partitioner === 'fair'
    ? new RedisDepthSource({ redis, key: depthKey(opts.topicPrefix, opts.topic), logger: opts.logger }) : undefined;
  const localDepth = opts.partitioner === 'fair' && !redisDepth ? new LocalDepthCounter() : undefined;
  const partition = createPartitioner(opts.partitioner, {
    fair: { threshold: opts.fairThreshold, bands: opts.fairBands, depth: redisDepth ?? localDepth ?? new LocalDepthCounter() },
  });
  return { redis, partitions, partition, deduper, redisDepth, localDepth };
}

