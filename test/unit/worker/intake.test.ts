/**
 * Intake against a fake session: the per-partition look-ahead (paused when full, resumed at half), the
 * message limit, malformed messages, and batches for partitions that are not ours any more.
 */
import { describe, expect, test } from '@jest/globals';
import type { RawMessage } from '../../../src/worker/consumer-session.js';
import { Intake } from '../../../src/worker/intake.js';
import { OffsetTracker } from '../../../src/worker/offset-tracker.js';
import type { OutRecord } from '../../../src/worker/result-sink.js';
import { WorkerStats } from '../../../src/worker/stats.js';
import type { TrackedMessage, WorkItem } from '../../../src/worker/types.js';
import { FakeIntakeSession as FakeSession } from '../../helpers/fake-intake-session.js';

function setup(opts: { lookahead?: number; maxMessages?: number; partitions?: number[] } = {}) {
  const partitions = opts.partitions ?? [0, 1];
  const session = new FakeSession(partitions);
  const tracker = new OffsetTracker();
  for (const p of partitions) tracker.assign(p);
  const stats = new WorkerStats();
  const scheduled: WorkItem[] = [];
  const routed: { item: TrackedMessage; records: OutRecord[] }[] = [];
  let stopping = false;
  let limitCalls = 0;
  const intake = new Intake({
    tracker, session: () => session, stats, lookahead: opts.lookahead ?? 10,
    ...(opts.maxMessages === undefined ? {} : { maxMessages: opts.maxMessages }),
    isStopping: () => stopping,
    ctx: () => ({ topics: { pages: 'p', errors: 'e', dlq: 'd', metrics: 'm' }, worker: 'w1', now: 1 }),
    schedule: (item) => scheduled.push(item),
    route: (item, records) => routed.push({ item, records }),
    onLimitReached: () => { limitCalls++; },
  });
  return { session, tracker, stats, scheduled, routed, intake, stop: () => { stopping = true; }, limitCalls: () => limitCalls };
}

const urlMessage = (offset: number, url = `http://h${offset % 3}.test/p${offset}`): RawMessage => ({ offset, key: null, value: JSON.stringify({ url }), timestamp: 0 });
const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => urlMessage(from + i));

describe('Intake', () => {
  test('parsed URLs are queued for their host with their offset', () => {
    const { intake, scheduled, stats } = setup();
    intake.onBatch(1, [urlMessage(4, 'http://shop.test:8080/a')]);
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]).toMatchObject({ host: 'shop.test', partition: 1, offset: 4, envelope: { url: 'http://shop.test:8080/a' } });
    expect(stats.consumed).toBe(1);
  });

  test('a partition is paused when its look-ahead is full and resumed once half of it is finished', () => {
    const { intake, session, scheduled, tracker } = setup({ lookahead: 4 });
    intake.onBatch(0, batch(0, 3));
    expect(session.isPaused(0)).toBe(false);
    intake.onBatch(0, batch(3, 1));
    expect(session.isPaused(0)).toBe(true);
    expect(session.isPaused(1)).toBe(false);
    const offsets = tracker.get(0)!;
    offsets.finish(scheduled[0]!.offset);
    intake.afterFinish(0, offsets);
    expect(session.isPaused(0)).toBe(true); // 3 pending > 4 / 2
    offsets.finish(scheduled[1]!.offset);
    intake.afterFinish(0, offsets);
    expect(session.isPaused(0)).toBe(false); // 2 pending <= 4 / 2
    expect(session.resumed).toEqual([0]);
  });

  test('the message limit stops intake mid-batch, pauses everything, and ends the run once all is finished', () => {
    const { intake, session, scheduled, stats, tracker, limitCalls } = setup({ maxMessages: 3 });
    intake.onBatch(0, batch(0, 5));
    expect(stats.consumed).toBe(3);
    expect(scheduled).toHaveLength(3);
    expect([...session.paused].sort()).toEqual([0, 1]);
    const offsets = tracker.get(0)!;
    for (const item of scheduled.slice(0, 2)) {
      offsets.finish(item.offset);
      intake.afterFinish(0, offsets);
    }
    expect(limitCalls()).toBe(0);
    expect(session.resumed).toEqual([]); // the limit keeps it paused
    offsets.finish(scheduled[2]!.offset);
    intake.afterFinish(0, offsets);
    expect(limitCalls()).toBe(1);
  });

  test('malformed messages go straight to routing as an errors record, not to a host queue', () => {
    const { intake, scheduled, routed, stats } = setup();
    intake.onBatch(0, [{ offset: 9, key: 'k', value: 'not json', timestamp: 0 }]);
    expect(scheduled).toEqual([]);
    expect(stats.malformed).toBe(1);
    expect(routed).toHaveLength(1);
    expect(routed[0]!.item).toMatchObject({ partition: 0, offset: 9 });
    expect(routed[0]!.records.some((r) => r.topic === 'e')).toBe(true);
  });

  test('redelivered offsets are skipped; batches for revoked partitions or while stopping are ignored', () => {
    const { intake, scheduled, session, stop } = setup();
    intake.onBatch(0, batch(0, 2));
    intake.onBatch(0, batch(0, 2));
    expect(scheduled).toHaveLength(2);
    session.partitions = [1];
    intake.onBatch(0, batch(2, 2));
    expect(scheduled).toHaveLength(2);
    stop();
    intake.onBatch(1, batch(0, 2));
    expect(scheduled).toHaveLength(2);
  });

  test('the first assignment marks the worker joined; partitions assigned past the limit or while stopping start paused', () => {
    const { intake, session, stop } = setup({ partitions: [0, 1, 2] });
    expect(intake.joined).toBe(false);
    intake.onAssign([0]);
    expect(intake.joined).toBe(true);
    expect(session.isPaused(0)).toBe(false);
    stop();
    intake.onAssign([2]);
    expect(session.isPaused(2)).toBe(true);
  });
});
