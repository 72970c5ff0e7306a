/**
 * The standard topic set and the pure diff between what kscrape wants and what the cluster has.
 *
 * Partitions and retention follow the reference guide; every topic is lz4-compressed on the broker.
 * pages carries whole (capped) page bodies: the worker keeps at most 1 MiB of body by default, and a page record
 * is that body JSON-escaped plus headers and metadata, so pages allows records up to 4 MiB (max.message.bytes).
 * Raise both together: a body cap above ~3 MiB needs a larger --pages-max-message-bytes, and the producer's
 * message.max.bytes (-X) must not be smaller than the topic's limit.
 */
import { UserError } from '../errors.js';
import { formatDuration, parseDuration, parsePositiveInt, parseSize } from '../units.js';
import { TOPICS_DEFAULTS } from './defaults.js';
import { TOPICS, type TopicName } from '../records/index.js';

const DAY_MS = 86_400_000;

export interface StandardTopic {
  partitions: number;
  retentionMs: number;
}

export const STANDARD_TOPICS: Record<TopicName, StandardTopic> = {
  urls: { partitions: 50, retentionMs: 7 * DAY_MS },
  pages: { partitions: 20, retentionMs: 14 * DAY_MS },
  extractions: { partitions: 20, retentionMs: 30 * DAY_MS },
  errors: { partitions: 5, retentionMs: 7 * DAY_MS },
  dlq: { partitions: 5, retentionMs: 30 * DAY_MS },
  metrics: { partitions: 10, retentionMs: 1 * DAY_MS },
  dlqParked: { partitions: 5, retentionMs: 30 * DAY_MS },
};

export const TOPIC_COMPRESSION = 'lz4';
/** 4 MiB: a 1 MiB body (the worker's default cap) after JSON escaping, with headers and metadata. */
export const PAGES_MAX_MESSAGE_BYTES = parseSize(TOPICS_DEFAULTS.pagesMaxMessageBytes, '--pages-max-message-bytes');
export const DEFAULT_REPLICATION_FACTOR: number = TOPICS_DEFAULTS.replicationFactor;
/** The topic configs kscrape sets, compares and shows. */
export const MANAGED_CONFIG_KEYS = ['retention.ms', 'compression.type', 'max.message.bytes', 'min.insync.replicas'] as const;

export interface DesiredTopic {
  name: TopicName;
  /** Full name, with the prefix. */
  topic: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export interface PlanInput {
  prefix: string;
  partitions?: Partial<Record<TopicName, number>>;
  retentionMs?: Partial<Record<TopicName, number>>;
  /** Explicit --replication-factor; otherwise min(3, brokerCount). */
  replicationFactor?: number;
  /** Explicit --min-insync-replicas; otherwise defaultMinInsyncReplicas(replication factor). */
  minInsyncReplicas?: number;
  brokerCount: number;
  pagesMaxMessageBytes?: number;
}

export function defaultReplicationFactor(brokerCount: number): number {
  return Math.max(1, Math.min(DEFAULT_REPLICATION_FACTOR, brokerCount));
}

/**
 * min.insync.replicas for a replication factor: 2 from 3 replicas up (with acks=all a write is on two brokers before
 * it is acknowledged, and one broker may be down), else 1 (with 2 replicas, 2 would stop every write while either
 * broker is down).
 */
export function defaultMinInsyncReplicas(replicationFactor: number): number {
  return replicationFactor >= 3 ? 2 : 1;
}

export function planTopics(input: PlanInput): DesiredTopic[] {
  const rf = input.replicationFactor ?? defaultReplicationFactor(input.brokerCount);
  const minIsr = input.minInsyncReplicas ?? defaultMinInsyncReplicas(rf);
  if (minIsr > rf) {
    throw new UserError(`--min-insync-replicas ${minIsr} is above the replication factor ${rf}: no write with acks=all could ever succeed`, 'usage.min-insync-replicas');
  }
  return (Object.keys(STANDARD_TOPICS) as TopicName[]).map((name) => {
    const std = STANDARD_TOPICS[name];
    const configs: Record<string, string> = {
      'retention.ms': String(input.retentionMs?.[name] ?? std.retentionMs),
      'compression.type': TOPIC_COMPRESSION,
      'min.insync.replicas': String(minIsr),
    };
    if (name === 'pages') configs['max.message.bytes'] = String(input.pagesMaxMessageBytes ?? PAGES_MAX_MESSAGE_BYTES);
    return { name, topic: `${input.prefix}${TOPICS[name]}`, partitions: input.partitions?.[name] ?? std.partitions, replicationFactor: rf, configs };
  });
}

/** A topic's key from what users type: the topic name (`dlq.parked`) or the key (`dlqParked`). */
export function topicNameOf(text: string, flag: string): TopicName {
  const found = (Object.keys(TOPICS) as TopicName[]).find((k) => k === text || TOPICS[k] === text);
  if (!found) throw new UserError(`${flag}: unknown topic '${text}' (one of ${Object.values(TOPICS).join(', ')})`, 'usage.unknown-topic');
  return found;
}

/** `urls=200` style flags: topic=value, repeatable; the last one for a topic wins. */
export function parseTopicAssignments<T>(values: readonly string[], flag: string, parse: (value: string, flag: string) => T): Partial<Record<TopicName, T>> {
  const out: Partial<Record<TopicName, T>> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new UserError(`${flag} expects topic=value (for example urls=200), got '${value}'`, 'usage.bad-assignment');
    const name = topicNameOf(value.slice(0, eq).trim(), flag);
    out[name] = parse(value.slice(eq + 1).trim(), `${flag} ${value.slice(0, eq)}`);
  }
  return out;
}

export const parsePartitionOverrides = (values: readonly string[]) => parseTopicAssignments(values, '--partitions', parsePositiveInt);
export const parseRetentionOverrides = (values: readonly string[]) => parseTopicAssignments(values, '--retention', parseDuration);

/** Where one partition's copies are, from the cluster's metadata (broker ids; leader -1: none). */
export interface PartitionReplicas {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface ExistingTopic {
  topic: string;
  partitions: number;
  replicationFactor: number;
  /** Leader, replicas and ISR by partition (when read from metadata). */
  replicaStates?: PartitionReplicas[];
  /** The topic's effective configs; null when they could not be read (see configs.ts). */
  configs: Record<string, string> | null;
}

export interface Difference {
  field: string;
  want: string;
  have: string;
  /** kscrape can apply it with --fix. */
  fixable: boolean;
  note?: string;
}

export interface TopicDiff {
  desired: DesiredTopic;
  existing: ExistingTopic | null;
  status: 'create' | 'ok' | 'mismatch';
  differences: Difference[];
  /** Informational: differences that are not mismatches (more partitions than planned). */
  notes: string[];
  /** Config keys that could not be compared (the topic's configs could not be read). */
  unverified: string[];
}

export function diffTopic(desired: DesiredTopic, existing: ExistingTopic | null): TopicDiff {
  if (!existing) return { desired, existing, status: 'create', differences: [], notes: [], unverified: [] };
  const differences: Difference[] = [];
  const notes: string[] = [];
  if (existing.partitions < desired.partitions) {
    differences.push({
      field: 'partitions', want: String(desired.partitions), have: String(existing.partitions), fixable: true,
      ...(desired.name === 'urls' ? { note: 'adding partitions moves hosts to other partitions (murmur2 mod n changes)' } : {}),
    });
  } else if (existing.partitions > desired.partitions) {
    notes.push(`has ${existing.partitions} partitions, more than the planned ${desired.partitions} (Kafka cannot remove partitions; kept)`);
  }
  if (existing.replicationFactor !== desired.replicationFactor) {
    differences.push({
      field: 'replication', want: String(desired.replicationFactor), have: String(existing.replicationFactor), fixable: false,
      note: 'changing it needs a partition reassignment (kafka-reassign-partitions.sh); or pass --replication-factor',
    });
  }
  const unverified: string[] = [];
  for (const [key, want] of Object.entries(desired.configs)) {
    const have = existing.configs?.[key];
    if (existing.configs === null) unverified.push(key);
    else if (have !== want) {
      // Rounded durations can hide the difference (7.0d vs 604800001 ms): then show the raw values.
      const [w, h] = have !== undefined && showConfig(key, want) === showConfig(key, have) ? [want, have] : [showConfig(key, want), have === undefined ? '(none)' : showConfig(key, have)];
      differences.push({ field: key, want: w, have: h, fixable: true });
    }
  }
  return { desired, existing, status: differences.length ? 'mismatch' : 'ok', differences, notes, unverified };
}

export function diffTopics(desired: readonly DesiredTopic[], existing: ReadonlyMap<string, ExistingTopic>): TopicDiff[] {
  return desired.map((d) => diffTopic(d, existing.get(d.topic) ?? null));
}

/** Config values as people read them: retention as a duration (-1: forever), sizes in bytes. */
export function showConfig(key: string, value: string): string {
  if (key === 'retention.ms' && value === '-1') return 'forever';
  if (key === 'retention.ms' && /^\d+$/.test(value)) return formatDuration(Number(value));
  return value;
}

/** The configs `--fix` sets: the desired value of every fixable config difference. */
export function configChanges(diff: Pick<TopicDiff, 'desired' | 'differences'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of diff.differences) {
    const want = diff.desired.configs[d.field];
    if (d.fixable && want !== undefined) out[d.field] = want;
  }
  return out;
}

/** The command that shows (or, with --alter, sets) configs kscrape could not read: printed as a hint. */
export function configCheckHint(brokers: string, topic: string): string {
  return `kafka-configs.sh --bootstrap-server ${brokers} --describe --entity-type topics --entity-name ${topic}`;
}
