/**
 * Topic I/O for `kscrape topics`: what exists, how many brokers there are, create, add partitions, message counts,
 * and topic configs. Every call is raced against a deadline. Configs go through a second client (configs.ts:
 * @confluentinc/kafka-javascript 1.10 cannot describe or alter them); when that client cannot be used with the
 * given settings, or fails, configs are reported as "not verified": never guessed.
 */
import { RdKafka } from '@confluentinc/kafka-javascript';
import { RuntimeFailure, UserError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { createMetadataClient, createNativeAdmin, type Admin, type KafkaConfig, connectAdmin } from '../kafka/index.js';
import { withDeadline } from '../deadline.js';
import { openTopicConfigs, type TopicConfigs } from './configs.js';
import { MANAGED_CONFIG_KEYS, type DesiredTopic, type ExistingTopic } from './plan.js';

export interface TopicIo {
  admin: Admin;
  config: KafkaConfig;
  logger: Logger;
  timeoutMs: number;
  /** null: configs cannot be read with these settings (the reason was logged once as a warning). */
  configs: TopicConfigs | null;
}

export async function listTopicNames(io: TopicIo): Promise<string[]> {
  return withDeadline(io.admin.listTopics({ timeout: io.timeoutMs }), io.timeoutMs + 1_000, 'list topics');
}

/**
 * The topics among `names` that exist, with partitions, replication factor and (when readable) configs. Partitions
 * come from the cluster's metadata (the same request as the broker list), not from the admin client's
 * DescribeTopics: in the seconds after a broker died, before the controller fenced it, DescribeTopics waited its
 * whole timeout (seen on a 3-node cluster: `kscrape check` answered CRITICAL "Local: Timed out" for up to 11 s
 * after a kill -9, while a metadata request answered at once and showed the dead node's partitions).
 */
export async function readExistingTopics(io: TopicIo, names: readonly string[]): Promise<Map<string, ExistingTopic>> {
  const metadata = await readMetadata(io);
  const byName = new Map(metadata.topics.map((t) => [t.name, t]));
  const present = names.filter((n) => byName.has(n));
  const out = new Map<string, ExistingTopic>();
  if (!present.length) return out;
  const configs = await readConfigs(io, present);
  for (const name of present) {
    const t = byName.get(name)!;
    const values = configs?.get(name);
    out.set(name, {
      topic: name,
      partitions: t.partitions.length,
      replicationFactor: Math.max(0, ...t.partitions.map((p) => p.replicas.length)),
      replicaStates: t.partitions.map((p) => ({ partition: p.id, leader: p.leader ?? -1, replicas: p.replicas, isr: p.isrs }))
        .sort((a, b) => a.partition - b.partition),
      configs: values ? Object.fromEntries(values) : null,
    });
  }
  return out;
}

async function readConfigs(io: TopicIo, topics: readonly string[]): Promise<Map<string, Map<string, string>> | null> {
  if (!io.configs || !topics.length) return null;
  try {
    return await io.configs.describeTopicConfigs(topics, MANAGED_CONFIG_KEYS);
  } catch (err) {
    io.logger.warn(`${errorMessage(err)}; topic configs are shown as not verified`);
    io.configs = null;
    return null;
  }
}

/** Sets topic configs (incrementally: others are kept). */
export async function alterTopicConfigs(io: TopicIo, topic: string, values: Record<string, string>): Promise<void> {
  if (!io.configs) throw new RuntimeFailure(`cannot alter configs of ${topic}: topic configs cannot be used with these settings`, 'kafka.topic-configs');
  await io.configs.alterTopicConfigs(topic, values);
}

/** Brokers in the cluster, from a metadata request (neither admin API returns the broker list). */
export async function countBrokers(io: TopicIo): Promise<number> {
  return (await listBrokers(io)).length;
}

/** The brokers the cluster's metadata lists (registered and not fenced), by id. */
export async function listBrokers(io: TopicIo): Promise<{ id: number; host: string; port: number }[]> {
  return (await readMetadata(io)).brokers.map((b) => ({ id: b.id, host: b.host, port: b.port })).sort((a, b) => a.id - b.id);
}

/**
 * The cluster's metadata (brokers, and every topic with its partitions' leader, replicas and ISR) from one metadata
 * request: neither admin API returns the broker list. Internal topics are included.
 */
async function readMetadata(io: TopicIo): Promise<RdKafka.Metadata> {
  const client = createMetadataClient({ config: io.config, logger: io.logger });
  try {
    return await withDeadline(new Promise<RdKafka.Metadata>((resolve, reject) => {
      client.connect({ timeout: io.timeoutMs, allTopics: true }, (err, data) => (err ? reject(err) : resolve(data)));
    }), io.timeoutMs + 1_000, 'cluster metadata');
  } finally {
    await withDeadline(new Promise<void>((resolve) => { client.disconnect(() => resolve()); }), 5_000, 'metadata client disconnect').catch(() => undefined);
  }
}

/** Creates one topic; false when it appeared meanwhile (someone else created it). */
export async function createTopic(io: TopicIo, desired: DesiredTopic): Promise<boolean> {
  try {
    return await withDeadline(io.admin.createTopics({
      timeout: io.timeoutMs,
      topics: [{
        topic: desired.topic, numPartitions: desired.partitions, replicationFactor: desired.replicationFactor,
        configEntries: Object.entries(desired.configs).map(([name, value]) => ({ name, value })),
      }],
    }), io.timeoutMs + 1_000, `create topic ${desired.topic}`);
  } catch (err) {
    throw new RuntimeFailure(`cannot create topic ${desired.topic}: ${nestedMessage(err)}`, 'kafka.create-topic', { cause: err });
  }
}

/** Raises a topic's partition count to `total` (Kafka only ever adds partitions). */
export async function addPartitions(io: TopicIo, topic: string, total: number): Promise<void> {
  const native = createNativeAdmin({ config: io.config, logger: io.logger });
  try {
    await withDeadline(new Promise<void>((resolve, reject) => {
      native.createPartitions(topic, total, io.timeoutMs, (err) => (err ? reject(err) : resolve()));
    }), io.timeoutMs + 1_000, `add partitions to ${topic}`);
  } catch (err) {
    throw new RuntimeFailure(`cannot add partitions to ${topic}: ${errorMessage(err)}`, 'kafka.create-partitions', { cause: err });
  } finally {
    native.disconnect();
  }
}

export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

export async function topicOffsets(io: TopicIo, topic: string): Promise<PartitionOffsets[]> {
  const offsets = await withDeadline(io.admin.fetchTopicOffsets(topic, { timeout: io.timeoutMs, isolationLevel: RdKafka.IsolationLevel.READ_UNCOMMITTED }), io.timeoutMs + 1_000, `offsets of ${topic}`);
  return offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) })).sort((a, b) => a.partition - b.partition);
}

/** Messages a topic holds now: the sum over partitions of high − low watermark (compacted or aborted records included). */
export function messageCount(offsets: readonly PartitionOffsets[]): number {
  return offsets.reduce((sum, o) => sum + Math.max(0, o.high - o.low), 0);
}

/** KafkaJS-style aggregate errors hide the broker's reason one level down. */
function nestedMessage(err: unknown): string {
  const errors = (err as { errors?: unknown[] } | undefined)?.errors;
  if (Array.isArray(errors) && errors.length) return errors.map((e) => errorMessage(e)).join('; ');
  return errorMessage(err);
}

/** Connects an admin and, when the settings allow, the config client for the duration of `fn`. */
export async function withTopicIo<T>(opts: { config: KafkaConfig; logger: Logger; timeoutMs: number }, fn: (io: TopicIo) => Promise<T>): Promise<T> {
  const { admin, close } = await connectAdmin(opts);
  const configs = openConfigsOrNull(opts);
  try {
    return await fn({ admin, ...opts, configs });
  } finally {
    await Promise.all([close(), configs?.close()]);
  }
}

/** The config client, or null (after one warning) when the Kafka settings cannot be carried over to it. */
function openConfigsOrNull(opts: { config: KafkaConfig; logger: Logger; timeoutMs: number }): TopicConfigs | null {
  try {
    return openTopicConfigs(opts);
  } catch (err) {
    if (err instanceof UserError && err.code === 'config.configs-unreadable') {
      opts.logger.warn(`${err.message}; they are shown as not verified`);
      return null;
    }
    throw err;
  }
}
