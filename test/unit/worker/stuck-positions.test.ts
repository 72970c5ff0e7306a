import { describe, expect, test } from '@jest/globals';
import { OffsetTracker } from '../../../src/worker/offset-tracker.js';
import { stuckPositions } from '../../../src/worker/stuck-positions.js';

const AFTER = 30_000;

describe('stuck commit positions', () => {
  test('the tracker stamps when a position last moved', () => {
    const tracker = new OffsetTracker();
    const p = tracker.assign(3);
    p.track(10, 1_000);
    p.track(11, 2_000);
    expect(tracker.positions()).toEqual([{ partition: 3, position: 10, committed: undefined, pending: 2, since: 1_000 }]);
    p.finish(11, 5_000); // the head (10) is still unfinished: the position does not move
    expect(tracker.positions()[0]!.since).toBe(1_000);
    p.finish(10, 6_000);
    expect(tracker.positions()[0]).toMatchObject({ position: 12, pending: 0, since: 6_000 });
  });

  test('an unfinished head is reported only when nothing is queued or fetching (it waits for a delivery report)', () => {
    const tracker = new OffsetTracker();
    tracker.assign(0).track(5, 0);
    const states = tracker.positions();
    expect(stuckPositions(states, AFTER - 1, AFTER, true)).toEqual([]);
    expect(stuckPositions(states, AFTER, AFTER, false)).toEqual([]);
    const [stuck] = stuckPositions(states, AFTER, AFTER, true);
    expect(stuck!.key).toBe('0@5:pending');
    expect(stuck!.line).toMatch(/^partition 0: offset 5 unfinished for 30 s with nothing queued or fetching/);
  });

  test('a finished position the coordinator has not confirmed is reported; a confirmed one is not', () => {
    const tracker = new OffsetTracker();
    const p = tracker.assign(1);
    p.track(7, 0);
    p.finish(7, 0);
    expect(stuckPositions(tracker.positions(), AFTER, AFTER, false).map((s) => s.key)).toEqual(['1@8:commit']);
    tracker.markCommitted([{ partition: 1, offset: 8 }]);
    expect(stuckPositions(tracker.positions(), 10 * AFTER, AFTER, true)).toEqual([]);
  });
});
