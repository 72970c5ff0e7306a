import { describe, expect, test } from '@jest/globals';
import { DirectCopyPolicy, MAX_SKIPPED_BATCHES } from '../../../src/sink/direct-copy.js';

/** The answers of tryDirect for the partition's next n batches. */
const next = (policy: DirectCopyPolicy, partition: number, n: number) => Array.from({ length: n }, () => policy.tryDirect(partition));

describe('when the upsert tries the direct COPY', () => {
  test('every batch while the direct COPY stores them', () => {
    const policy = new DirectCopyPolicy();
    expect(next(policy, 0, 3)).toEqual([true, true, true]);
    policy.stored(0);
    expect(next(policy, 0, 2)).toEqual([true, true]);
  });

  test('after a conflict the partition skips 1, 2, 4 … batches, up to the cap; other partitions are not affected', () => {
    const policy = new DirectCopyPolicy();
    const skipped: number[] = [];
    for (let conflict = 0; conflict < 9; conflict++) {
      policy.conflicted(3);
      let n = 0;
      while (!policy.tryDirect(3)) n++;
      skipped.push(n);
    }
    expect(skipped).toEqual([1, 2, 4, 8, 16, 32, MAX_SKIPPED_BATCHES, MAX_SKIPPED_BATCHES, MAX_SKIPPED_BATCHES]);
    expect(next(policy, 4, 2)).toEqual([true, true]);
  });

  test('one direct success brings the partition back to trying every batch', () => {
    const policy = new DirectCopyPolicy();
    policy.conflicted(1);
    policy.conflicted(1);
    policy.stored(1);
    expect(next(policy, 1, 3)).toEqual([true, true, true]);
    policy.conflicted(1);
    expect(next(policy, 1, 2)).toEqual([false, true]);
  });
});
