/**
 * The commit protocol against a fake consumer session and transactor (the real session is exercised by
 * test/integration/worker/worker.test.ts and the chaos-rebalance / chaos-worker-kill scenarios).
 */
import { describe, expect, test } from '@jest/globals';
import type { Consumer } from '../../../src/kafka/clients.js';
import { createLogger } from '../../../src/log.js';
import { CommitProtocol, type CommitSession } from '../../../src/worker/commit-protocol.js';
import type { CommitEntry } from '../../../src/worker/consumer-session.js';
import { OffsetTracker } from '../../../src/worker/offset-tracker.js';
import { WorkerStats } from '../../../src/worker/stats.js';

type Position = { partition: number; offset: number };

/** A coordinator that stores what it is told, unless told to forget (a commit lost in a rebalance) or to hang. */
class FakeSession implements CommitSession {
  stored = new Map<number, number>();
  notes = new Map<number, string>();
  commits: Position[][] = [];
  mode: 'store' | 'forget' | 'hang' = 'store';
  readonly client = {} as Consumer;
  constructor(private readonly partitions: number[]) {}
  assigned(): number[] {
    return [...this.partitions];
  }
  async commit(entries: readonly CommitEntry[]): Promise<void> {
    this.commits.push(entries.map((e) => ({ partition: e.partition, offset: e.offset })));
    if (this.mode === 'hang') return new Promise<void>(() => undefined);
    if (this.mode === 'store') {
      for (const e of entries) {
        this.stored.set(e.partition, e.offset);
        if (e.metadata) this.notes.set(e.partition, e.metadata);
        else this.notes.delete(e.partition);
      }
    }
  }
  async committed(partitions: readonly number[]): Promise<CommitEntry[]> {
    return partitions.filter((p) => this.stored.has(p)).map((p) => ({ partition: p, offset: this.stored.get(p)!, ...(this.notes.has(p) ? { metadata: this.notes.get(p)! } : {}) }));
  }
}

function setup(partitions = [0, 1], extra: { commitEveryMessages?: number; transactor?: { commit: (c: Consumer, e: Position[]) => Promise<boolean>; drop: (p: number) => void } } = {}) {
  const session = new FakeSession(partitions);
  const tracker = new OffsetTracker();
  const stats = new WorkerStats();
  const dropped: number[] = [];
  const commits = new CommitProtocol({
    tracker, session: () => session, stats, logger: createLogger({ level: 'quiet' }),
    commitEveryMessages: extra.commitEveryMessages ?? 1000, revokeTimeoutMs: 1_000,
    dropQueued: (p) => dropped.push(p),
    ...(extra.transactor ? { transactor: extra.transactor } : {}),
  });
  commits.onAssign(partitions);
  return { session, tracker, stats, dropped, commits };
}

/** Tracks offsets 0..n-1 of a partition and finishes them all. */
function finishAll(tracker: OffsetTracker, partition: number, n: number): void {
  const offsets = tracker.get(partition)!;
  for (let o = 0; o < n; o++) offsets.track(o);
  for (let o = 0; o < n; o++) offsets.finish(o);
}

describe('CommitProtocol', () => {
  test('commits each moved position once the coordinator confirms it, then has nothing left to commit', async () => {
    const { session, tracker, stats, commits } = setup();
    finishAll(tracker, 0, 5);
    await commits.commitNow();
    expect(session.commits).toEqual([[{ partition: 0, offset: 5 }]]);
    expect(tracker.commitable()).toEqual([]);
    expect(stats.committed).toBe(1);
    await commits.commitNow();
    expect(session.commits).toHaveLength(1);
  });

  test('a commit the coordinator does not confirm stays "moved" and is sent again next round', async () => {
    const { session, tracker, stats, commits } = setup();
    finishAll(tracker, 1, 3);
    session.mode = 'forget';
    await commits.commitNow();
    expect(tracker.commitable()).toEqual([{ partition: 1, offset: 3 }]);
    expect(stats.committed).toBe(0);
    session.mode = 'store';
    await commits.commitNow();
    expect(session.commits).toEqual([[{ partition: 1, offset: 3 }], [{ partition: 1, offset: 3 }]]);
    expect(tracker.commitable()).toEqual([]);
    expect(stats.committed).toBe(1);
  });

  test('only partitions the session holds are committed', async () => {
    const { session, tracker, commits } = setup([0]);
    tracker.assign(7);
    finishAll(tracker, 0, 2);
    finishAll(tracker, 7, 2);
    await commits.commitNow();
    expect(session.commits).toEqual([[{ partition: 0, offset: 2 }]]);
  });

  test('every commitEveryMessages finished messages start a round', async () => {
    const { session, tracker, commits } = setup([0], { commitEveryMessages: 3 });
    const offsets = tracker.get(0)!;
    for (let o = 0; o < 3; o++) offsets.track(o);
    offsets.finish(0);
    commits.finished();
    offsets.finish(1);
    commits.finished();
    await commits.commitNow([]);
    expect(session.commits).toHaveLength(0);
    offsets.finish(2);
    commits.finished();
    await commits.commitNow([]);
    expect(session.commits).toEqual([[{ partition: 0, offset: 3 }]]);
  });

  test('commitAndConfirm honours its deadline when the coordinator never answers', async () => {
    const { session, tracker, commits } = setup();
    finishAll(tracker, 0, 4);
    session.mode = 'hang';
    const started = Date.now();
    expect(await commits.commitAndConfirm([0], 300)).toBe(false);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1_500);
    expect(tracker.commitable([0])).toEqual([{ partition: 0, offset: 4 }]);
  });

  test('commitAndConfirm retries until the coordinator holds the position', async () => {
    const { session, tracker, commits } = setup();
    finishAll(tracker, 0, 2);
    session.mode = 'forget';
    setTimeout(() => { session.mode = 'store'; }, 150);
    expect(await commits.commitAndConfirm([0], 5_000)).toBe(true);
    expect(session.stored.get(0)).toBe(2);
    expect(session.commits.length).toBeGreaterThan(1);
  });

  test('lost partitions are dropped without a commit: queue, tracker and held transaction alike', async () => {
    const drops: number[] = [];
    const { session, tracker, stats, dropped, commits } = setup([0, 1], { transactor: { commit: async () => true, drop: (p) => drops.push(p) } });
    finishAll(tracker, 0, 3);
    await commits.onRevoke([0], { lost: true });
    expect(session.commits).toEqual([]);
    expect(tracker.get(0)).toBeUndefined();
    expect(tracker.get(1)).toBeDefined();
    expect(dropped).toEqual([0]);
    expect(drops).toEqual([0]);
    expect(stats.rebalances).toBe(2);
  });

  test('a revocation waits for the partition\'s in-flight work, then commits what it finished', async () => {
    const { session, tracker, commits } = setup();
    const offsets = tracker.get(1)!;
    offsets.track(0);
    let finishWork!: () => void;
    commits.trackInFlight(1, new Promise<void>((r) => { finishWork = () => { offsets.finish(0); r(); }; }));
    setTimeout(() => finishWork(), 50);
    await commits.onRevoke([1]);
    expect(session.commits).toEqual([[{ partition: 1, offset: 1 }]]);
    expect(tracker.get(1)).toBeUndefined();
  });

  test('while the session closes, a revocation changes nothing (the closer committed already)', async () => {
    const { session, tracker, dropped, commits } = setup();
    finishAll(tracker, 0, 2);
    commits.closing = true;
    await commits.onRevoke([0, 1]);
    expect(session.commits).toEqual([]);
    expect(dropped).toEqual([]);
    expect(tracker.get(0)).toBeDefined();
  });

  test('with a transactor, its commit decides: a failed transaction leaves the position to commit again', async () => {
    let ok = false;
    const { session, tracker, stats, commits } = setup([0], { transactor: { commit: async () => ok, drop: () => undefined } });
    finishAll(tracker, 0, 2);
    await commits.commitNow();
    expect(stats.commitFailures).toBe(1);
    expect(tracker.commitable()).toEqual([{ partition: 0, offset: 2 }]);
    ok = true;
    await commits.commitNow();
    expect(stats.committed).toBe(1);
    expect(tracker.commitable()).toEqual([]);
    expect(session.commits).toEqual([]);
  });

  test('hand-over: a revocation commits the position with a note of what finished above it; the next owner skips exactly those', async () => {
    const { session, tracker, commits } = setup([0]);
    const offsets = tracker.get(0)!;
    for (let o = 10; o < 20; o++) offsets.track(o);
    for (const o of [11, 12, 15, 19]) offsets.finish(o); // 10 (a slow host) still unfinished
    await commits.onRevoke([0]);
    expect(session.stored.get(0)).toBe(10);
    expect(session.notes.get(0)).toMatch(/^kf1:/);

    // The next owner (same coordinator) reads the note on assignment.
    const next = new OffsetTracker();
    const nextCommits = new CommitProtocol({
      tracker: next, session: () => session, stats: new WorkerStats(), logger: createLogger({ level: 'quiet' }),
      commitEveryMessages: 1000, revokeTimeoutMs: 1_000, dropQueued: () => undefined,
    });
    await nextCommits.onAssign([0]);
    const handedOut = [];
    for (let o = 10; o < 20; o++) if (next.get(0)!.track(o)) handedOut.push(o);
    expect(handedOut).toEqual([10, 13, 14, 16, 17, 18]);
    // Finishing those moves the position past the skipped ones too.
    for (const o of handedOut) next.get(0)!.finish(o);
    expect(next.get(0)!.commitPosition()).toBe(20);
  });

  test('with a transactor no note is written or read: results of finished URLs are only visible once committed', async () => {
    const sent: Position[][] = [];
    const { session, tracker, commits } = setup([0], { transactor: { commit: async (_c, e) => { sent.push(e); return true; }, drop: () => undefined } });
    const offsets = tracker.get(0)!;
    for (let o = 0; o < 5; o++) offsets.track(o);
    for (const o of [1, 2]) offsets.finish(o);
    offsets.finish(0);
    await commits.onRevoke([0]);
    expect(sent).toEqual([[{ partition: 0, offset: 3 }]]);
    expect(session.notes.size).toBe(0);
  });

  test('a partition lost without a commit and handed back: what was finished meanwhile is skipped, then committed', async () => {
    const { session, tracker, commits } = setup([0]);
    await new Promise((r) => setImmediate(r)); // setup's assignment has read its (empty) notes
    session.stored.set(0, 100); // the last commit before the coordinator went away
    let offsets = tracker.get(0)!;
    for (let o = 100; o < 110; o++) offsets.track(o);
    for (const o of [100, 101, 102, 105, 106]) offsets.finish(o);
    await commits.onRevoke([0], { lost: true });
    expect(tracker.get(0)).toBeUndefined();
    offsets.finish(103); // in flight when it was lost, delivered afterwards: counts too

    await commits.onAssign([0]); // the same partition back, the committed offset still 100
    offsets = tracker.get(0)!;
    const handedOut = [];
    for (let o = 100; o < 112; o++) if (offsets.track(o)) handedOut.push(o);
    expect(handedOut).toEqual([104, 107, 108, 109, 110, 111]);
    expect(offsets.commitPosition()).toBe(104);
  });

  test('finishedFrom: released (compacted) offsets count, offsets below the start of the ownership do not', () => {
    const tracker = new OffsetTracker();
    const offsets = tracker.assign(0);
    for (let o = 50; o < 3_000; o++) offsets.track(o);
    for (let o = 50; o < 2_500; o++) offsets.finish(o); // compacts the array more than once
    offsets.finish(2_700);
    const finished = offsets.finishedFrom(40);
    expect(finished.size).toBe(2_451);
    expect(finished.has(49)).toBe(false);
    expect(finished.has(50) && finished.has(2_499) && finished.has(2_700)).toBe(true);
    expect(finished.has(2_500)).toBe(false);
  });
});

