import { describe, expect, test } from '@jest/globals';
import { estimateLiveWorkers } from '../../../src/worker/live-workers.js';

/** The assignment sizes of N members sharing P partitions evenly (as cooperative-sticky does). */
function balanced(p: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.floor(p / n) + (i < p % n ? 1 : 0));
}

describe('estimateLiveWorkers', () => {
  test('never below the real number of members that hold partitions, and never above the partition count', () => {
    for (const p of [1, 3, 5, 10, 20, 50, 200]) {
      for (let n = 1; n <= p; n++) {
        for (const a of new Set(balanced(p, n))) {
          const estimate = estimateLiveWorkers(p, a);
          expect([p, n, a, estimate >= n]).toEqual([p, n, a, true]);
          expect(estimate).toBeLessThanOrEqual(p);
        }
      }
    }
  });

  test('exact for few large assignments, loose (but safe) for small ones', () => {
    expect(estimateLiveWorkers(50, 17)).toBe(3); // 3 members: 17, 17, 16
    expect(estimateLiveWorkers(50, 16)).toBe(3);
    expect(estimateLiveWorkers(50, 2)).toBe(49); // 25 to 49 members could hold 2 each
    expect(estimateLiveWorkers(10, 2)).toBe(9);
  });

  test('one partition or none yet: assume the worst (one member per partition)', () => {
    expect(estimateLiveWorkers(50, 0)).toBe(50);
    expect(estimateLiveWorkers(50, 1)).toBe(50);
    expect(estimateLiveWorkers(0, 0)).toBe(1);
  });
});
