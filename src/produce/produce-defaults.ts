/**
 * The defaults of `kscrape produce`, declared once: src/commands/produce.ts hands them to commander (so
 * `--help` shows these values) and parses what commander gives back into ProduceOptions. Values are in the
 * runtime's units (ms, counts); the flag text is derived from them.
 */
import { FAIR_DEFAULTS, type PartitionerName } from '../partition/partitioner.js';
import { DEFAULT_MAX_URL_LENGTH, TOPICS } from '../records/index.js';
import { DEFAULT_DEDUPE_TTL_MS } from './dedupe.js';
import type { InputFormat } from './input-line.js';

export const PRODUCE_DEFAULTS = {
  /** Topic to produce to, under --topic-prefix (--topic). @default 'urls' */
  topic: TOPICS.urls,
  /** Input format (--format): per line, JSON when it starts with `{`, else a URL. @default 'auto' */
  format: 'auto' as InputFormat,
  /** customer_id for lines that do not give one (--customer). @default 'default' */
  customerId: 'default',
  /** priority for lines that do not give one (--priority). @default 0 */
  priority: 0,
  /** How URLs are spread over partitions (--partitioner). @default 'host' */
  partitioner: 'host' as PartitionerName,
  /** fair: queued URLs above which a host is spread (--fair-threshold). @default 100000 */
  fairThreshold: FAIR_DEFAULTS.threshold,
  /** fair: partitions a deep host is spread over (--fair-bands). @default 4 */
  fairBands: FAIR_DEFAULTS.bands,
  /** Longer URLs are rejected as too-long (--max-url-length). @default 4096 */
  maxUrlLength: DEFAULT_MAX_URL_LENGTH,
  /** Messages awaiting delivery at most; bounds memory (--max-in-flight). @default 50000 */
  maxInFlight: 50_000,
  /**
   * URLs per transaction at most (--txn-max-messages): the open transaction's URLs are held in memory until it
   * commits (an aborted one's go to the fallback file). @default 20000
   */
  transactionMaxUrls: 20_000,
  /** A transaction is committed at the latest this long after its first URL (--txn-max-ms). @default 1000 (1s) */
  transactionIntervalMs: 1_000,
  /** How long to wait for Kafka (and Redis) to answer at start (--timeout). @default 10000 (10s) */
  timeoutMs: 10_000,
  /** --dedupe without a value: skip URLs produced within this long. @default 86400000 (24h) */
  dedupeTtlMs: DEFAULT_DEDUPE_TTL_MS,
} as const;
