/**
 * `kscrape produce`: input lines -> validated envelopes -> (dedupe) -> partition -> bulk producer, with every
 * line ending as delivered, rejected (rejects file), duplicate, or failed (fallback file, replayable).
 *
 * After the first delivery failure the broker is taken to be failing: nothing more is sent, and the rest of
 * the input is validated and written to the fallback file, so a dead broker costs one delivery timeout, not one
 * per message. SIGINT/SIGTERM stop reading and wait until librdkafka has an outcome for every queued URL
 * (delivered, or failed into the fallback file: at most delivery.timeout.ms, see src/kafka/bulk-producer.ts).
 */
import type { Redis } from 'ioredis';
import { RuntimeFailure, UserError, errorMessage } from '../errors.js';
import { BulkProducer, SendRefused } from '../kafka/bulk-producer.js';
import type { KafkaConfig } from '../kafka/config.js';
import { withDeadline } from '../kafka/deadline.js';
import { EnvelopeEncoder, type UrlEnvelope } from '../records/index.js';
import { TopicPartitionCount } from '../kafka/topic-partitions.js';
import type { Logger } from '../log.js';
import { LocalDepthCounter, createPartitioner, type PartitionerName } from '../partition/partitioner.js';
import { RedisDepthSource, depthKey } from '../partition/redis-depth.js';
import { createRedis } from '../ratelimit/redis-client.js';
import { redactUrl } from '../kafka/redact.js';
import { RedisDeduper, dedupeKeyPrefix } from './dedupe.js';
import { parseInputLine, type InputFormat } from './input-line.js';
import { STDIN, checkInputs, defaultFallbackPath, readSource } from './input-sources.js';
import { JsonLinesFile } from './json-lines-file.js';
import type { SplitLine } from './line-splitter.js';
import { ProduceStats } from './produce-stats.js';
import { startProgress } from './progress.js';

export interface ProduceOptions {
  inputs: string[];
  format: InputFormat;
  customerId: string;
  priority: number;
  maxUrlLength: number;
  /** Full topic name (prefix applied). */
  topic: string;
  rejectsFile: string | undefined;
  fallbackFile: string | undefined;
  /** Set: skip URLs produced within this many ms (needs Redis). */
  dedupeTtlMs: number | undefined;
  partitioner: PartitionerName;
  fairThreshold: number;
  fairBands: number;
  maxInFlight: number;
  /** Connect and metadata timeout. */
  timeoutMs: number;
}

export interface ProduceEnvironment {
  producerConfig: KafkaConfig;
  adminConfig: KafkaConfig;
  logger: Logger;
  redisUrl: string | undefined;
  topicPrefix: string;
  stdin: NodeJS.ReadableStream;
  progressStream: NodeJS.WriteStream;
  showProgress: boolean;
  handleSignals: boolean;
}

export interface ProduceResult {
  stats: ProduceStats;
  topic: string;
  partitionCount: number;
  /** Set when the fallback file was written. */
  fallbackFile: string | undefined;
  rejectsFile: string | undefined;
  stoppedBy: string | undefined;
  /** When stopped by a signal: the last line read (later lines were not read). */
  unread: { source: string; afterLine: number } | undefined;
}

const DEDUPE_BATCH = 1000;

export async function runProduce(opts: ProduceOptions, env: ProduceEnvironment): Promise<ProduceResult> {
  const sources = checkInputs(opts.inputs);
  if (opts.dedupeTtlMs !== undefined && !env.redisUrl) {
    throw new UserError('--dedupe needs Redis: pass --redis redis://host:6379 or set KSCRAPE_REDIS_URL', 'produce.dedupe-needs-redis');
  }
  const redis = env.redisUrl && (opts.dedupeTtlMs !== undefined || opts.partitioner === 'fair')
    ? await connectRedis(env.redisUrl, opts.timeoutMs) : undefined;
  const partitions = await TopicPartitionCount.open({ config: env.adminConfig, logger: env.logger, topic: opts.topic, timeoutMs: opts.timeoutMs })
    .catch(async (err) => { redis?.disconnect(); throw err; });

  const stats = new ProduceStats();
  const fallback = new JsonLinesFile(opts.fallbackFile ?? defaultFallbackPath(sources, new Date(), process.pid));
  const rejects = opts.rejectsFile ? new JsonLinesFile(opts.rejectsFile) : undefined;
  const deduper = redis && opts.dedupeTtlMs !== undefined
    ? new RedisDeduper({ redis, keyPrefix: dedupeKeyPrefix(env.topicPrefix, opts.topic), ttlMs: opts.dedupeTtlMs }) : undefined;
  const redisDepth = redis && opts.partitioner === 'fair'
    ? new RedisDepthSource({ redis, key: depthKey(env.topicPrefix, opts.topic), logger: env.logger }) : undefined;
  const localDepth = opts.partitioner === 'fair' && !redisDepth ? new LocalDepthCounter() : undefined;
  const partition = createPartitioner(opts.partitioner, {
    fair: { threshold: opts.fairThreshold, bands: opts.fairBands, depth: redisDepth ?? localDepth ?? new LocalDepthCounter() },
  });
  const encoder = new EnvelopeEncoder();
  redisDepth?.start();

  // Claimed in Redis by --dedupe: released again if they end in the fallback file.
  const claimed = new WeakSet<UrlEnvelope>();
  const toRelease: string[] = [];
  // Filled by failure reports (synchronous), written to the fallback file by the main flow.
  let failedQueue: UrlEnvelope[] = [];
  let failingSince: string | undefined;
  let stoppedBy: string | undefined;
  let dedupeWarned = false;

  const producer = await BulkProducer.connect({
    config: env.producerConfig, logger: env.logger, topic: opts.topic, maxInFlight: opts.maxInFlight, connectTimeoutMs: opts.timeoutMs,
    onFailure({ partition: p, value, reason }) {
      stats.failQueued(p, reason);
      // The value is the envelope's JSON as produced: the fallback file gets exactly what was sent.
      const envelope = JSON.parse(value?.toString('utf8') ?? 'null') as UrlEnvelope;
      redisDepth?.add(envelope.host, -1);
      // Rebuilt from the report, so whether this URL was claimed is not known: releasing an unclaimed one can
      // only cost a later duplicate, keeping a claim would make a replay with --dedupe skip the URL.
      if (deduper) toRelease.push(envelope.url);
      failedQueue.push(envelope);
      failingSince ??= reason;
    },
  }).catch(async (err) => { await partitions.close(); redis?.disconnect(); throw err; });

  const keep = async (envelope: UrlEnvelope) => {
    if (claimed.has(envelope)) toRelease.push(envelope.url);
    await fallback.write(envelope);
  };
  const drainFailed = async () => {
    const failed = failedQueue;
    failedQueue = [];
    for (const envelope of failed) await fallback.write(envelope);
  };
  const notSent = (envelope: UrlEnvelope, reason: string) => {
    stats.fail(reason);
    return keep(envelope);
  };
  const queued = (p: number, envelope: UrlEnvelope) => {
    stats.queue(p);
    redisDepth?.add(envelope.host);
  };
  // Waits for room in librdkafka's queue; gives up when the run stops or the broker is failing meanwhile.
  const sendLater = async (p: number, envelope: UrlEnvelope, value: Buffer): Promise<void> => {
    for (;;) {
      await producer.waitForRoom();
      if (stoppedBy || failingSince) return notSent(envelope, stoppedBy ? 'interrupted' : 'not-sent-broker-failing');
      try {
        if (producer.trySend(p, envelope.host, value)) return queued(p, envelope);
      } catch (err) {
        return notSent(envelope, err instanceof SendRefused ? err.reason : errorMessage(err));
      }
    }
  };
  // Synchronous unless it must wait (no room, or a file write): a promise per URL costs throughput.
  const emit = (envelope: UrlEnvelope): Promise<void> | undefined => {
    if (stoppedBy || failingSince) return notSent(envelope, stoppedBy ? 'interrupted' : 'not-sent-broker-failing');
    const p = partition({ host: envelope.host, url: envelope.url, customerId: envelope.customer_id }, partitions.count);
    localDepth?.add(envelope.host);
    const value = encoder.encode(envelope);
    try {
      if (producer.trySend(p, envelope.host, value)) {
        queued(p, envelope);
        return undefined;
      }
    } catch (err) {
      return notSent(envelope, err instanceof SendRefused ? err.reason : errorMessage(err));
    }
    // librdkafka copies the value, so the scratch buffer is reused; a message that waits needs its own copy.
    return sendLater(p, envelope, Buffer.from(value));
  };
  const dedupe = async (envelopes: UrlEnvelope[]): Promise<UrlEnvelope[]> => {
    if (!deduper || failingSince || stoppedBy || envelopes.length === 0) return envelopes;
    let fresh: boolean[];
    try {
      fresh = await deduper.claim(envelopes.map((e) => e.url));
    } catch (err) {
      // Producing a duplicate is better than losing a URL: go on without dedupe for this batch.
      if (!dedupeWarned) env.logger.warn(`--dedupe: Redis failed (${errorMessage(err)}); producing without dedupe until it answers`);
      dedupeWarned = true;
      return envelopes;
    }
    const kept: UrlEnvelope[] = [];
    envelopes.forEach((e, i) => {
      if (fresh[i]) { claimed.add(e); kept.push(e); } else stats.duplicates++;
    });
    return kept;
  };

  let source = '';
  let lineNo = 0;
  const now = Date.now();
  const defaults = { customerId: opts.customerId, priority: opts.priority, maxUrlLength: opts.maxUrlLength };
  const onLines = async (lines: SplitLine[]) => {
    const envelopes: UrlEnvelope[] = [];
    for (const line of lines) {
      lineNo++;
      if (typeof line !== 'string') {
        stats.lines++;
        stats.reject('too-long');
        await rejects?.write({ source, line: lineNo, reason: 'too-long', detail: `line of ${line.bytes} bytes`, input: line.prefix });
        continue;
      }
      const parsed = parseInputLine(line, opts.format, defaults, now);
      if (parsed.kind === 'skip') continue;
      stats.lines++;
      if (parsed.kind === 'reject') {
        stats.reject(parsed.reason);
        await rejects?.write({ source, line: lineNo, reason: parsed.reason, detail: parsed.detail, input: line });
      } else {
        envelopes.push(parsed.envelope);
      }
    }
    if (deduper) {
      for (let i = 0; i < envelopes.length; i += DEDUPE_BATCH) {
        for (const envelope of await dedupe(envelopes.slice(i, i + DEDUPE_BATCH))) await emit(envelope);
      }
    } else {
      for (const envelope of envelopes) {
        const waiting = emit(envelope);
        if (waiting) await waiting;
      }
    }
    await drainFailed();
    if (toRelease.length >= DEDUPE_BATCH) await release();
  };
  const release = async () => {
    const urls = toRelease.splice(0);
    await deduper?.release(urls).catch((err) => env.logger.warn(`--dedupe: could not release ${urls.length} claims: ${errorMessage(err)}`));
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppedBy) return;
    stoppedBy = signal;
    env.logger.debug(`${signal}: stop reading, wait for librdkafka's outcome of every queued URL`);
    void producer.shutdown();
    // A read from a terminal or an idle pipe would wait for more input; end it.
    if (source === STDIN) (env.stdin as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  };
  if (env.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const progress = startProgress({ enabled: env.showProgress, stream: env.progressStream, text: () => stats.progressLine() });
  let unread: ProduceResult['unread'];
  try {
    for (const s of sources) {
      source = s;
      lineNo = 0;
      const complete = await readSource(s, { stdin: env.stdin, stopped: () => stoppedBy !== undefined, onLines });
      if (!complete) {
        unread = { source: s, afterLine: lineNo };
        break;
      }
    }
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const { settled } = await producer.shutdown();
    if (settled) stats.settleQueued();
    await drainFailed();
    await release();
    await Promise.all([fallback.close(), rejects?.close(), redisDepth?.close(), partitions.close()]);
    redis?.disconnect();
    stats.finishedAt = Date.now();
  }
  return {
    stats, topic: opts.topic, partitionCount: partitions.count, stoppedBy, unread,
    fallbackFile: fallback.count ? fallback.path : undefined,
    rejectsFile: rejects?.count ? rejects.path : undefined,
  };
}

async function connectRedis(url: string, timeoutMs: number): Promise<Redis> {
  const redis = createRedis(url, { connectTimeout: timeoutMs });
  try {
    await withDeadline(redis.connect(), timeoutMs + 500, 'Redis connect');
    return redis;
  } catch (err) {
    redis.disconnect();
    throw new RuntimeFailure(`cannot reach Redis at ${redactUrl(url)}: ${errorMessage(err)}`, 'redis.unreachable', { retriable: true, cause: err });
  }
}
