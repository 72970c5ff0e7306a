import { describe, expect, test } from '@jest/globals';
import { describeReplicaHealth, replicaHealth } from '../../../src/topics/replica-health.js';

describe('replicaHealth', () => {
  const p = (partition: number, leader: number, replicas: number[], isr: number[]) => ({ partition, leader, replicas, isr });

  test('a fully replicated topic is healthy', () => {
    const h = replicaHealth([p(0, 1, [1, 2, 3], [1, 2, 3]), p(1, 2, [2, 3, 1], [2, 3, 1])], 2);
    expect(h).toEqual({ offline: [], underReplicated: [], underMinIsr: [] });
    expect(describeReplicaHealth(h)).toBe('');
  });

  test('one broker down: under-replicated but not under min ISR 2; two down: under min ISR; no leader: offline', () => {
    const h = replicaHealth([
      p(0, 1, [1, 2, 3], [1, 2]),
      p(1, 1, [2, 3, 1], [1]),
      p(2, -1, [3, 2, 1], []),
      p(3, 2, [1, 2, 3], [1, 2, 3]),
    ], 2);
    expect(h).toEqual({ offline: [2], underReplicated: [0, 1, 2], underMinIsr: [1, 2] });
    expect(describeReplicaHealth(h)).toBe('1 offline, 3 under-replicated, 2 under min ISR');
  });

  test('unknown min ISR: nothing is judged under it', () => {
    expect(replicaHealth([p(0, 1, [1, 2, 3], [1])], null).underMinIsr).toEqual([]);
  });
});
