/**
 * --idle-exit: a quiet worker stops only once the group has joined and the whole topic is committed.
 */
import { describe, expect, test } from '@jest/globals';
import { createLogger } from '../../../src/log.js';
import { startIdleExit } from '../../../src/worker/idle-exit.js';
import type { PartitionOffsetsSnapshot } from '../../../src/worker/watchdog.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const snapshot = (high: [number, number][], committed: [number, number][]): PartitionOffsetsSnapshot => ({ high: new Map(high), committed: new Map(committed) });

function run(opts: { joined?: boolean; quiet?: boolean; offsets: () => PartitionOffsetsSnapshot }) {
  const stops: string[] = [];
  let reads = 0;
  const end = startIdleExit({
    idleExitMs: 20, logger: createLogger({ level: 'quiet' }),
    joined: () => opts.joined ?? true,
    quiet: () => opts.quiet ?? true,
    readGroupOffsets: async () => { reads++; return opts.offsets(); },
    stop: (reason) => stops.push(reason),
  });
  return { stops, reads: () => reads, end };
}

describe('idle exit', () => {
  test('quiet, joined and the group committed everything: stops with the reason', async () => {
    const r = run({ offsets: () => snapshot([[0, 5], [1, 0]], [[0, 5]]) });
    await wait(120);
    r.end();
    expect(r.stops[0]).toBe('idle for 20 ms');
  });

  test('other partitions still have lag: not idle', async () => {
    const r = run({ offsets: () => snapshot([[0, 5], [1, 9]], [[0, 5], [1, 3]]) });
    await wait(120);
    r.end();
    expect(r.reads()).toBeGreaterThan(0);
    expect(r.stops).toEqual([]);
  });

  test('before the group answered the join, or while not quiet, offsets are not even read', async () => {
    const a = run({ joined: false, offsets: () => snapshot([], []) });
    const b = run({ quiet: false, offsets: () => snapshot([], []) });
    await wait(120);
    a.end();
    b.end();
    expect(a.reads() + b.reads()).toBe(0);
    expect([...a.stops, ...b.stops]).toEqual([]);
  });

  test('offsets that cannot be read do not stop the worker', async () => {
    const r = run({ offsets: () => { throw new Error('broker away'); } });
    await wait(120);
    r.end();
    expect(r.stops).toEqual([]);
  });
});
