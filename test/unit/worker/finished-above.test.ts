import { describe, expect, test } from '@jest/globals';
import { decodeFinishedAbove, encodeFinishedAbove } from '../../../src/worker/finished-above.js';

describe('hand-over notes: finished offsets above the commit position', () => {
  test('round trip: ranges and single offsets, relative to the position', () => {
    const finished = [101, 102, 103, 107, 200, 201, 5_000];
    const note = encodeFinishedAbove(100, finished);
    expect(note).toBe('kf1:2s:1.3,3.1,2k.2,3pa.1');
    expect([...decodeFinishedAbove(note, 100)].sort((a, b) => a - b)).toEqual(finished);
  });

  test('nothing finished above: a note with no ranges, which skips nothing', () => {
    expect(encodeFinishedAbove(7, [])).toBe('kf1:7:');
    expect(decodeFinishedAbove('kf1:7:', 7).size).toBe(0);
  });

  test('a note for another position, another writer or garbage skips nothing', () => {
    const note = encodeFinishedAbove(100, [101, 102]);
    expect(decodeFinishedAbove(note, 99).size).toBe(0);
    expect(decodeFinishedAbove('written by someone else', 100).size).toBe(0);
    expect(decodeFinishedAbove(null, 100).size).toBe(0);
    expect(decodeFinishedAbove('kf1:2s:1.!', 100).size).toBe(0);
    expect(decodeFinishedAbove('kf1:2s:1.3,2', 100).size).toBe(0);
    expect(decodeFinishedAbove('kf1:2s:1.-3', 100).size).toBe(0);
  });

  test('cut to the length limit by leaving out the highest offsets: fewer skipped, never a wrong one', () => {
    const finished = Array.from({ length: 2_000 }, (_, i) => 1_000 + 2 * i + 1); // no two adjacent: one range each
    const note = encodeFinishedAbove(1_000, finished, 200);
    expect(note.length).toBeLessThanOrEqual(200);
    const skipped = [...decodeFinishedAbove(note, 1_000)].sort((a, b) => a - b);
    expect(skipped.length).toBeGreaterThan(10);
    expect(skipped).toEqual(finished.slice(0, skipped.length));
  });
});
