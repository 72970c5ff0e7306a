import { describe, expect, test } from '@jest/globals';
import { partitionsWithLag } from '../../../src/worker/group-drained.js';

const snapshot = (high: [number, number][], committed: [number, number][]) => ({ high: new Map(high), committed: new Map(committed) });

describe('partitionsWithLag (the --idle-exit guard)', () => {
  test('a group is drained when every partition is committed up to its log end', () => {
    expect(partitionsWithLag(snapshot([[0, 10], [1, 5]], [[0, 10], [1, 5]]))).toEqual([]);
  });

  test('a partition committed below its log end, or never committed, has lag', () => {
    expect(partitionsWithLag(snapshot([[0, 10], [1, 5], [2, 7]], [[0, 9], [1, 5]]))).toEqual([0, 2]);
  });

  test('an empty partition needs no commit; a missing or invalid (-1001) commit on a non-empty one is lag', () => {
    expect(partitionsWithLag(snapshot([[0, 0], [3, 4]], [[3, -1001]]))).toEqual([3]);
  });
});
