/** LogEnds with a fake admin and a fake reader: marker-only rests end at the committed offset; answers are kept. */
import { describe, expect, test } from '@jest/globals';
import { LogEnds } from '../../../src/worker/log-ends.js';
import { createLogger } from '../../../src/log.js';

function setup(highs: Record<number, number>, withRecords: number[], undecided: number[] = []) {
  const calls: { partition: number; offset: number; high: number }[][] = [];
  const ends = new LogEnds({
    admin: { fetchTopicOffsets: async () => Object.entries(highs).map(([p, h]) => ({ partition: Number(p), high: String(h), low: '0', offset: String(h) })) } as never,
    topic: 'urls', consumerConfig: {}, logger: createLogger({ level: 'quiet' }),
    hasRecords: async (_opts, starts) => {
      calls.push(starts);
      const asked = (p: number) => starts.some((s) => s.partition === p);
      return { withRecords: new Set([...withRecords, ...undecided].filter(asked)), undecided: new Set(undecided.filter(asked)) };
    },
  });
  return { ends, calls, highs };
}

describe('LogEnds', () => {
  test('without committed offsets: the high watermarks, no reader', async () => {
    const { ends, calls } = setup({ 0: 10, 1: 20 }, []);
    expect(await ends.read()).toEqual(new Map([[0, 10], [1, 20]]));
    expect(await ends.read([1])).toEqual(new Map([[1, 20]]));
    expect(calls).toHaveLength(0);
  });

  test('a partition with only a commit marker left ends at its committed offset; one with records keeps its watermark', async () => {
    const { ends, calls } = setup({ 0: 10, 1: 20, 2: 30 }, [1]);
    const got = await ends.read(undefined, new Map([[0, 9], [1, 15], [2, 30]]));
    expect(got).toEqual(new Map([[0, 9], [1, 20], [2, 30]]));
    // Partition 2 is caught up: the reader is asked about the two behind only.
    expect(calls).toEqual([[{ partition: 0, offset: 9, high: 10 }, { partition: 1, offset: 15, high: 20 }]]);
  });

  test('a partition the reader could not settle in time counts as lag this once, and is asked again', async () => {
    const { ends, calls } = setup({ 0: 10 }, [], [0]);
    expect(await ends.read(undefined, new Map([[0, 9]]))).toEqual(new Map([[0, 10]]));
    await ends.read(undefined, new Map([[0, 9]]));
    expect(calls).toHaveLength(2);
  });

  test('the answer is kept while the committed offset and the watermark stay; a new watermark asks again', async () => {
    const { ends, calls, highs } = setup({ 0: 10 }, []);
    await ends.read(undefined, new Map([[0, 9]]));
    await ends.read(undefined, new Map([[0, 9]]));
    expect(calls).toHaveLength(1);
    highs[0] = 12;
    expect(await ends.read(undefined, new Map([[0, 9]]))).toEqual(new Map([[0, 9]]));
    expect(calls).toHaveLength(2);
  });
});
