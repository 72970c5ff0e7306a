import { describe, expect, test } from '@jest/globals';
import { partitionStatus, rates, SampleWindows, type LagSample } from '../../../src/lag/partition-status.js';

/** Samples 10 s apart from [committed, logEnd] pairs. */
const w = (...pairs: [number, number][]): LagSample[] => pairs.map(([committed, logEnd], i) => ({ at: i * 10_000, committed, logEnd }));

describe('Burrow-style partition status', () => {
  test('OK when lag was zero at any point of the window', () => {
    expect(partitionStatus(w([10, 20], [20, 20], [20, 30]), true)).toBe('OK');
  });

  test('OK when offsets move and the lag goes down', () => {
    expect(partitionStatus(w([0, 100], [30, 110], [60, 115]), true)).toBe('OK');
  });

  test('WARN when offsets move but the lag grows in every interval', () => {
    expect(partitionStatus(w([0, 100], [10, 120], [20, 140]), true)).toBe('WARN');
  });

  test('WARN when the committed offset goes backwards (rewind)', () => {
    expect(partitionStatus(w([50, 100], [20, 100], [30, 100]), true)).toBe('WARN');
  });

  test('STALL: an owner, lag never zero, committed offset not moving', () => {
    expect(partitionStatus(w([5, 100], [5, 100], [5, 130]), true)).toBe('STALL');
  });

  test('STOP: no owner, lag never zero, committed offset not moving', () => {
    expect(partitionStatus(w([5, 100], [5, 100]), false)).toBe('STOP');
  });

  test('one lagging sample is not enough to judge; a caught-up one is', () => {
    expect(partitionStatus(w([5, 100]), true)).toBe('…');
    expect(partitionStatus(w([100, 100]), true)).toBe('OK');
  });
});

describe('rates', () => {
  test('consumed/s and produced/s over the window; time to catch up at the net rate', () => {
    const r = rates(w([0, 100], [30, 110], [60, 120]));
    expect(r.consumedPerSec).toBeCloseTo(3);
    expect(r.producedPerSec).toBeCloseTo(1);
    expect(r.catchUpMs).toBeCloseTo((60 / 2) * 1000);
  });

  test('falling behind: no catch-up time (null = never)', () => {
    expect(rates(w([0, 100], [10, 150])).catchUpMs).toBeNull();
  });

  test('caught up: catch-up 0; a single lagging sample: unknown', () => {
    expect(rates(w([100, 100])).catchUpMs).toBe(0);
    expect(rates(w([10, 100]))).toEqual({ consumedPerSec: null, producedPerSec: null, catchUpMs: null });
  });

  test('windows keep the last n samples per key', () => {
    const windows = new SampleWindows(2);
    windows.add('a', { at: 1, committed: 1, logEnd: 1 });
    windows.add('a', { at: 2, committed: 2, logEnd: 2 });
    expect(windows.add('a', { at: 3, committed: 3, logEnd: 3 }).map((s) => s.at)).toEqual([2, 3]);
    expect(windows.get('b')).toEqual([]);
  });
});
