/**
 * The cluster health model behind `kscrape check`, pure: a snapshot of the cluster in, one verdict out, with the
 * exit codes of `kscrape lag` (0 OK, 1 WARN, 2 CRITICAL, 3 UNKNOWN; the worst finding wins, CRITICAL > UNKNOWN >
 * WARN > OK). This is the reference guide's "broker health" and "under-replicated partitions" alert.
 *
 * - CRITICAL: a partition has no leader (offline: nothing can be read or written there), a partition has fewer
 *   in-sync replicas than its min.insync.replicas (acks=all writes to it fail: produce stops), no controller, or
 *   none of the listed brokers answered.
 * - WARN: a broker is missing (its id holds replicas but the metadata no longer lists it: dead or fenced), a listed
 *   broker does not answer, or a partition is under-replicated (a copy is missing or behind, but writes go on).
 * - UNKNOWN: something the verdict needs could not be read (the controller id, a topic's min ISR while some of its
 *   partitions are under-replicated: whether writes still succeed is then not known).
 */
import { LAG_EXIT_NAMES, LagExit, worst, type LagExitCode } from '../lag/thresholds.js';
import { replicaHealth, type ReplicaHealth } from '../topics/replica-health.js';
import type { PartitionReplicas } from '../topics/plan.js';

export interface BrokerProbe {
  id: number;
  address: string;
  /** Answered a metadata request sent to it alone within the timeout. null: not probed. */
  answered: boolean | null;
  ms?: number;
  error?: string;
}

export interface TopicSnapshot {
  topic: string;
  partitions: PartitionReplicas[];
  /** Effective min.insync.replicas; null when it could not be read. */
  minInsyncReplicas: number | null;
}

export interface ClusterSnapshot {
  /** Brokers the metadata lists (registered and not fenced), with their probe results. */
  brokers: BrokerProbe[];
  /** The controller id the metadata names; -1: none; null: not readable. */
  controllerId: number | null;
  topics: TopicSnapshot[];
}

export interface TopicHealth extends ReplicaHealth {
  topic: string;
  partitions: number;
  replicationFactor: number;
  minInsyncReplicas: number | null;
}

export interface ClusterHealth {
  code: LagExitCode;
  status: string;
  /** One line per finding (the table's footer; stderr-ready). */
  reasons: string[];
  brokers: BrokerProbe[];
  /** Broker ids that hold replicas but that the metadata does not list. */
  missingBrokers: number[];
  controllerId: number | null;
  topics: TopicHealth[];
}

export function evaluateCluster(snap: ClusterSnapshot): ClusterHealth {
  let code: LagExitCode = LagExit.ok;
  const reasons: string[] = [];
  const flag = (c: LagExitCode, why: string) => { code = worst(code, c); reasons.push(`${LAG_EXIT_NAMES[c]} ${why}`); };

  const listed = new Set(snap.brokers.map((b) => b.id));
  const referenced = new Set(snap.topics.flatMap((t) => t.partitions.flatMap((p) => p.replicas)));
  const missingBrokers = [...referenced].filter((id) => !listed.has(id)).sort((a, b) => a - b);
  for (const id of missingBrokers) flag(LagExit.warn, `broker ${id} holds replicas but the cluster does not list it (down or fenced)`);
  const silent = snap.brokers.filter((b) => b.answered === false);
  if (snap.brokers.length > 0 && silent.length === snap.brokers.length) flag(LagExit.critical, 'no listed broker answered');
  else for (const b of silent) flag(LagExit.warn, `broker ${b.id} (${b.address}) is listed but did not answer${b.error ? `: ${b.error}` : ''}`);

  if (snap.controllerId === null) flag(LagExit.unknown, 'the controller could not be read');
  else if (snap.controllerId < 0) flag(LagExit.critical, 'the cluster has no active controller');

  const topics: TopicHealth[] = snap.topics.map((t) => {
    const h = replicaHealth(t.partitions, t.minInsyncReplicas);
    const list = (ps: number[]) => (ps.length > 8 ? `${ps.slice(0, 8).join(', ')}, … (${ps.length})` : ps.join(', '));
    if (h.offline.length) flag(LagExit.critical, `${t.topic}: ${h.offline.length} offline partition(s) (no leader): ${list(h.offline)}`);
    if (h.underMinIsr.length) flag(LagExit.critical, `${t.topic}: ${h.underMinIsr.length} partition(s) under min ISR ${t.minInsyncReplicas} (acks=all writes fail): ${list(h.underMinIsr)}`);
    if (h.underReplicated.length) {
      flag(LagExit.warn, `${t.topic}: ${h.underReplicated.length} under-replicated partition(s): ${list(h.underReplicated)}`);
      if (t.minInsyncReplicas === null) flag(LagExit.unknown, `${t.topic}: min.insync.replicas could not be read, so whether writes still succeed is not known`);
    }
    return {
      topic: t.topic, partitions: t.partitions.length, replicationFactor: Math.max(0, ...t.partitions.map((p) => p.replicas.length)),
      minInsyncReplicas: t.minInsyncReplicas, ...h,
    };
  });
  return { code, status: LAG_EXIT_NAMES[code], reasons, brokers: snap.brokers, missingBrokers, controllerId: snap.controllerId, topics };
}
