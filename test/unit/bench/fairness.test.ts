import { describe, expect, it } from '@jest/globals';
import { analyzeRun, percentile, politeness, type Arrival, type ProducedUrl } from '../../../bench/fairness/analysis.js';
import { cdfPoints, formatMs, renderCdfSvg } from '../../../bench/fairness/svg-cdf.js';
import { bigHostNames, generateWorkload, warmupHostNames } from '../../../bench/fairness/workload.js';
import { hostPartition } from '../../../src/partition/partitioner.js';

describe('fairness workload', () => {
  const spec = { hosts: 500, bigHosts: 3, bigShare: 0.4, urls: 2000, partitions: 12, domain: 'fair.test' };

  it('gives the big hosts their share and every small host at least one URL', () => {
    const w = generateWorkload(spec);
    expect(w.urls).toHaveLength(2000);
    expect(w.urls.filter((u) => u.big)).toHaveLength(800);
    const perHost = new Map<string, number>();
    for (const u of w.urls) perHost.set(u.host, (perHost.get(u.host) ?? 0) + 1);
    expect(perHost.size).toBe(500);
    const small = [...perHost].filter(([h]) => !w.big.has(h)).map(([, n]) => n).sort((a, b) => b - a);
    expect(small.at(-1)).toBe(1);
    expect(small[0]!).toBeGreaterThan(20); // a long tail: the first small host far above the last
    expect(new Set(w.urls.map((u) => `${u.host}${u.path}`)).size).toBe(2000);
  });

  it('is deterministic and shuffled', () => {
    const a = generateWorkload(spec);
    expect(generateWorkload(spec).urls).toEqual(a.urls);
    expect(a.urls.slice(0, 50).some((u) => !u.big)).toBe(true);
    expect(a.urls.slice(0, 50).some((u) => u.big)).toBe(true);
  });

  it('puts the big hosts on different partitions', () => {
    const names = bigHostNames({ bigHosts: 3, partitions: 12, domain: 'fair.test' });
    expect(new Set(names.map((n) => hostPartition(n, 12))).size).toBe(3);
  });

  it('names warm-up hosts that cover every partition once', () => {
    const names = warmupHostNames(12, 'fair.test');
    expect(names).toHaveLength(12);
    expect(new Set(names.map((n) => hostPartition(n, 12))).size).toBe(12);
  });

  it('refuses a workload too small for its hosts', () => {
    expect(() => generateWorkload({ ...spec, urls: 600 })).toThrow(/cannot cover/);
  });
});

describe('fairness analysis', () => {
  it('takes nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('counts short gaps per host, with and without the noise allowance', () => {
    const arrivals: Arrival[] = [
      { host: 'a', path: '/1', at: 0 }, { host: 'a', path: '/2', at: 95 }, { host: 'a', path: '/3', at: 180 },
      { host: 'b', path: '/1', at: 10 }, { host: 'b', path: '/2', at: 20 },
    ];
    const p = politeness(arrivals, 100);
    expect(p.strict).toBe(3); // 95, 85 and 10
    expect(p.violations).toBe(2); // 85 and 10 are under 90
    expect(p.minGapMs).toBe(10);
  });

  it('measures the busiest second against what the interval allows', () => {
    const even = Array.from({ length: 30 }, (_, i) => ({ host: 'a', path: `/${i}`, at: i * 100 }));
    expect(politeness(even, 100).busiestSecondRatio).toBe(10 / 11);
    const doubled = Array.from({ length: 30 }, (_, i) => ({ host: 'a', path: `/${i}`, at: i * 50 }));
    expect(politeness(doubled, 100).busiestSecondRatio).toBe(20 / 11);
  });

  it('splits latency by host class, counts missing and repeated URLs and rates', () => {
    const produced: ProducedUrl[] = [
      { host: 'big', path: '/1', big: true, discoveredAt: 0 },
      { host: 'big', path: '/2', big: true, discoveredAt: 0 },
      { host: 'big', path: '/3', big: true, discoveredAt: 0 },
      { host: 's1', path: '/1', big: false, discoveredAt: 100 },
      { host: 's2', path: '/1', big: false, discoveredAt: 100 },
    ];
    const arrivals: Arrival[] = [
      { host: 'big', path: '/1', at: 1000 }, { host: 'big', path: '/2', at: 2000 }, { host: 'big', path: '/3', at: 3000 },
      { host: 's1', path: '/1', at: 400 }, { host: 's1', path: '/1', at: 900 },
    ];
    const f = analyzeRun(produced, arrivals, 100);
    expect(f.missing).toBe(1);
    expect(f.repeats).toBe(1);
    expect(f.small.count).toBe(1);
    expect(f.small.p99).toBe(300);
    expect(f.big.p50).toBe(2000);
    expect(f.bigPagesPerSecond).toBeCloseTo(1);
    expect(f.pagesPerSecond).toBeCloseTo(3 / 2.6);
  });
});

describe('CDF svg', () => {
  it('samples at most the requested points, ending at 100 %', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => i);
    const pts = cdfPoints(values, 100);
    expect(pts.length).toBeLessThanOrEqual(101);
    expect(pts.at(-1)).toEqual({ ms: 9999, fraction: 1 });
  });

  it('renders a well-formed document with one path per series and escaped labels', () => {
    const svg = renderCdfSvg({ title: 'a < b', series: [
      { label: 'one\np99 1 s', color: '#f00', sortedMs: [5, 50, 500] },
      { label: 'two & more', color: '#00f', sortedMs: [1000, 2000], dashed: true },
    ] });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('a &lt; b');
    expect(svg).toContain('two &amp; more');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('formats durations for axis labels', () => {
    expect(formatMs(10)).toBe('10 ms');
    expect(formatMs(1000)).toBe('1 s');
    expect(formatMs(100_000)).toBe('100 s');
    expect(formatMs(1_200_000)).toBe('20 min');
  });
});
