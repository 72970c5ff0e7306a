/**
 * The replication state of a topic's partitions, pure: which have no leader (offline: nobody can read or write
 * them), which have fewer in-sync replicas than replicas (under-replicated: a copy is missing or behind), and which
 * have fewer than min.insync.replicas (writes with acks=all fail with NOT_ENOUGH_REPLICAS until a copy catches up).
 * Used by `topics describe` and by `check`.
 */
import type { PartitionReplicas } from './plan.js';

export interface ReplicaHealth {
  /** Partitions with no leader (leader -1, or a leader outside the ISR). */
  offline: number[];
  /** Partitions whose ISR is smaller than the replica set. */
  underReplicated: number[];
  /** Partitions whose ISR is smaller than min.insync.replicas (empty when min ISR is unknown). */
  underMinIsr: number[];
}

export function replicaHealth(partitions: readonly PartitionReplicas[], minInsyncReplicas: number | null): ReplicaHealth {
  const offline: number[] = [];
  const underReplicated: number[] = [];
  const underMinIsr: number[] = [];
  for (const p of partitions) {
    if (p.leader < 0) offline.push(p.partition);
    if (p.isr.length < p.replicas.length) underReplicated.push(p.partition);
    if (minInsyncReplicas !== null && p.isr.length < minInsyncReplicas) underMinIsr.push(p.partition);
  }
  return { offline, underReplicated, underMinIsr };
}

/** `3 offline, 5 under-replicated (2 under min ISR)`, or '' when every partition is healthy. */
export function describeReplicaHealth(h: ReplicaHealth): string {
  const parts = [
    h.offline.length ? `${h.offline.length} offline` : '',
    h.underReplicated.length ? `${h.underReplicated.length} under-replicated` : '',
    h.underMinIsr.length ? `${h.underMinIsr.length} under min ISR` : '',
  ].filter(Boolean);
  return parts.join(', ');
}
