/**
 * What bounds extract's memory, with the extractor's own parts wired as extractor.ts wires them: the page
 * intake's per-partition look-ahead (a partition is paused once `lookahead` pages are unfinished and resumed at
 * half), and the extraction stage's byte budget over the real ResultSink (a page does not start while the
 * records awaiting the broker are at or over --delivery-buffer). The session and the producer are scripted.
 */
import { describe, expect, test } from '@jest/globals';
import type { Producer } from '../../../src/kafka/clients.js';
import { PageIntake, type PageItem } from '../../../src/extract/intake.js';
import { ExtractStage } from '../../../src/extract/stage.js';
import type { RawMessage } from '../../../src/worker/consumer-session.js';
import { OffsetTracker } from '../../../src/worker/offset-tracker.js';
import { ResultSink } from '../../../src/worker/result-sink.js';
import { FakeIntakeSession as FakeSession } from '../../helpers/fake-intake-session.js';

/** A producer whose sends are acknowledged when the test says so. */
function manualProducer() {
  const sends: { ack: () => void }[] = [];
  const producer = { send: () => new Promise<void>((ack) => { sends.push({ ack }); }) } as unknown as Producer;
  return { producer, sends };
}

const pageMessage = (offset: number): RawMessage => ({
  offset, key: null, timestamp: 0,
  value: JSON.stringify({ url: `http://shop.test/p/${offset}`, status: 200, content_type: 'text/html', body: `<h1>${offset}</h1>` }),
});
const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => pageMessage(from + i));
const flush = async () => { for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r)); };

describe('extract memory bounds', () => {
  test('the look-ahead: a partition is paused after `lookahead` unfinished pages, the others are not, and it resumes at half', async () => {
    const session = new FakeSession([0, 1]);
    const tracker = new OffsetTracker();
    tracker.assign(0);
    tracker.assign(1);
    const stats = { consumed: 0, malformed: 0 };
    // Extraction holds each page until the test finishes it, as a slow module or a slow broker would.
    const held: PageItem[] = [];
    const stage = new ExtractStage({ concurrency: 100, maxPendingBytes: 1 << 20, belowBytes: async () => undefined, process: (item) => { held.push(item); return new Promise(() => undefined); } });
    const intake = new PageIntake({
      tracker, session: () => session, stats, lookahead: 4, isStopping: () => false, onLimitReached: () => undefined,
      extract: (item) => stage.add(item), malformed: () => { throw new Error('no malformed message here'); },
    });
    const finish = (item: PageItem) => {
      item.offsets.finish(item.offset);
      intake.afterFinish(item.partition, item.offsets);
    };

    intake.onBatch(0, batch(0, 3));
    intake.onBatch(1, batch(0, 1));
    await flush();
    expect([session.isPaused(0), session.isPaused(1)]).toEqual([false, false]);
    intake.onBatch(0, batch(3, 1));
    await flush();
    expect([session.isPaused(0), session.isPaused(1)]).toEqual([true, false]);
    expect(held.filter((i) => i.partition === 0).map((i) => i.page.url)).toEqual([0, 1, 2, 3].map((n) => `http://shop.test/p/${n}`));
    expect(stage.stats()).toMatchObject({ running: 5, queued: 0 });

    const p0 = held.filter((i) => i.partition === 0);
    finish(p0[0]!);
    expect(session.isPaused(0)).toBe(true); // 3 unfinished > 4 / 2
    finish(p0[2]!); // out of order: what counts is how many are unfinished, not the commit position
    expect(session.isPaused(0)).toBe(false); // 2 unfinished <= 4 / 2
    expect(session.resumed).toEqual([0]);
    expect(stats).toEqual({ consumed: 5, malformed: 0 });
  });

  test('the byte budget: no page starts while the records awaiting the broker are at or over it; acknowledgements let the rest through', async () => {
    const { producer, sends } = manualProducer();
    const sink = new ResultSink({ producer });
    const RECORD = 400;
    const BUDGET = 1_000;
    const CONCURRENCY = 2;
    const started: number[] = [];
    let peak = 0;
    const stage = new ExtractStage({
      concurrency: CONCURRENCY, maxPendingBytes: BUDGET, belowBytes: (limit) => sink.belowBytes(limit),
      process: async (item) => {
        started.push(item.offset);
        void sink.deliver([{ topic: 'extractions', key: item.page.url, value: 'x'.repeat(RECORD) }]).catch(() => undefined);
        peak = Math.max(peak, sink.pendingBytes());
      },
    });
    const tracker = new OffsetTracker();
    tracker.assign(0);
    const offsets = tracker.get(0)!;
    for (let offset = 0; offset < 10; offset++) {
      offsets.track(offset);
      stage.add({ partition: 0, offset, offsets, bytes: 0, page: { url: `http://shop.test/p/${offset}` } as PageItem['page'] });
    }
    await flush();
    // 0 starts on an empty sink, 1 at 400, 2 at 800 (< 1 000); then 1 200 awaits the broker: nothing starts.
    expect(started).toEqual([0, 1, 2]);
    expect(sink.pendingBytes()).toBe(3 * RECORD);
    expect(stage.stats()).toMatchObject({ queued: 5, running: 2 }); // 3 and 4 hold their slots, waiting for room
    await flush();
    expect(started).toHaveLength(3);

    sends[0]!.ack(); // 800: room again
    await flush();
    expect(started.length).toBeGreaterThan(3);
    const before = started.length;
    await flush();
    expect(started).toHaveLength(before); // over the budget again until the next acknowledgement

    for (let acked = 1; acked < 10; acked++) {
      sends[acked]!.ack();
      await flush();
    }
    expect(started).toEqual([...Array(10).keys()]);
    // The bound: the budget plus one page's records per slot (slots woken by the same acknowledgement start together).
    expect(peak).toBeLessThanOrEqual(BUDGET + CONCURRENCY * RECORD);
    await stage.whenIdle();
    expect(sink.pendingBytes()).toBe(0);
  });
});
