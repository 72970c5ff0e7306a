import { describe, expect, test } from '@jest/globals';
import { evaluateCluster, type ClusterSnapshot } from '../../../src/cluster/health.js';
import { renderClusterHealth } from '../../../src/cluster/render.js';

const brokers = (ids: number[], answered: boolean | null = true) => ids.map((id) => ({ id, address: `127.0.0.1:${9000 + id}`, answered, ms: 2 }));
const full = (partition: number, leader: number) => ({ partition, leader, replicas: [1, 2, 3], isr: [1, 2, 3] });
const snapshot = (over: Partial<ClusterSnapshot> = {}): ClusterSnapshot => ({
  brokers: brokers([1, 2, 3]), controllerId: 1,
  topics: [{ topic: 'urls', minInsyncReplicas: 2, partitions: [full(0, 1), full(1, 2), full(2, 3)] }],
  ...over,
});

describe('evaluateCluster', () => {
  test('every broker answers, every partition fully in sync: OK (exit 0)', () => {
    const h = evaluateCluster(snapshot());
    expect([h.code, h.status, h.reasons]).toEqual([0, 'OK', []]);
    expect(h.topics[0]).toMatchObject({ topic: 'urls', partitions: 3, replicationFactor: 3, minInsyncReplicas: 2, offline: [], underReplicated: [] });
  });

  test('a killed broker, fenced: missing from the list, its partitions under-replicated: WARN (exit 1)', () => {
    const h = evaluateCluster(snapshot({
      brokers: brokers([1, 2]),
      topics: [{ topic: 'urls', minInsyncReplicas: 2, partitions: [
        { partition: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 2] }, { partition: 1, leader: 2, replicas: [3, 2, 1], isr: [2, 1] }, full(2, 1),
      ] }],
    }));
    expect(h.code).toBe(1);
    expect(h.missingBrokers).toEqual([3]);
    expect(h.reasons).toEqual([
      'WARN broker 3 holds replicas but the cluster does not list it (down or fenced)',
      'WARN urls: 2 under-replicated partition(s): 0, 1',
    ]);
  });

  test('two brokers down: partitions under min ISR and without a leader are CRITICAL (exit 2)', () => {
    const h = evaluateCluster(snapshot({
      brokers: brokers([1]),
      topics: [{ topic: 'urls', minInsyncReplicas: 2, partitions: [
        { partition: 0, leader: 1, replicas: [1, 2, 3], isr: [1] }, { partition: 1, leader: -1, replicas: [2, 3, 1], isr: [2] },
      ] }],
    }));
    expect(h.code).toBe(2);
    expect(h.reasons).toContain('CRITICAL urls: 1 offline partition(s) (no leader): 1');
    expect(h.reasons).toContain('CRITICAL urls: 2 partition(s) under min ISR 2 (acks=all writes fail): 0, 1');
  });

  test('a listed broker that does not answer (frozen) is WARN; none answering is CRITICAL; no controller is CRITICAL', () => {
    const frozen = evaluateCluster(snapshot({ brokers: [...brokers([1, 2]), { id: 3, address: '127.0.0.1:9003', answered: false, error: 'timed out' }] }));
    expect(frozen.code).toBe(1);
    expect(frozen.reasons).toEqual(['WARN broker 3 (127.0.0.1:9003) is listed but did not answer: timed out']);
    expect(evaluateCluster(snapshot({ brokers: brokers([1, 2, 3], false) })).code).toBe(2);
    expect(evaluateCluster(snapshot({ controllerId: -1 })).reasons).toEqual(['CRITICAL the cluster has no active controller']);
  });

  test('unreadable figures are UNKNOWN (exit 3), never OK; a known emergency still wins', () => {
    expect(evaluateCluster(snapshot({ controllerId: null })).code).toBe(3);
    const noMinIsr = evaluateCluster(snapshot({ topics: [{ topic: 'urls', minInsyncReplicas: null, partitions: [{ partition: 0, leader: 1, replicas: [1, 2, 3], isr: [1] }] }] }));
    expect(noMinIsr.code).toBe(3);
    const offlineToo = evaluateCluster(snapshot({ controllerId: null, topics: [{ topic: 'urls', minInsyncReplicas: 2, partitions: [{ partition: 0, leader: -1, replicas: [1, 2, 3], isr: [] }] }] }));
    expect(offlineToo.code).toBe(2);
    // Not probed (settings the probe client cannot use) is not a finding.
    expect(evaluateCluster(snapshot({ brokers: brokers([1, 2, 3], null) })).code).toBe(0);
  });

  test('the table names the status, each broker and each topic, then the findings', () => {
    const text = renderClusterHealth(evaluateCluster(snapshot({ brokers: brokers([1, 2]) , topics: [{ topic: 'urls', minInsyncReplicas: 2, partitions: [{ partition: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 2] }] }] })), false);
    expect(text.split('\n')).toEqual([
      'cluster WARN: 2 broker(s) listed, controller broker 1',
      'broker\taddress\tanswers',
      '1\t127.0.0.1:9001\tyes (2 ms)',
      '2\t127.0.0.1:9002\tyes (2 ms)',
      '3\t-\tMISSING (holds replicas, not listed)',
      'topic\tpartitions\treplication\tmin ISR\toffline\tunder-replicated\tunder min ISR',
      'urls\t1\t3\t2\t0\t1\t0',
      'WARN broker 3 holds replicas but the cluster does not list it (down or fenced)',
      'WARN urls: 1 under-replicated partition(s): 0',
      '',
    ]);
  });
});
