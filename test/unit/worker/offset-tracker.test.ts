import { describe, expect, test } from '@jest/globals';
import { OffsetTracker, PartitionOffsets } from '../../../src/worker/offset-tracker.js';

describe('PartitionOffsets', () => {
  test('the commit position is the lowest unfinished offset, whatever order they finish in', () => {
    const p = new PartitionOffsets();
    for (const o of [10, 11, 12, 13]) expect(p.track(o)).toBe(true);
    expect(p.commitPosition()).toBe(10);
    p.finish(12);
    p.finish(11);
    expect(p.commitPosition()).toBe(10);
    p.finish(10);
    expect(p.commitPosition()).toBe(13);
    p.finish(13);
    expect(p.commitPosition()).toBe(14);
    expect(p.pending()).toBe(0);
  });

  test('gaps in offsets (compaction, transaction markers) do not hold the position back', () => {
    const p = new PartitionOffsets();
    p.track(5);
    p.track(9);
    p.finish(5);
    expect(p.commitPosition()).toBe(9);
    p.finish(9);
    expect(p.commitPosition()).toBe(10);
  });

  test('redelivered offsets are refused, so a seek-back does not duplicate work', () => {
    const p = new PartitionOffsets();
    p.track(0);
    p.track(1);
    expect(p.track(1)).toBe(false);
    expect(p.track(0)).toBe(false);
    expect(p.track(2)).toBe(true);
    expect(p.pending()).toBe(3);
  });

  test('many messages: memory is compacted and the position stays right', () => {
    const p = new PartitionOffsets();
    for (let o = 0; o < 10_000; o++) p.track(o);
    for (let o = 9_999; o >= 1; o--) p.finish(o);
    expect(p.commitPosition()).toBe(0);
    p.finish(0);
    expect(p.commitPosition()).toBe(10_000);
  });
});

describe('OffsetTracker', () => {
  test('reports only partitions whose position moved since the last commit', () => {
    const t = new OffsetTracker();
    t.assign(0).track(0);
    t.assign(1).track(7);
    expect(t.commitable()).toEqual([{ partition: 0, offset: 0 }, { partition: 1, offset: 7 }]);
    t.markCommitted(t.commitable());
    expect(t.commitable()).toEqual([]);
    t.get(1)!.finish(7);
    expect(t.commitable()).toEqual([{ partition: 1, offset: 8 }]);
    t.revoke(1);
    expect(t.commitable()).toEqual([]);
    expect(t.partitionIds()).toEqual([0]);
  });

  test('assign starts a partition afresh: a previous ownership does not refuse the redelivered messages', () => {
    const t = new OffsetTracker();
    t.assign(3).track(20);
    const again = t.assign(3);
    expect(again.track(0)).toBe(true);
    expect(t.commitable()).toEqual([{ partition: 3, offset: 0 }]);
  });
});
