/**
 * The delivery flags of `kscrape produce`, declared once so that every command that produces URLs (produce,
 * `sitemap --produce`) offers the same ones with the same defaults: `deliveryOptions()` for commander,
 * `deliveryFromFlags()` back to ProduceOptions' fields (bad values throw a UserError naming the flag).
 */
import { Option } from 'commander';
import { UserError } from '../errors.js';
// The light module, not the kafka front door: the command files load this at start-up (see src/kafka/index.ts).
import { DELIVERY_TIMEOUT_MS } from '../kafka/client-configs.js';
import { PARTITIONERS, type PartitionerName } from '../partition/partitioner.js';
import { durationText, parseDuration, parsePositiveInt } from '../units.js';
import { PRODUCE_DEFAULTS as D } from './produce-defaults.js';
import type { ProduceOptions } from './run-produce.js';

/** The delivery flags' text as commander hands it over. */
export interface RawDeliveryFlags {
  topic: string;
  customer: string;
  priority: string;
  fallback?: string;
  dedupe?: string | boolean;
  partitioner: PartitionerName;
  fairThreshold: string;
  fairBands: string;
  maxInFlight: string;
  txnMaxMessages: string;
  txnMaxMs: string;
  flushTimeout?: string;
}

/** The delivery flags, in the order help lists them. */
export function deliveryOptions(): Option[] {
  return [
    new Option('--topic <name>', 'topic to produce to, under --topic-prefix').default(D.topic),
    new Option('--customer <id>', 'customer_id for URLs that do not give one').default(D.customerId),
    new Option('--priority <n>', 'priority for URLs that do not give one').default(String(D.priority)),
    new Option('--fallback <file>', 'append undelivered URLs to this JSON-lines file (default: <first input>.fallback-<time>-<pid>.jsonl next to it, or in the working folder for stdin); replay it with kscrape produce <file>'),
    new Option('--dedupe [ttl]', `skip URLs produced to this topic within ttl, shared through Redis (needs --redis; ttl default ${durationText(D.dedupeTtlMs)}; write --dedupe=12h, or put the input files first)`),
    new Option('--partitioner <name>', 'host: one partition per host; fair: spread hosts deeper than --fair-threshold over --fair-bands partitions; random; customer').choices(PARTITIONERS).default(D.partitioner),
    new Option('--fair-threshold <n>', 'fair: queued URLs above which a host is spread').default(String(D.fairThreshold)),
    new Option('--fair-bands <n>', 'fair: partitions a deep host is spread over').default(String(D.fairBands)),
    new Option('--max-in-flight <n>', 'messages awaiting delivery at most (bounds memory; sets queue.buffering.max.messages)').default(String(D.maxInFlight)),
    new Option('--txn-max-messages <n>', 'URLs per transaction at most: a URL counts as delivered when its transaction commits (bounds the URLs held in memory)').default(String(D.transactionMaxUrls)),
    new Option('--txn-max-ms <duration>', 'a transaction is committed at the latest this long after its first URL').default(durationText(D.transactionIntervalMs)),
    new Option('--flush-timeout <duration>', `how long a URL may wait for delivery before its transaction is aborted into the fallback file; the end of a run or SIGINT/SIGTERM waits at most this long (+ request.timeout.ms) for the last commit (sets delivery.timeout.ms; default: its value, ${durationText(DELIVERY_TIMEOUT_MS)} unless -X sets it)`),
  ];
}

export type DeliverySettings = Pick<ProduceOptions, 'customerId' | 'priority' | 'fallbackFile' | 'dedupeTtlMs' | 'partitioner' | 'fairThreshold' | 'fairBands' | 'maxInFlight' | 'transactionMaxUrls' | 'transactionIntervalMs'> & {
  /** The topic before --topic-prefix. */
  topicName: string;
  flushTimeoutMs: number | undefined;
};

export function deliveryFromFlags(raw: RawDeliveryFlags): DeliverySettings {
  const priority = Number(raw.priority);
  if (!Number.isSafeInteger(priority)) throw new UserError(`--priority: '${raw.priority}' must be a whole number`, 'usage.bad-number');
  if (raw.customer === '') throw new UserError('--customer must not be empty', 'usage.bad-customer');
  const transactionIntervalMs = parseDuration(raw.txnMaxMs, '--txn-max-ms');
  if (transactionIntervalMs <= 0) throw new UserError('--txn-max-ms must be greater than zero', 'usage.bad-duration');
  return {
    topicName: raw.topic,
    customerId: raw.customer,
    priority,
    fallbackFile: raw.fallback,
    dedupeTtlMs: raw.dedupe === undefined ? undefined : typeof raw.dedupe === 'string' ? parseDuration(raw.dedupe, '--dedupe') : D.dedupeTtlMs,
    partitioner: raw.partitioner,
    fairThreshold: parsePositiveInt(raw.fairThreshold, '--fair-threshold'),
    fairBands: parsePositiveInt(raw.fairBands, '--fair-bands'),
    maxInFlight: parsePositiveInt(raw.maxInFlight, '--max-in-flight'),
    transactionMaxUrls: parsePositiveInt(raw.txnMaxMessages, '--txn-max-messages'),
    transactionIntervalMs,
    flushTimeoutMs: raw.flushTimeout === undefined ? undefined : parseDuration(raw.flushTimeout, '--flush-timeout'),
  };
}
