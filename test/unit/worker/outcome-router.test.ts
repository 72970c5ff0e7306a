/**
 * Outcome routing: an offset is finished only once its records are acknowledged (or, with --eos, held for the
 * transaction); a closed sink leaves it unfinished so its URL is redelivered.
 */
import { describe, expect, test } from '@jest/globals';
import type { Producer } from '../../../src/kafka/clients.js';
import type { UrlEnvelope } from '../../../src/records/index.js';
import { createLogger } from '../../../src/log.js';
import { PartitionOffsets } from '../../../src/worker/offset-tracker.js';
import { OutcomeRouter } from '../../../src/worker/outcome-router.js';
import type { OutRecord } from '../../../src/worker/result-sink.js';
import { WorkerStats } from '../../../src/worker/stats.js';
import type { TrackedMessage } from '../../../src/worker/types.js';

/** A producer whose sends are acknowledged (or failed) when the test says so. */
function manualProducer() {
  const sends: { topic: string; ack: () => void; fail: (err: Error) => void }[] = [];
  const producer = {
    send: ({ topic }: { topic: string }) => new Promise<void>((ack, fail) => { sends.push({ topic, ack, fail }); }),
  } as unknown as Producer;
  return { producer, sends };
}

const envelope: UrlEnvelope = { url: 'http://a.test/', host: 'a.test', customer_id: 'default', priority: 0, discovered_at: 0, attempt: 0 };
const records: OutRecord[] = [{ topic: 'pages', key: 'http://a.test/', value: '{}' }, { topic: 'metrics', key: 'a.test', value: '{}' }];
const flush = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };

function setup(transactor?: { hold: (p: number, o: number, r: OutRecord[]) => void }) {
  const { producer, sends } = manualProducer();
  const lines: string[] = [];
  const finished: TrackedMessage[] = [];
  const urlsFinished: UrlEnvelope[] = [];
  const router = new OutcomeRouter({
    producer, stats: new WorkerStats(), logger: createLogger({ write: (l) => lines.push(l) }),
    ...(transactor ? { transactor } : {}),
    onUrlFinished: (e) => urlsFinished.push(e),
    onFinished: (item) => finished.push(item),
  });
  const offsets = new PartitionOffsets();
  offsets.track(7);
  const item: TrackedMessage = { partition: 2, offset: 7, offsets, envelope };
  return { router, sends, lines, finished, urlsFinished, offsets, item };
}

describe('OutcomeRouter', () => {
  test('the offset is finished only once every record is acknowledged', async () => {
    const { router, sends, finished, urlsFinished, offsets, item } = setup();
    const delivered = router.deliverThenFinish(item, records);
    await flush();
    expect(sends.map((s) => s.topic)).toEqual(['pages', 'metrics']);
    sends[0]!.ack();
    await flush();
    expect(offsets.pending()).toBe(1);
    expect(finished).toEqual([]);
    sends[1]!.ack();
    await delivered;
    expect(offsets.pending()).toBe(0);
    expect(finished).toEqual([item]);
    expect(urlsFinished).toEqual([envelope]);
  });

  test('with --eos the records are held for the transaction and the offset is finished at once', async () => {
    const held: { partition: number; offset: number; records: OutRecord[] }[] = [];
    const { router, sends, finished, offsets, item } = setup({ hold: (partition, offset, r) => held.push({ partition, offset, records: r }) });
    await router.deliverThenFinish(item, records);
    expect(held).toEqual([{ partition: 2, offset: 7, records }]);
    expect(sends).toEqual([]);
    expect(offsets.pending()).toBe(0);
    expect(finished).toEqual([item]);
  });

  test('a malformed message (no envelope) is finished without telling the depth counters', async () => {
    const { router, sends, finished, urlsFinished, item } = setup();
    const malformed: TrackedMessage = { partition: item.partition, offset: item.offset, offsets: item.offsets };
    const delivered = router.deliverThenFinish(malformed, records.slice(0, 1));
    await flush();
    sends[0]!.ack();
    await delivered;
    expect(finished).toEqual([malformed]);
    expect(urlsFinished).toEqual([]);
  });

  test('closed before delivery: the offset stays unfinished (redelivered), quietly', async () => {
    const { router, sends, lines, finished, offsets, item } = setup();
    const delivered = router.deliverThenFinish(item, records);
    await flush();
    sends[0]!.fail(new Error('Local: Broker transport failure'));
    expect(await router.drainAndClose(50)).toBe(1);
    await delivered;
    expect(offsets.pending()).toBe(1);
    expect(finished).toEqual([]);
    expect(lines.filter((l) => l.includes('delivery:'))).toEqual([]);
  }, 10_000);
});
