/**
 * Every librdkafka configuration kscrape builds, in one place: the defaults per role and what each client adds.
 *
 * Layers, lowest first (config.ts merges them; README "Global options"): role default < --client-config file <
 * --brokers / KSCRAPE_BROKERS (for bootstrap.servers) < -X key=value. Each client starts from its role's merged
 * config. The `...Config` builders below return a client's whole config, in which -X still wins; the `...Settings`
 * ones return what a client sets on top (clients.ts merges it last), which wins even over -X because the client's
 * logic depends on it.
 *
 * - bulk producer (`kscrape produce`): producer role, `bulkProducerConfig` (--flush-timeout), `bulkProducerSettings`
 *   (transactional: `produceTransactionalId`, `produceTransactionTimeoutMs`)
 * - worker results producer (`work`): `workerProducerConfig` (bounded waits and sizes)
 * - transactional worker producer (`work --eos`): `transactionalProducerConfig` (the worker's, stable transactional.id)
 * - worker consumer (`work`): `workerConsumerConfig` (cooperative-sticky, or KIP-848 with `--group-protocol
 *   consumer`; read_committed with --eos)
 * - sink consumer (`sink postgres`): `sinkConsumerConfig` (the worker's, read_committed, bigger client batches)
 * - dlq retry producer and consumer (plain and --eos): producer / consumer roles, `dlqRetryProducerSettings`,
 *   `dlqRetryConsumerSettings`
 * - lag reader, dlq stats, the audit's sample: consumer role, `assignedReaderConfig` (an assign-only reader)
 * - admin, config admin, metadata client, the lag child's admin: the admin role as it is
 */
import type { KafkaConfig } from './config.js';

/**
 * How long librdkafka may try to deliver a message before reporting it failed (`delivery.timeout.ms`) in every
 * producer that does not set its own; also what kscrape assumes when a producer config carries neither alias.
 * @default 120000 (2 minutes; librdkafka's own default is 5 minutes)
 */
export const DELIVERY_TIMEOUT_MS = 120_000;

/** librdkafka's default `request.timeout.ms`, which kscrape leaves alone; bounds a message already on the wire. */
export const LIBRDKAFKA_REQUEST_TIMEOUT_MS = 30_000;

/** kscrape's defaults per client role. Everything here can be overridden with -X or --client-config. */
export const ROLE_DEFAULTS = {
  common: {
    'client.id': 'kscrape',
    'allow.auto.create.topics': false,
  },
  producer: {
    // The reference guide's producer settings: durable, batched, compressed.
    acks: 'all',
    'enable.idempotence': true,
    'compression.type': 'lz4',
    'linger.ms': 10,
    'message.send.max.retries': 10,
    'delivery.timeout.ms': DELIVERY_TIMEOUT_MS,
  },
  consumer: {
    'enable.auto.commit': false,
    'auto.offset.reset': 'earliest',
    'session.timeout.ms': 30000,
    'max.poll.interval.ms': 600000,
  },
  admin: {},
} satisfies Record<string, KafkaConfig>;

export type ClientRole = 'producer' | 'consumer' | 'admin';

/** The roles `kscrape config --role` can show. */
export const CLIENT_ROLES: readonly ClientRole[] = ['producer', 'consumer', 'admin'];

export function roleDefaults(role: ClientRole): KafkaConfig {
  return { ...ROLE_DEFAULTS.common, ...ROLE_DEFAULTS[role] };
}

/** A role's own defaults as `key=value, ...` for --help texts. */
export function describeRoleDefaults(role: Exclude<ClientRole, 'admin'>): string {
  return Object.entries(ROLE_DEFAULTS[role]).map(([key, value]) => `${key}=${String(value)}`).join(', ');
}

/** What the per-client builders need from the resolved global options (GlobalContext has all of it). */
export interface ClientLayers {
  /** The merged config of a role: role defaults < --client-config < brokers < -X. */
  kafkaConfig(role: ClientRole): KafkaConfig;
  /** -X flags, re-applied after a client's own settings where -X must still win. */
  overrides: Record<string, string>;
  topicPrefix: string;
}

/** Bulk produce: --flush-timeout, when given, is librdkafka's delivery.timeout.ms (message.timeout.ms is its alias). */
export function bulkProducerConfig(layers: Pick<ClientLayers, 'kafkaConfig'>, flushTimeoutMs: number | undefined): KafkaConfig {
  const config = layers.kafkaConfig('producer');
  if (flushTimeoutMs === undefined) return config;
  const { 'message.timeout.ms': _alias, ...rest } = config;
  return { ...rest, 'delivery.timeout.ms': flushTimeoutMs };
}

/**
 * What the bulk producer sets on top of its config, after -X: its accounting needs librdkafka to report only the
 * failed deliveries, with the message (see bulk-producer.ts), its in-flight bound is librdkafka's queue, and a URL
 * counts as delivered only when its transaction commits (src/produce/produce-transactions.ts).
 */
export function bulkProducerSettings(maxInFlight: number, transaction: { id: string; timeoutMs: number }): KafkaConfig {
  return {
    'queue.buffering.max.messages': maxInFlight,
    'delivery.report.only.error': true,
    dr_msg_cb: true,
    'transactional.id': transaction.id,
    'transaction.timeout.ms': transaction.timeoutMs,
    'enable.idempotence': true,
  };
}

/**
 * One transactional.id per produce run, unique (host, pid, random): runs never fence each other, and a producer
 * recreated within the run fences its predecessor.
 */
export function produceTransactionalId(topicPrefix: string, host: string, pid: number, random: string): string {
  return `${topicPrefix}kscrape-produce-${host}-${pid}-${random}`;
}

/** Margin on the broker's side of a transaction's lifetime, over what the client may spend on it. */
const TRANSACTION_TIMEOUT_MARGIN_MS = 10_000;

/**
 * The longest librdkafka may take to give every queued message its outcome, from the producer's settings:
 * the delivery timeout of the last message queued, plus one request already on the wire, plus a margin. It
 * bounds produce's commit (and abort) of a transaction.
 */
export function settleBoundMs(config: KafkaConfig): number {
  const requestTimeoutMs = config['request.timeout.ms'] === undefined ? LIBRDKAFKA_REQUEST_TIMEOUT_MS : Number(config['request.timeout.ms']);
  return deliveryTimeoutOf(config) + requestTimeoutMs + 5_000;
}

/**
 * produce's transaction.timeout.ms: a transaction stays open for at most `intervalMs` of sending plus its commit
 * (settleBoundMs); the broker aborts one older than this (a crashed run's), so read_committed readers of its
 * partitions wait at most this long behind it. librdkafka refuses a delivery timeout above it. -X may set it.
 */
export function produceTransactionTimeoutMs(config: KafkaConfig, intervalMs: number): number {
  if (config['transaction.timeout.ms'] !== undefined) return Number(config['transaction.timeout.ms']);
  return settleBoundMs(config) + intervalMs + TRANSACTION_TIMEOUT_MARGIN_MS;
}

/** Settings only the new group protocol (KIP-848) rejects: the broker owns them there. */
const CLASSIC_ONLY = ['partition.assignment.strategy', 'session.timeout.ms', 'heartbeat.interval.ms'];

/** The worker's consumer; with --eos it reads committed records only, whatever -X says. */
export function workerConsumerConfig(ctx: Pick<ClientLayers, 'kafkaConfig' | 'overrides'>, protocol: 'classic' | 'consumer', eos = false): KafkaConfig {
  const config: KafkaConfig = { ...ctx.kafkaConfig('consumer') };
  if (protocol === 'consumer') {
    for (const key of CLASSIC_ONLY) if (!(key in ctx.overrides)) delete config[key];
    config['group.protocol'] = 'consumer';
  } else {
    // Cooperative rebalancing: a leaving worker only pauses its own partitions (the guide: ~90 % less pause).
    config['partition.assignment.strategy'] = 'cooperative-sticky';
  }
  return { ...config, ...ctx.overrides, ...(eos ? { 'isolation.level': 'read_committed' } : {}) };
}

/**
 * The sink's consumer (`sink postgres`): the worker's group settings; read_committed, so records of aborted
 * transactions (`work --eos`) never reach a table; and larger client-side batches (a database batch holds
 * thousands of records, the client's default hands over 32 at a time); and a bounded prefetch at both of the
 * client's layers. librdkafka's `queued.max.messages.kbytes` (64 MiB by default) is per partition, so a sink owning
 * many partitions would hold hundreds of MiB of records it has not asked for yet, while the sink's own buffer
 * (--buffer) is the intended bound. Above it, the client's JavaScript layer keeps a cache of messages sized for
 * `js.consumer.max.cache.size.per.worker.ms` (1.5 s by default) of consumption at the rate it measured: the sink
 * maps records faster than it loads them, so that cache held tens of thousands of records (a copied Buffer each)
 * that V8 then traced and promoted. 1 MiB per partition, 2 MiB per fetch and 100 ms of cache took the bench's
 * peak RSS from 694–808 to 353–375 MB and its CPU from 9.8–11.5 to 7.8–8.6 s at the same rate; half of each
 * starved the fetch. A queue that small is full often, and librdkafka then waits `fetch.queue.backoff.ms` (1 s by
 * default) before fetching that partition again: 10 ms took the rate from 11.8–12.8 k to 14.1–16.0 k rows/s
 * (peak RSS 415–445 MB). BENCHMARKS.md, "Sink", round 3. -X overrides the librdkafka ones.
 */
export const SINK_PREFETCH_SETTINGS: KafkaConfig = {
  'queued.max.messages.kbytes': 1_024,
  'fetch.max.bytes': 2_097_152,
  'js.consumer.max.cache.size.per.worker.ms': 100,
  'fetch.queue.backoff.ms': 10,
};

export function sinkConsumerConfig(ctx: Pick<ClientLayers, 'kafkaConfig' | 'overrides'>, protocol: 'classic' | 'consumer'): KafkaConfig {
  return { 'js.consumer.max.batch.size': 1000, ...SINK_PREFETCH_SETTINGS, ...workerConsumerConfig(ctx, protocol, true) };
}

/**
 * The assign-only reader (lag's oldest records, dlq stats, the audit's sample) on top of the consumer role:
 * librdkafka wants a group.id for a KafkaConsumer even when it only assigns; nothing is ever committed to it, and
 * the group timeouts mean nothing to it. `extra` (a reader's own, e.g. a small fetch size) wins over all.
 */
export function assignedReaderConfig(consumerConfig: KafkaConfig, extra: KafkaConfig | undefined): KafkaConfig {
  const config: KafkaConfig = {
    ...consumerConfig,
    'group.id': 'kscrape-assigned-reader',
    'enable.auto.commit': false,
    'enable.auto.offset.store': false,
    'enable.partition.eof': true,
    ...extra,
  };
  delete config['session.timeout.ms'];
  delete config['max.poll.interval.ms'];
  return config;
}

/**
 * `kscrape lag`'s oldest-record reader wants one record per partition: small fetches and a small prefetch queue.
 * A small queue makes librdkafka postpone a partition's fetch by fetch.queue.backoff.ms ("queue full"), 1 s by
 * default: 20 ms here. (The `extra` of assignedReaderConfig.)
 */
export const LAG_TIMESTAMP_READER_SETTINGS: KafkaConfig = {
  'fetch.max.bytes': 1_048_576, 'max.partition.fetch.bytes': 16_384, 'queued.min.messages': 10, 'fetch.wait.max.ms': 10, 'fetch.queue.backoff.ms': 20,
};

/** The worker's sizes its producers are bounded by. */
export interface WorkerProducerSizes {
  maxRecordBytes: number;
  maxPendingBytes: number;
}

/** The transactional producer of --eos: its id is stable per worker so a restarted worker fences its predecessor. */
export function transactionalProducerConfig(ctx: ClientLayers, s: WorkerProducerSizes & { group: string }, workerId: string): KafkaConfig {
  return {
    ...workerProducerConfig(ctx, s),
    'transactional.id': `${ctx.topicPrefix}kscrape-work-${s.group}-${workerId}`,
    'transaction.timeout.ms': 60_000,
    ...ctx.overrides,
  };
}

export function workerProducerConfig(ctx: Pick<ClientLayers, 'kafkaConfig' | 'overrides'>, s: WorkerProducerSizes): KafkaConfig {
  return {
    ...ctx.kafkaConfig('producer'),
    // The guide's advice against producer deadlock: bounded waits; the result sink retries what fails.
    'delivery.timeout.ms': 30_000,
    'request.timeout.ms': 15_000,
    'message.max.bytes': s.maxRecordBytes + 64 * 1024,
    // The worker keeps what awaits the broker under --delivery-buffer; this is the native backstop (librdkafka's
    // default is 1 GiB). Room for UTF-8 growing a JSON string and for one largest record on top.
    'queue.buffering.max.kbytes': Math.ceil((3 * s.maxPendingBytes + s.maxRecordBytes) / 1024),
    ...ctx.overrides,
  };
}

/** A producer config's delivery timeout: the larger of the two aliases, DELIVERY_TIMEOUT_MS when it sets neither. */
export function deliveryTimeoutOf(config: KafkaConfig): number {
  const num = (key: string) => (config[key] === undefined ? undefined : Number(config[key]));
  return Math.max(num('delivery.timeout.ms') ?? 0, num('message.timeout.ms') ?? 0) || DELIVERY_TIMEOUT_MS;
}

/**
 * What `dlq retry` sets on its producer, after -X. With --eos: a transactional id and a transaction timeout no
 * shorter than a message's delivery timeout (librdkafka refuses one shorter).
 */
export function dlqRetryProducerSettings(producerConfig: KafkaConfig, transactionalId: string | undefined): KafkaConfig {
  if (transactionalId === undefined) return {};
  const deliveryTimeoutMs = Number(producerConfig['delivery.timeout.ms'] ?? producerConfig['message.timeout.ms'] ?? DELIVERY_TIMEOUT_MS);
  return { 'transactional.id': transactionalId, 'transaction.timeout.ms': Math.max(60_000, deliveryTimeoutMs), 'enable.idempotence': true };
}

/**
 * What `dlq retry` sets on its consumer, after -X: commits only its own, and read_committed, so records of
 * aborted worker transactions (--eos upstream) are never retried.
 */
export function dlqRetryConsumerSettings(group: string): KafkaConfig & { 'group.id': string } {
  return { 'group.id': group, 'enable.auto.commit': false, 'isolation.level': 'read_committed' };
}

/**
 * `kscrape extract --eos`'s transactional producer: the worker's settings, with an id of its own (stable per
 * extractor, so a restarted one fences its predecessor; never the id of a `work` process of the same names).
 */
export function extractTransactionalProducerConfig(ctx: ClientLayers, s: WorkerProducerSizes & { group: string }, workerId: string): KafkaConfig {
  return {
    ...transactionalProducerConfig(ctx, s, workerId),
    'transactional.id': `${ctx.topicPrefix}kscrape-extract-${s.group}-${workerId}`,
    ...ctx.overrides,
  };
}

/**
 * `kscrape extract`'s consumer: the worker's, with librdkafka's prefetch bounded for page-sized records (its
 * default queue holds 64 MiB of pre-fetched messages, on top of what the extractor's look-ahead holds). -X wins.
 */
export function extractConsumerConfig(ctx: Pick<ClientLayers, 'kafkaConfig' | 'overrides'>, protocol: 'classic' | 'consumer', eos = false): KafkaConfig {
  return {
    ...workerConsumerConfig(ctx, protocol, eos),
    'queued.max.messages.kbytes': 16_384,
    'fetch.max.bytes': 16 * 1024 * 1024,
    ...ctx.overrides,
    ...(eos ? { 'isolation.level': 'read_committed' } : {}),
  };
}
