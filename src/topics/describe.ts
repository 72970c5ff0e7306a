/**
 * `kscrape topics list` / `describe`: partitions, replication, retention, compression and message counts
 * (high − low watermark, summed). Configs are the broker's effective values; null when they could not be read
 * (see topic-io.ts).
 */
import { RuntimeFailure } from '../errors.js';
import { TOPICS } from '../records/index.js';
import { listTopicNames, messageCount, readExistingTopics, topicOffsets, type PartitionOffsets, type TopicIo } from './topic-io.js';
import { replicaHealth, type ReplicaHealth } from './replica-health.js';

export interface TopicInfo {
  topic: string;
  exists: boolean;
  partitions: number;
  replicationFactor: number;
  messages: number;
  /** Effective retention.ms (-1: forever); null when the topic's configs could not be read. */
  retentionMs: number | null;
  compression: string | null;
  maxMessageBytes: number | null;
  /** Effective min.insync.replicas; null when the topic's configs could not be read. */
  minInsyncReplicas: number | null;
  /** Partitions without a leader, with fewer in-sync replicas than replicas, or than min ISR. */
  replicaHealth: ReplicaHealth;
  /** Only for describe: watermarks, leader, replicas and ISR by partition. */
  offsets?: (PartitionOffsets & { leader: number; replicas: number[]; isr: number[] })[];
}

/** The topics under the prefix (all non-internal topics without one), sorted. */
export async function listTopics(io: TopicIo, prefix: string): Promise<TopicInfo[]> {
  const names = (await listTopicNames(io)).filter((n) => !n.startsWith('__') && n.startsWith(prefix)).sort();
  return describeTopicNames(io, names, false);
}

/**
 * `names`: standard names (urls, dlq.parked) get the prefix; anything else is taken as a full topic name.
 * No names: the standard set under the prefix, missing ones included (exists: false).
 */
export async function describeTopics(io: TopicIo, prefix: string, names: readonly string[]): Promise<TopicInfo[]> {
  const standard = new Set<string>(Object.values(TOPICS));
  const wanted = names.length ? names.map((n) => (standard.has(n) ? `${prefix}${n}` : n)) : Object.values(TOPICS).map((n) => `${prefix}${n}`);
  const infos = await describeTopicNames(io, wanted, true);
  if (names.length && infos.some((i) => !i.exists)) {
    const missing = infos.filter((i) => !i.exists).map((i) => i.topic);
    throw new RuntimeFailure(`no such topic: ${missing.join(', ')} (create the standard set with: kscrape topics create${prefix ? ` --topic-prefix ${prefix}` : ''})`, 'kafka.unknown-topic');
  }
  return infos;
}

async function describeTopicNames(io: TopicIo, names: readonly string[], withOffsets: boolean): Promise<TopicInfo[]> {
  const existing = await readExistingTopics(io, names);
  const out: TopicInfo[] = [];
  for (const topic of names) {
    const e = existing.get(topic);
    if (!e) {
      out.push({
        topic, exists: false, partitions: 0, replicationFactor: 0, messages: 0, retentionMs: null, compression: null, maxMessageBytes: null,
        minInsyncReplicas: null, replicaHealth: replicaHealth([], null),
      });
      continue;
    }
    const offsets = await topicOffsets(io, topic);
    const minInsyncReplicas = numberOrNull(e.configs?.['min.insync.replicas']);
    const states = e.replicaStates ?? [];
    const placed = offsets.map((o) => {
      const r = states.find((s) => s.partition === o.partition);
      return { ...o, leader: r?.leader ?? -1, replicas: r?.replicas ?? [], isr: r?.isr ?? [] };
    });
    out.push({
      topic, exists: true, partitions: e.partitions, replicationFactor: e.replicationFactor, messages: messageCount(offsets),
      retentionMs: numberOrNull(e.configs?.['retention.ms']), compression: e.configs?.['compression.type'] ?? null,
      maxMessageBytes: numberOrNull(e.configs?.['max.message.bytes']), minInsyncReplicas,
      replicaHealth: replicaHealth(states, minInsyncReplicas), ...(withOffsets ? { offsets: placed } : {}),
    });
  }
  return out;
}

function numberOrNull(value: string | undefined): number | null {
  return value === undefined || !/^-?\d+$/.test(value) ? null : Number(value);
}
