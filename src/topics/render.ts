/**
 * Text for `kscrape topics`: a cli-table3 table on a terminal, plain tab-separated columns otherwise (for grep/awk).
 * Pure: returns strings.
 */
import Table from 'cli-table3';
import { formatDuration } from '../units.js';
import type { CreateTopicsResult, TopicOutcome } from './create.js';
import type { TopicInfo } from './describe.js';
import { configCheckHint, showConfig } from './plan.js';
import { describeReplicaHealth } from './replica-health.js';

const NOT_READABLE = 'n/a*';
export const CONFIGS_FOOTNOTE = '* retention and compression could not be read with these Kafka settings (see the warning on stderr); check with kafka-configs.sh --describe';

const showRetention = (ms: number) => (ms < 0 ? 'forever' : formatDuration(ms));

function grid(head: string[], rows: string[][], tty: boolean): string {
  if (!tty) return `${[head, ...rows].map((r) => r.join('\t')).join('\n')}\n`;
  const table = new Table({ head, style: { head: [], border: [] } });
  table.push(...rows);
  return `${table.toString()}\n`;
}

/**
 * One row per topic. `min ISR` and `replicas` (the replication state: ok, or how many partitions are offline,
 * under-replicated, under min ISR) come last so scripts reading the first columns by position keep working.
 */
export function renderTopicInfos(infos: readonly TopicInfo[], tty: boolean): string {
  const rows = infos.map((t) => t.exists
    ? [t.topic, String(t.partitions), String(t.replicationFactor), t.retentionMs === null ? NOT_READABLE : showRetention(t.retentionMs), t.compression ?? NOT_READABLE, String(t.messages),
      t.minInsyncReplicas === null ? NOT_READABLE : String(t.minInsyncReplicas), describeReplicaHealth(t.replicaHealth) || 'ok']
    : [t.topic, 'missing', '', '', '', '', '', '']);
  const out = grid(['topic', 'partitions', 'replication', 'retention', 'compression', 'messages', 'min ISR', 'replicas'], rows, tty);
  return infos.some((t) => t.exists && (t.retentionMs === null || t.compression === null)) ? `${out}${CONFIGS_FOOTNOTE}\n` : out;
}

/** Per-partition watermarks for `describe` (one block per topic). */
export function renderPartitionOffsets(info: TopicInfo, tty: boolean): string {
  if (!info.offsets) return '';
  const h = info.replicaHealth;
  const flags = (p: number) => [h.offline.includes(p) ? 'OFFLINE' : '', h.underReplicated.includes(p) ? 'UNDER-REPLICATED' : '', h.underMinIsr.includes(p) ? 'UNDER-MIN-ISR' : '']
    .filter(Boolean).join(' ');
  const rows = info.offsets.map((o) => [String(o.partition), String(o.low), String(o.high), String(o.high - o.low),
    o.leader < 0 ? 'none' : String(o.leader), o.replicas.join(','), o.isr.join(','), flags(o.partition)]);
  return `${info.topic}:\n${grid(['partition', 'low', 'high', 'messages', 'leader', 'replicas', 'isr', ''], rows, tty)}`;
}

const LABEL: Record<TopicOutcome['action'], string> = {
  created: 'created',
  'would-create': 'would create',
  exists: 'exists',
  fixed: 'fixed',
  'would-fix': 'would fix',
  mismatch: 'MISMATCH',
};

export function renderCreateResult(result: CreateTopicsResult, brokers: string): string {
  const lines: string[] = [];
  const width = Math.max(...result.topics.map((t) => t.desired.topic.length));
  lines.push(`${result.dryRun ? 'plan (dry run, nothing changed)' : 'topics'}: ${result.brokers} broker(s), replication factor ${result.replicationFactor}, min ISR ${result.minInsyncReplicas}`);
  for (const t of result.topics) {
    const d = t.desired;
    const configs = Object.entries(d.configs).map(([k, v]) => `${k}=${showConfig(k, v)}`).join(' ');
    const have = t.existing ? `${t.existing.partitions} partitions, rf ${t.existing.replicationFactor}${existingConfigs(t)}` : `${d.partitions} partitions, rf ${d.replicationFactor}, ${configs}`;
    lines.push(`  ${LABEL[t.action].padEnd(12)} ${d.topic.padEnd(width)}  ${have}`);
    for (const a of t.applied) lines.push(`      ${t.action === 'would-fix' || result.dryRun ? 'would change' : 'changed'}: ${a}`);
    for (const diff of t.differences) {
      lines.push(`      ${diff.field}: want ${diff.want}, have ${diff.have}${diff.fixable ? ' (run with --fix)' : ''}${diff.note ? ` — ${diff.note}` : ''}`);
    }
    for (const note of t.notes) lines.push(`      note: ${note}`);
  }
  const unverified = result.topics.filter((t) => t.unverified.length);
  if (unverified.length) {
    lines.push(`configs of the ${unverified.length} existing topic(s) not verified (they could not be read with these Kafka settings; see the warning on stderr); check with:`);
    lines.push(`  ${configCheckHint(brokers, unverified[0]!.desired.topic)}`);
  }
  if (result.mismatches) lines.push(`${result.mismatches} topic(s) differ from the plan${result.topics.some((t) => t.differences.some((d) => d.fixable)) ? '; --fix adds missing partitions and sets configs' : ''}`);
  return `${lines.join('\n')}\n`;
}

/** The existing topic's values of the configs kscrape manages (as of the last read), when they could be read. */
function existingConfigs(t: TopicOutcome): string {
  const have = t.existing?.configs;
  if (!have) return '';
  const shown = Object.keys(t.desired.configs).filter((k) => have[k] !== undefined).map((k) => `${k}=${showConfig(k, have[k]!)}`);
  return shown.length ? `, ${shown.join(' ')}` : '';
}
