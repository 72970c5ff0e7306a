/** Text for `kscrape check`: brokers, controller, topics' replication state, then one line per finding. Pure. */
import Table from 'cli-table3';
import type { ClusterHealth } from './health.js';

function grid(head: string[], rows: string[][], tty: boolean): string {
  if (!tty) return `${[head, ...rows].map((r) => r.join('\t')).join('\n')}\n`;
  const table = new Table({ head, style: { head: [], border: [] } });
  table.push(...rows);
  return `${table.toString()}\n`;
}

export function renderClusterHealth(h: ClusterHealth, tty: boolean): string {
  const brokerRows = [
    ...h.brokers.map((b) => [String(b.id), b.address, b.answered === null ? 'not probed' : b.answered ? `yes (${b.ms ?? 0} ms)` : `NO${b.error ? ` (${b.error})` : ''}`]),
    ...h.missingBrokers.map((id) => [String(id), '-', 'MISSING (holds replicas, not listed)']),
  ];
  const topicRows = h.topics.map((t) => [t.topic, String(t.partitions), String(t.replicationFactor), t.minInsyncReplicas === null ? 'n/a' : String(t.minInsyncReplicas),
    String(t.offline.length), String(t.underReplicated.length), String(t.underMinIsr.length)]);
  const controller = h.controllerId === null ? 'not readable' : h.controllerId < 0 ? 'NONE' : `broker ${h.controllerId}`;
  return [
    `cluster ${h.status}: ${h.brokers.length} broker(s) listed, controller ${controller}\n`,
    grid(['broker', 'address', 'answers'], brokerRows, tty),
    h.topics.length ? grid(['topic', 'partitions', 'replication', 'min ISR', 'offline', 'under-replicated', 'under min ISR'], topicRows, tty) : 'no topics in scope\n',
    ...h.reasons.map((r) => `${r}\n`),
  ].join('');
}
