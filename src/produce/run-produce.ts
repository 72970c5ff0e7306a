/**
 * `kscrape produce`: input lines -> validated envelopes -> (dedupe) -> partition -> bulk producer, with every
 * line ending as delivered, rejected (rejects file), duplicate, or failed (fallback file, replayable).
 *
 * URLs are produced in transactions (./produce-transactions.ts): one counts as delivered when its transaction
 * commits; an aborted transaction's URLs all go to the fallback file, so a URL whose delivery timed out is never
 * both in the topic (for read_committed readers) and in the fallback file. After the first failed transaction
 * the broker is taken to be failing: nothing more is sent, and the rest of the input is validated and written to
 * the fallback file, so a dead broker costs one delivery timeout, not one per message. SIGINT/SIGTERM stop
 * reading and commit the open transaction (at most settleBoundMs: the delivery timeout plus one request), or
 * abort it into the fallback file.
 */
import { randomBytes } from 'node:crypto';
import { UserError, errorMessage } from '../errors.js';
import { hostname } from 'node:os';
import { BulkProducer, produceTransactionTimeoutMs, produceTransactionalId, settleBoundMs, type KafkaConfig } from '../kafka/index.js';
import type { Logger } from '../log.js';
import type { PartitionerName } from '../partition/partitioner.js';
import { CRAWL_STORE_DEFAULTS, RedisCrawlStore } from '../crawl/store.js';
import { DEDUPE_BATCH, DedupeClaims } from './dedupe-claims.js';
import { SeedClaims } from './seed-claims.js';
import { EnvelopeSender } from './envelope-sender.js';
import type { InputFormat, LineDefaults } from './input-line.js';
import { STDIN, checkInputs, defaultFallbackPath, readSource } from './input-sources.js';
import { JsonLinesFile } from './json-lines-file.js';
import { LineIntake } from './line-intake.js';
import type { SplitLine } from './line-splitter.js';
import { openResources } from './produce-resources.js';
import { ProduceStats, type TransactionCounters } from './produce-stats.js';
import { ProduceTransactions } from './produce-transactions.js';
import { startProgress } from './progress.js';
import { savePipedInput, withSavedInput } from './save-piped-input.js';

/** A run's options, all given; src/commands/produce.ts fills them from the flags and PRODUCE_DEFAULTS. */
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
  /** URLs per transaction at most (bounds the URLs held in memory). */
  transactionMaxUrls: number;
  /** A transaction is committed at the latest this long after its first URL. */
  transactionIntervalMs: number;
  /** Connect and metadata timeout. */
  timeoutMs: number;
  /** `--crawl`: the URLs are seeds of this crawl (crawl_id, depth 0). */
  crawlId?: string | undefined;
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
  transactions: TransactionCounters;
}

export async function runProduce(opts: ProduceOptions, env: ProduceEnvironment): Promise<ProduceResult> {
  const sources = checkInputs(opts.inputs);
  const fallbackPath = opts.fallbackFile ?? defaultFallbackPath(sources, new Date(), process.pid);
  const lineDefaults: LineDefaults = { customerId: opts.customerId, priority: opts.priority, maxUrlLength: opts.maxUrlLength, ...(opts.crawlId !== undefined ? { crawlId: opts.crawlId } : {}) };
  // Nothing read yet when produce cannot start: input piped in is saved before the error goes up. Not for a usage
  // error (a flag to fix, exit 2: the run is repeated with the same input, and a typo should not leave files).
  const failedToStart = async (err: unknown): Promise<unknown> => (err instanceof UserError ? err : withSavedInput(err, await savePipedInput({
    sources, stdin: env.stdin, fallbackPath, rejectsPath: opts.rejectsFile, format: opts.format, logger: env.logger, handleSignals: env.handleSignals,
    defaults: lineDefaults,
  }).catch((saveErr: unknown) => {
    env.logger.warn(`the input piped in could not be saved: ${errorMessage(saveErr)}`);
    return undefined;
  })));
  const { redis, partitions, partition, deduper, redisDepth, localDepth } = await openResources({ ...opts, ...env }).catch(async (err) => { throw await failedToStart(err); });

  const stats = new ProduceStats();
  const fallback = new JsonLinesFile(fallbackPath);
  const rejects = opts.rejectsFile ? new JsonLinesFile(opts.rejectsFile) : undefined;
  const claims = deduper ? new DedupeClaims({ deduper, logger: env.logger, stats }) : undefined;
  const seeds = redis && opts.crawlId !== undefined
    ? new SeedClaims({ store: new RedisCrawlStore({ redis, keyPrefix: env.topicPrefix, limits: CRAWL_STORE_DEFAULTS }), crawlId: opts.crawlId, logger: env.logger, stats })
    : undefined;
  const transactions = new ProduceTransactions({
    stats, fallback, logger: env.logger, maxUrls: opts.transactionMaxUrls, maxAgeMs: opts.transactionIntervalMs,
    settleBoundMs: settleBoundMs(env.producerConfig), ...(claims ? { claims } : {}), ...(redisDepth ? { redisDepth } : {}),
  });
  redisDepth?.start();

  const transaction = {
    id: produceTransactionalId(env.topicPrefix, hostname(), process.pid, randomBytes(4).toString('hex')),
    timeoutMs: produceTransactionTimeoutMs(env.producerConfig, opts.transactionIntervalMs),
  };
  const producer = await BulkProducer.connect({
    config: env.producerConfig, logger: env.logger, topic: opts.topic, maxInFlight: opts.maxInFlight, connectTimeoutMs: opts.timeoutMs,
    transaction, onFailure: (report) => transactions.report(report),
  }).catch(async (err) => { await partitions.close(); redis?.disconnect(); throw await failedToStart(err); });
  transactions.attach(producer);
  const sender = new EnvelopeSender({
    producer, partition, partitions, stats, fallback, transactions,
    ...(claims ? { claims } : {}), ...(localDepth ? { localDepth } : {}),
  });
  const intake = new LineIntake({
    format: opts.format, now: Date.now(), stats, rejects,
    defaults: lineDefaults,
  });

  const onLines = async (lines: SplitLine[]) => {
    let envelopes = await intake.envelopesOf(lines);
    if (seeds && !sender.halted()) envelopes = await seeds.fresh(envelopes);
    if (claims) {
      for (let i = 0; i < envelopes.length; i += DEDUPE_BATCH) {
        const batch = envelopes.slice(i, i + DEDUPE_BATCH);
        // Once nothing is sent any more, claiming would only have to be released again.
        for (const envelope of sender.halted() ? batch : await claims.fresh(batch)) await sender.emit(envelope);
      }
    } else {
      for (const envelope of envelopes) {
        const waiting = sender.emit(envelope);
        if (waiting) await waiting;
      }
    }
    await claims?.releaseIfMany();
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (sender.stoppedBy) return;
    sender.stoppedBy = signal;
    env.logger.debug(`${signal}: stop reading, commit the open transaction (or abort it into the fallback file)`);
    // A read from a terminal or an idle pipe would wait for more input; end it.
    if (intake.source === STDIN) (env.stdin as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  };
  if (env.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const progress = startProgress({ enabled: env.showProgress, stream: env.progressStream, text: () => stats.progressLine() });
  let unread: ProduceResult['unread'];
  try {
    for (const s of sources) {
      intake.startSource(s);
      const complete = await readSource(s, { stdin: env.stdin, stopped: () => sender.stoppedBy !== undefined, onLines });
      if (!complete) {
        unread = { source: s, afterLine: intake.lineNo };
        break;
      }
    }
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Commit what the open transaction holds (or abort it into the fallback file), then let go of the producer.
    try {
      await transactions.settle(true).finally(() => producer.shutdown());
    } finally {
      // Also when the last settle failed (the fallback file could not be written): nothing is left open.
      await claims?.release();
      await Promise.all([fallback.close(), rejects?.close(), redisDepth?.close(), partitions.close()]);
      redis?.disconnect();
      stats.finishedAt = Date.now();
    }
  }
  return {
    stats, topic: opts.topic, partitionCount: partitions.count, stoppedBy: sender.stoppedBy, unread, transactions: { ...transactions.counters },
    fallbackFile: fallback.count ? fallback.path : undefined,
    rejectsFile: rejects?.count ? rejects.path : undefined,
  };
}
