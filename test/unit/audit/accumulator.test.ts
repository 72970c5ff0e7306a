import { describe, expect, test } from '@jest/globals';
import { AuditAccumulator } from '../../../src/audit/accumulator.js';
import { barOf, renderAudit } from '../../../src/audit/render.js';
import { FAIR_DEFAULTS, bandPartition, hostPartition } from '../../../src/partition/partitioner.js';

const DEFAULTS = { fairThreshold: FAIR_DEFAULTS.threshold, fairBands: FAIR_DEFAULTS.bands };

function feed(acc: AuditAccumulator, host: string, n: number): void {
  for (let i = 0; i < n; i++) acc.add({ host, url: `https://${host}/page/${i}` });
}

describe('AuditAccumulator', () => {
  test('host layout puts every URL of a host on its murmur2 partition; the report names hot partitions and their hosts', () => {
    const acc = new AuditAccumulator({ partitions: 8, ...DEFAULTS });
    for (let i = 0; i < 80; i++) feed(acc, `h${i}.example`, 5);
    feed(acc, 'giant.example', 600);
    const r = acc.report({ kind: 'urls', names: ['urls.txt'] });
    expect(r.urls).toBe(1000);
    expect(r.hosts).toBe(81);
    expect(r.host.counts.reduce((a, b) => a + b, 0)).toBe(1000);
    const giantHome = hostPartition('giant.example', 8);
    expect(r.host.stats.hot).toContain(giantHome);
    expect(r.host.hot.find((h) => h.partition === giantHome)!.topHosts[0]).toEqual({ host: 'giant.example', count: 600 });
    expect(r.topHosts[0]).toEqual({ host: 'giant.example', count: 600 });
    // Default threshold (100000) is far above 600: fair equals host here.
    expect(r.fair.counts).toEqual(r.host.counts);
    expect(r.recommendation.verdict).toBe('band-hosts');
    expect(r.observed).toBeUndefined();
  });

  test('fair layout: the first `threshold` URLs of a host stay home, the rest spread over `bands` partitions', () => {
    const acc = new AuditAccumulator({ partitions: 20, fairThreshold: 10, fairBands: 4 });
    feed(acc, 'giant.example', 400);
    const r = acc.report({ kind: 'urls', names: ['-'] });
    const bands = [0, 1, 2, 3].map((b) => bandPartition('giant.example', b, 20));
    const used = r.fair.counts.map((c, p) => (c > 0 ? p : -1)).filter((p) => p >= 0);
    expect(new Set(used)).toEqual(new Set(bands));
    expect(r.fair.counts.reduce((a, b) => a + b, 0)).toBe(400);
    expect(r.fair.stats.skew).toBeLessThan(r.host.stats.skew);
    expect(r.fair).toMatchObject({ threshold: 10, bands: 4 });
  });

  test('observed partitions (from a topic) are counted separately from the simulated layouts', () => {
    const acc = new AuditAccumulator({ partitions: 4, ...DEFAULTS });
    acc.add({ host: 'a.example', url: 'https://a.example/', partition: 3 });
    acc.add({ host: 'a.example', url: 'https://a.example/x', partition: 3 });
    acc.add({ host: 'b.example', url: 'https://b.example/', partition: 0 });
    const r = acc.report({ kind: 'topic', names: ['urls'], sample: 'last 10 per partition' });
    expect(r.observed!.counts).toEqual([1, 0, 0, 2]);
  });

  test('invalid lines are counted with a few examples, not kept', () => {
    const acc = new AuditAccumulator({ partitions: 4, ...DEFAULTS });
    for (let i = 0; i < 20; i++) acc.addInvalid(`bad ${i}`);
    const r = acc.report({ kind: 'urls', names: ['-'] });
    expect(r.invalid).toBe(20);
    expect(r.invalidExamples).toEqual(['bad 0', 'bad 1', 'bad 2', 'bad 3', 'bad 4']);
  });

  test('rejects a partition count below 1', () => {
    expect(() => new AuditAccumulator({ partitions: 0, ...DEFAULTS })).toThrow(RangeError);
  });
});

describe('renderAudit', () => {
  const acc = new AuditAccumulator({ partitions: 4, fairThreshold: 5, fairBands: 2 });
  feed(acc, 'giant.example', 100);
  for (let i = 0; i < 20; i++) feed(acc, `h${i}.example`, 2);
  const report = acc.report({ kind: 'urls', names: ['urls.txt'] });

  test('one bar line per partition, the statistics, hot partitions and the recommendation; no colors off a TTY', () => {
    const text = renderAudit(report, { color: false });
    expect(text).not.toContain('\u001b[');
    for (let p = 0; p < 4; p++) expect(text).toMatch(new RegExp(`^  p${p} `, 'm'));
    expect(text).toMatch(/HOT/);
    expect(text).toMatch(/Hot partitions \(host\):\n {2}p\d+ .*giant\.example 100/);
    expect(text).toMatch(/^ {2}host +\d+\.\d\d +\d+\.\d\d/m);
    expect(text).toMatch(/Recommendation: /);
    expect(text).toContain('140 URLs, 21 hosts, 4 partitions — urls.txt');
  });

  test('statistics columns never run together and the mean keeps two significant digits (issue #18, 9)', () => {
    const small = new AuditAccumulator({ partitions: 50, fairThreshold: 5, fairBands: 2 });
    for (let i = 0; i < 12; i++) feed(small, `s${i}.example`, 1);
    const text = renderAudit(small.report({ kind: 'urls', names: ['urls.txt'] }), { color: false });
    const lines = text.split('\n');
    const head = lines.findIndex((l) => l.trim().startsWith('layout'));
    expect(lines[head]!.trim().split(/ {2,}/)).toEqual(['layout', 'skew', 'CV', 'hot', 'empty', 'max', 'mean']);
    const host = lines.slice(head).find((l) => l.trim().startsWith('host '))!.trim().split(/ {2,}/);
    expect(host).toHaveLength(7);
    expect(host[6]).toBe('0.24');
    // Every row's cells end where the header's do (right-aligned numbers).
    const ends = (l: string) => [...l.matchAll(/\S+/g)].map((m) => m.index! + m[0].length);
    expect(ends(lines[head + 1]!).slice(1)).toEqual(ends(lines[head]!).slice(1));
  });

  test('colors only when asked', () => {
    expect(renderAudit(report, { color: true })).toContain('\u001b[');
  });

  test('bars scale to the maximum with eighth blocks', () => {
    expect(barOf(10, 10, 4)).toBe('████');
    expect(barOf(0, 10, 4)).toBe('');
    expect(barOf(5, 10, 4)).toBe('██');
    expect(barOf(1, 1000, 4)).toBe('▏');
  });
});
