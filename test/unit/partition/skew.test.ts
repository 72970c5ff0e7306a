import { describe, expect, test } from '@jest/globals';
import { HOT_RATIO, countsByPartition, isHot, skewStats, topHosts } from '../../../src/partition/skew.js';
import { projectFair, recommend } from '../../../src/partition/recommend.js';
import { bandPartition, hostPartition } from '../../../src/partition/partitioner.js';

describe('skewStats', () => {
  test('even counts: skew 1, CV 0, nothing hot', () => {
    const s = skewStats([10, 10, 10, 10]);
    expect(s).toMatchObject({ partitions: 4, total: 40, mean: 10, min: 10, max: 10, skew: 1, cv: 0, hot: [], empty: 0 });
  });

  test('skew = max/mean, CV = population std dev / mean, hot = above 1.5× mean, busiest first', () => {
    // mean 10; std dev sqrt(((0)^2*... computed by hand: values 2, 4, 16, 18 → deviations -8,-6,6,8 → var 50
    const s = skewStats([2, 4, 16, 18]);
    expect(s.mean).toBe(10);
    expect(s.skew).toBeCloseTo(1.8);
    expect(s.cv).toBeCloseTo(Math.sqrt(50) / 10);
    expect(s.hot).toEqual([3, 2]);
    expect(skewStats([0, 0, 0, 40]).empty).toBe(3);
  });

  test('the hot rule: strictly above HOT_RATIO × mean, and at least one message above the mean', () => {
    expect(HOT_RATIO).toBe(1.5);
    expect(isHot(15, 10)).toBe(false);
    expect(isHot(16, 10)).toBe(true);
    // Tiny means: 1 message where the mean is 0.5 is not "hot".
    expect(isHot(1, 0.5)).toBe(false);
    expect(isHot(5, 0)).toBe(false);
  });

  test('empty input gives zeros, not NaN', () => {
    expect(skewStats([])).toMatchObject({ total: 0, skew: 0, cv: 0, hot: [] });
    expect(skewStats([0, 0])).toMatchObject({ total: 0, skew: 0, cv: 0, hot: [], empty: 2 });
  });

  test('topHosts sorts by count then name; countsByPartition sums hosts into their partition', () => {
    expect(topHosts([{ host: 'b', count: 2 }, { host: 'a', count: 2 }, { host: 'c', count: 5 }], 2)).toEqual([{ host: 'c', count: 5 }, { host: 'a', count: 2 }]);
    expect(countsByPartition(new Map([['a', 3], ['b', 4], ['c', 1]]), 2, (h) => (h === 'b' ? 1 : 0))).toEqual([4, 4]);
  });
});

/** Many small hosts, evenly spread, plus optional giants. */
function hosts(small: number, perSmall: number, giants: Record<string, number> = {}): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < small; i++) m.set(`site-${i}.example`, perSmall);
  for (const [h, c] of Object.entries(giants)) m.set(h, c);
  return m;
}

describe('recommend', () => {
  test('balanced data: keep the host partitioner', () => {
    const r = recommend(hosts(5000, 20), 50);
    expect(r.verdict).toBe('balanced');
    expect(r.fairThreshold).toBeNull();
    expect(r.summary).toMatch(/keep --partitioner host/);
  });

  test('one giant host: band it, with a threshold of half the mean and enough bands for its share', () => {
    const data = hosts(5000, 20, { 'giant.example': 100_000 });
    const r = recommend(data, 50);
    const mean = (5000 * 20 + 100_000) / 50; // 4000
    expect(r.verdict).toBe('band-hosts');
    expect(r.fairThreshold).toBe(mean / 2);
    // The home partition keeps the threshold plus one band's share, so the fewest bands without a hot partition is large.
    expect(r.projected!.hot).toEqual([]);
    expect(skewStats(projectFair(data, 50, r.fairThreshold!, r.fairBands! - 1)).hot.length).toBeGreaterThan(0);
    expect(r.bandHosts[0]).toEqual({ host: 'giant.example', count: 100_000, partition: hostPartition('giant.example', 50) });
    expect(r.bandHostCount).toBe(1);
    expect(r.projected!.skew).toBeLessThan(skewStats(countsByPartition(data, 50, (h) => hostPartition(h, 50))).skew);
    expect(r.summary).toContain(`--partitioner fair --fair-threshold 2000 --fair-bands ${r.fairBands}`);
    expect(r.notes.join(' ')).toMatch(/--redis/);
  });

  test('too few hosts for the partitions: says so, and says when banding would not help', () => {
    const r = recommend(hosts(3, 10), 50);
    expect(r.notes[0]).toMatch(/only 3 distinct hosts for 50 partitions/);
    expect(['fair-does-not-help', 'band-hosts']).toContain(r.verdict);
    expect(recommend(new Map(), 10).verdict).toBe('no-data');
  });

  test('projectFair keeps the threshold at home and spreads the excess over the bands', () => {
    const counts = projectFair(new Map([['big.example', 103], ['small.example', 5]]), 10, 10, 4);
    const home = hostPartition('big.example', 10);
    const bandTotals = [0, 1, 2, 3].map((b) => bandPartition('big.example', b, 10));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(108);
    // 93 excess over 4 bands: 24, 23, 23, 23; the home partition (band 0) also keeps the 10.
    expect(counts[home]).toBe(10 + 24 + (hostPartition('small.example', 10) === home ? 5 : 0));
    expect(bandTotals.slice(1).map((p) => counts[p]! - (hostPartition('small.example', 10) === p ? 5 : 0))).toEqual([23, 23, 23]);
  });
});
