/** The politeness analysis of `npm run bench -- work`: window, achieved fraction and violations. */
import { describe, expect, test } from '@jest/globals';
import { arrivalRate, politenessReport } from '../../../bench/_work-analysis.js';

/** A host visited every `gap` ms from `start`, `n` times. */
const every = (start: number, gap: number, n: number) => Array.from({ length: n }, (_, i) => start + i * gap);

describe('politenessReport', () => {
  test('hosts at exactly the allowed rate: fraction 1, no violations; the window skips start-up and the tail', () => {
    const r = politenessReport({ a: every(0, 200, 101), b: every(1_000, 200, 101) }, 200);
    // b starts last (1000) → window from 1200; a ends first (20 000).
    expect(r.window).toEqual({ start: 1_200, end: 20_000, seconds: 18.8 });
    expect(r.fraction).toBeCloseTo(1, 1);
    expect([r.strict, r.beyondNoise, r.minGapMs]).toEqual([0, 0, 200]);
  });

  test('a host at half the rate halves its share', () => {
    const r = politenessReport({ a: every(0, 200, 101), b: every(0, 400, 60) }, 200);
    expect(r.fraction).toBeCloseTo(0.75, 1);
  });

  test('gaps under the interval count as strict; under 90 % of it also beyond the noise allowance', () => {
    const r = politenessReport({ a: [0, 199.5, 399.5, 579.5, 779.5, 900] }, 200);
    expect([r.strict, r.strictUnder1Ms, r.strictUnder5Ms, r.beyondNoise]).toEqual([3, 1, 1, 1]);
    expect(r.minGapMs).toBeCloseTo(120.5);
  });

  test('no arrivals is an error, not a fraction of 0', () => {
    expect(() => politenessReport({ a: [] }, 200)).toThrow('no arrivals');
  });
});

test('arrivalRate: requests per second between the first and the last arrival', () => {
  expect(arrivalRate({ a: every(0, 10, 51), b: every(5, 10, 50) })).toEqual({ count: 101, seconds: 0.5, perSecond: 200 });
});
