/**
 * The Transactor's recovery rules, against a scripted stand-in for the client's transactional producer (the
 * real one is exercised by test/integration/worker/work-eos.test.ts and the --eos chaos scenarios).
 */
import { describe, expect, test } from '@jest/globals';
import type { Consumer, Producer } from '../../../src/kafka/clients.js';
import { createLogger } from '../../../src/log.js';
import { Transactor } from '../../../src/worker/transactor.js';

type Step = 'ok' | 'fail';

/**
 * Mimics the KafkaJS-compatible producer's own bookkeeping: a transaction that was neither committed nor
 * aborted blocks every later `transaction()` with the client's message.
 */
class ScriptedProducer {
  open = false;
  committed: { topic: string; keys: string[] }[] = [];
  disconnected = false;
  constructor(readonly script: { send?: Step; abort?: Step }) {}
  async transaction() {
    if (this.open) throw new Error('Can only start one transaction at a time.');
    this.open = true;
    const sent: { topic: string; keys: string[] }[] = [];
    return {
      send: async ({ topic, messages }: { topic: string; messages: { key: string }[] }) => {
        if (this.script.send === 'fail') throw new Error('Local: Broker transport failure');
        sent.push({ topic, keys: messages.map((m) => m.key) });
      },
      sendOffsets: async () => undefined,
      commit: async () => { this.open = false; this.committed.push(...sent); },
      abort: async () => {
        if (this.script.abort === 'fail') throw new Error('Local: Timed out');
        this.open = false;
      },
    };
  }
  async disconnect() { this.disconnected = true; }
}

function setup(scripts: ({ send?: Step; abort?: Step } | 'refuse')[]) {
  const made: ScriptedProducer[] = [];
  const lines: string[] = [];
  const transactor = new Transactor({
    topic: 'urls',
    logger: createLogger({ write: (l) => lines.push(l) }),
    callTimeoutMs: 1_000,
    createProducer: async () => {
      const script = scripts[Math.min(made.length, scripts.length - 1)]!;
      if (script === 'refuse') {
        made.push(new ScriptedProducer({}));
        throw new Error('transactional producer connect: Local: Broker transport failure');
      }
      const p = new ScriptedProducer(script);
      made.push(p);
      return p as unknown as Producer;
    },
  });
  return { transactor, made, lines };
}

const consumer = {} as Consumer;
const record = (key: string) => [{ topic: 'pages', key, value: `{"url":"${key}"}` }];

describe('Transactor', () => {
  test('commits held records below the position, keeps the rest held', async () => {
    const { transactor, made } = setup([{}]);
    await transactor.start();
    transactor.hold(0, 0, record('a'));
    transactor.hold(0, 1, record('b'));
    transactor.hold(0, 2, record('c'));
    expect(await transactor.commit(consumer, [{ partition: 0, offset: 2 }])).toBe(true);
    expect(made[0]!.committed).toEqual([{ topic: 'pages', keys: ['a', 'b'] }]);
    expect(transactor.heldCount()).toBe(1);
  });

  test('an abort that fails would wedge the producer: it is replaced, and the next commit goes through', async () => {
    const { transactor, made, lines } = setup([{ send: 'fail', abort: 'fail' }, {}]);
    await transactor.start();
    transactor.hold(1, 10, record('x'));
    expect(await transactor.commit(consumer, [{ partition: 1, offset: 11 }])).toBe(false);
    expect(made).toHaveLength(2);
    expect(made[0]!.disconnected).toBe(true);
    expect(await transactor.commit(consumer, [{ partition: 1, offset: 11 }])).toBe(true);
    expect(made[1]!.committed).toEqual([{ topic: 'pages', keys: ['x'] }]);
    expect(transactor.counters).toMatchObject({ aborted: 1, producerRestarts: 1, transactions: 1 });
    expect(lines.some((l) => l.includes('with a new producer'))).toBe(true);
  });

  test('a failed send whose abort succeeds keeps the producer', async () => {
    const { transactor, made } = setup([{ send: 'fail' }]);
    await transactor.start();
    transactor.hold(0, 0, record('a'));
    expect(await transactor.commit(consumer, [{ partition: 0, offset: 1 }])).toBe(false);
    expect(made).toHaveLength(1);
    expect(transactor.heldCount()).toBe(1);
  });

  test('a producer that cannot be made yet (broker away) is retried at the next commit; commit never throws', async () => {
    const { transactor, made } = setup([{ send: 'fail', abort: 'fail' }, 'refuse', 'refuse', {}]);
    await transactor.start();
    transactor.hold(2, 5, record('y'));
    expect(await transactor.commit(consumer, [{ partition: 2, offset: 6 }])).toBe(false); // wedged → replacement refused
    expect(await transactor.commit(consumer, [{ partition: 2, offset: 6 }])).toBe(false); // refused again
    expect(await transactor.commit(consumer, [{ partition: 2, offset: 6 }])).toBe(true);
    expect(made).toHaveLength(4);
    expect(made[3]!.committed).toEqual([{ topic: 'pages', keys: ['y'] }]);
  });

  test('a wedged transaction state found at begin is cleared by a new producer', async () => {
    const { transactor, made } = setup([{}, {}]);
    await transactor.start();
    made[0]!.open = true; // as left by an earlier call that hung past its deadline
    transactor.hold(0, 0, record('a'));
    expect(await transactor.commit(consumer, [{ partition: 0, offset: 1 }])).toBe(false);
    expect(await transactor.commit(consumer, [{ partition: 0, offset: 1 }])).toBe(true);
    expect(made[1]!.committed).toEqual([{ topic: 'pages', keys: ['a'] }]);
  });
});
