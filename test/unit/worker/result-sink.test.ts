import { describe, expect, test } from '@jest/globals';
import { ResultSink, SinkClosed, type OutRecord } from '../../../src/worker/result-sink.js';
import type { Producer } from '../../../src/kafka/clients.js';

/** A producer whose sends are acknowledged (or failed) when the test says so. */
function manualProducer() {
  const sends: { value: string; ack: () => void; fail: (err: Error) => void }[] = [];
  const producer = {
    send: ({ messages }: { messages: { value: string }[] }) =>
      new Promise<void>((ack, fail) => { sends.push({ value: messages[0]!.value, ack, fail }); }),
  } as unknown as Producer;
  return { producer, sends };
}

const record = (chars: number): OutRecord => ({ topic: 'pages', key: 'k', value: 'x'.repeat(chars) });
const flush = () => new Promise((r) => setImmediate(r));

describe('ResultSink byte budget', () => {
  test('counts what awaits acknowledgement and releases a waiter only once it is under the budget', async () => {
    const { producer, sends } = manualProducer();
    const sink = new ResultSink({ producer });
    void sink.deliver([record(600), record(100)]);
    void sink.deliver([record(500)]);
    expect(sink.pendingBytes()).toBe(1_200);

    let roomAt = '';
    void sink.belowBytes(1_000).then(() => { roomAt = `pending ${sink.pendingBytes()}`; });
    sends[2]!.ack(); // the 500 alone: 1 200 → 700, but the first delivery waits for both of its records
    await flush();
    expect(sink.pendingBytes()).toBe(700);
    expect(roomAt).toBe('pending 700');
  });

  test('a delivery counts until every one of its records is acknowledged', async () => {
    const { producer, sends } = manualProducer();
    const sink = new ResultSink({ producer });
    void sink.deliver([record(600), record(100)]);
    let released = false;
    void sink.belowBytes(200).then(() => { released = true; });
    sends[0]!.ack();
    await flush();
    expect(released).toBe(false);
    expect(sink.pendingBytes()).toBe(700);
    sends[1]!.ack();
    await flush();
    expect(released).toBe(true);
    expect(sink.pendingBytes()).toBe(0);
  });

  test('a budget smaller than one record cannot wedge: an empty sink always has room', async () => {
    const { producer, sends } = manualProducer();
    const sink = new ResultSink({ producer });
    await expect(sink.belowBytes(0)).resolves.toBeUndefined();
    void sink.deliver([record(50)]);
    let released = false;
    void sink.belowBytes(1).then(() => { released = true; });
    await flush();
    expect(released).toBe(false);
    sends[0]!.ack();
    await flush();
    expect(released).toBe(true);
  });

  test('closing the sink releases waiters and fails what is undelivered', async () => {
    const { producer, sends } = manualProducer();
    const sink = new ResultSink({ producer, retryDelayMs: 1 });
    const delivery = sink.deliver([record(900)]);
    let released = false;
    void sink.belowBytes(100).then(() => { released = true; });
    sends[0]!.fail(new Error('Local: Queue full'));
    sink.close();
    await flush();
    expect(released).toBe(true);
    await expect(delivery).rejects.toBeInstanceOf(SinkClosed);
    await flush();
    expect(sink.pendingBytes()).toBe(0);
  });
});

describe('ResultSink delivery report bound', () => {
  test('a send whose delivery report never comes is sent again after reportTimeoutMs, and then delivers', async () => {
    const { producer, sends } = manualProducer();
    const retried: string[] = [];
    const sink = new ResultSink({ producer, reportTimeoutMs: 50, retryDelayMs: 1, onRetry: (_r, err) => retried.push((err as Error).message) });
    let delivered = false;
    void sink.deliver([record(10)]).then(() => { delivered = true; });
    // The first report never comes: the record is sent again (waited for with a bound: the machine is shared).
    for (let waited = 0; sends.length < 2 && waited < 5_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(sends.length).toBeGreaterThanOrEqual(2);
    expect(retried[0]).toBe('delivery report did not finish within 50 ms');
    expect(delivered).toBe(false);
    sends.at(-1)!.ack();
    await flush();
    expect(delivered).toBe(true);
    sink.close();
  });
});
