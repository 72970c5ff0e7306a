import { describe, expect, test } from '@jest/globals';
import { groupLag, partitionLag, probeOffset, type PartitionOffsets } from '../../../src/lag/lag-model.js';
import { evaluate, evaluateGroup, LagExit, resolveLimits } from '../../../src/lag/thresholds.js';

const part = (over: Partial<PartitionOffsets> = {}): PartitionOffsets => ({ topic: 'urls', partition: 0, committed: 10, logEnd: 25, owner: null, ...over });
const NOW = 1_000_000;

describe('lag figures', () => {
  test('lag = log-end - committed; age = now - timestamp of the record at the committed offset', () => {
    const p = partitionLag(part(), NOW - 90_000, NOW);
    expect(p.lag).toBe(15);
    expect(p.lagMs).toBe(90_000);
    expect(p.oldestUnconsumedTs).toBe(NOW - 90_000);
  });

  test('no committed offset: lag unknown ("-" as Kafka shows), not 0', () => {
    const p = partitionLag(part({ committed: null }), undefined, NOW);
    expect(p.lag).toBeNull();
    expect(p.lagMs).toBeNull();
    expect(probeOffset(part({ committed: null }))).toBeUndefined();
  });

  test('caught up: lag 0, age 0, nothing to probe', () => {
    expect(partitionLag(part({ committed: 25 }), undefined, NOW)).toMatchObject({ lag: 0, lagMs: 0, oldestUnconsumedTs: null });
    expect(probeOffset(part({ committed: 25 }))).toBeUndefined();
    expect(probeOffset(part())).toBe(10);
  });

  test('only a transaction marker (or aborted records) left before the log end: lag 0, not 1', () => {
    // kscrape produce commits transactions: the marker takes an offset no consumer is ever given.
    expect(partitionLag(part({ committed: 24 }), undefined, NOW, true)).toMatchObject({ lag: 0, lagMs: 0, oldestUnconsumedTs: null });
    // Without that reading the same offsets are lag 1, as Kafka's own tool reports them.
    expect(partitionLag(part({ committed: 24 }), undefined, NOW)).toMatchObject({ lag: 1, lagMs: null });
    // Unknown offsets stay unknown whatever the reader found.
    expect(partitionLag(part({ committed: null }), undefined, NOW, true).lag).toBeNull();
  });

  test('lagging with an unreadable timestamp: age null and a timestamp problem', () => {
    const g = groupLag({ group: 'g', state: 'Empty', members: 0, partitions: [partitionLag(part(), undefined, NOW)] });
    expect(g.maxLagMs).toBeNull();
    expect(g.problems).toEqual([expect.objectContaining({ kind: 'timestamp' })]);
  });

  test('totals per topic and group, maximum age per group', () => {
    const g = groupLag({
      group: 'g', state: 'Stable', members: 1, partitions: [
        partitionLag(part({ topic: 'b', partition: 1 }), NOW - 5_000, NOW),
        partitionLag(part({ topic: 'a', partition: 0, committed: 0, logEnd: 7 }), NOW - 60_000, NOW),
        partitionLag(part({ topic: 'a', partition: 1, committed: 7, logEnd: 7 }), undefined, NOW),
      ],
    });
    expect(g.partitions.map((p) => `${p.topic}${p.partition}`)).toEqual(['a0', 'a1', 'b1']);
    expect(g.topics).toEqual([
      { topic: 'a', lag: 7, maxLagMs: 60_000, partitions: 2 },
      { topic: 'b', lag: 15, maxLagMs: 5_000, partitions: 1 },
    ]);
    expect(g.totalLag).toBe(22);
    expect(g.maxLagMs).toBe(60_000);
    expect(g.problems).toEqual([]);
  });

  test('an unreadable log-end offset is an offsets problem', () => {
    const g = groupLag({ group: 'g', state: 'Stable', members: 1, partitions: [partitionLag(part({ logEnd: null }), undefined, NOW)] });
    expect(g.problems).toEqual([expect.objectContaining({ kind: 'offsets' })]);
    // No partition's lag was read: no number (issue #18, 3), where it used to be 0.
    expect(g.totalLag).toBeNull();
  });

  test('a group that does not exist has no total lag (null), not 0 (issue #18, 3)', () => {
    const g = groupLag({ group: 'g', state: 'Dead', members: 0, partitions: [], problems: [{ kind: 'offsets', detail: 'consumer group g does not exist' }] });
    expect(g.totalLag).toBeNull();
    expect(evaluateGroup(g, { maxLag: 10 }).code).toBe(LagExit.unknown);
  });

  test('a known lag beside an unreadable log-end offset still sums what is known', () => {
    const g = groupLag({ group: 'g', state: 'Stable', members: 1, partitions: [
      partitionLag(part({ logEnd: null }), undefined, NOW), partitionLag(part({ partition: 1, committed: 25 }), undefined, NOW)] });
    expect(g.totalLag).toBe(0);
  });
});

describe('thresholds → exit code', () => {
  const group = (lag: number, ageMs: number | null, problems: { kind: 'offsets' | 'timestamp'; detail: string }[] = []) =>
    groupLag({ group: 'g', state: 'Stable', members: 1, problems, partitions: [partitionLag(part({ committed: 0, logEnd: lag }), ageMs === null ? undefined : NOW - ageMs, NOW)] });

  test('WARN levels default to 80% of the max', () => {
    expect(resolveLimits({ maxLag: 1000, maxLagMs: 1_800_000 })).toEqual({ maxLag: 1000, warnLag: 800, maxLagMs: 1_800_000, warnLagMs: 1_440_000 });
    expect(resolveLimits({ maxLag: 1000, warnLag: 10 }).warnLag).toBe(10);
  });

  test.each([
    [700, 0],
    [800, 0],
    [801, 1],
    [1000, 1],
    [1001, 2],
  ])('message lag %i with --max-lag 1000 → %i', (lag, code) => {
    expect(evaluateGroup(group(lag, 1), { maxLag: 1000 }).code).toBe(code);
  });

  test.each([
    [10 * 60_000, 0],
    [25 * 60_000, 1],
    [31 * 60_000, 2],
  ])('age %i ms with --max-lag-time 30m → %i', (age, code) => {
    expect(evaluateGroup(group(5, age), { maxLagMs: 30 * 60_000 }).code).toBe(code);
  });

  test('an unreadable timestamp is UNKNOWN under a time limit, not 0; without one it does not matter', () => {
    expect(evaluateGroup(group(5, null), { maxLagMs: 60_000 }).code).toBe(LagExit.unknown);
    expect(evaluateGroup(group(5, null), { maxLag: 100 }).code).toBe(LagExit.ok);
  });

  test('a group that could not be read is UNKNOWN even without limits', () => {
    const v = evaluateGroup(group(0, 0, [{ kind: 'offsets', detail: 'consumer group g does not exist' }]), {});
    expect(v.code).toBe(LagExit.unknown);
    expect(v.reasons[0]).toContain('does not exist');
  });

  test('CRITICAL beats UNKNOWN, which beats WARN; no group at all is UNKNOWN', () => {
    const crit = group(2000, 1);
    const unknown = group(0, 0, [{ kind: 'offsets', detail: 'x' }]);
    const warn = group(900, 1);
    expect(evaluate([warn, unknown], { maxLag: 1000 }).code).toBe(LagExit.unknown);
    expect(evaluate([unknown, crit], { maxLag: 1000 }).code).toBe(LagExit.critical);
    expect(evaluate([warn, group(1, 1)], { maxLag: 1000 }).code).toBe(LagExit.warn);
    expect(evaluate([], {}).code).toBe(LagExit.unknown);
  });
});
