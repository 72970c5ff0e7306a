/**
 * The fetch stage with a scripted fetcher and gate: outcomes become records handed to routing, a thrown fetch
 * is an internal retryable outcome, Retry-After is recorded before the slot is released, the slot waits for
 * the byte budget, and shutdown's abort leaves the URL unfinished.
 */
import { describe, expect, test } from '@jest/globals';
import type { UrlEnvelope } from '../../../src/records/index.js';
import type { RequestHooks } from '../../../src/fetch/types.js';
import { FetchStage } from '../../../src/worker/fetch-stage.js';
import { PartitionOffsets } from '../../../src/worker/offset-tracker.js';
import type { FetchOutcome } from '../../../src/fetch/types.js';
import type { OutRecord } from '../../../src/worker/result-sink.js';
import { WorkerStats } from '../../../src/worker/stats.js';
import type { WorkItem } from '../../../src/worker/types.js';

const envelope: UrlEnvelope = { url: 'http://a.test/x', host: 'a.test', customer_id: 'default', priority: 0, discovered_at: 0, attempt: 0 };
const item = (): WorkItem => ({ host: 'a.test', partition: 3, offset: 11, offsets: new PartitionOffsets(), envelope });
const flush = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };

function setup(fetch: (signal: AbortSignal) => Promise<FetchOutcome>) {
  const events: string[] = [];
  const routed: OutRecord[][] = [];
  const tracked: { partition: number; work: Promise<void> }[] = [];
  const stats = new WorkerStats();
  let room!: () => void;
  const hooks: RequestHooks = {};
  const stage = new FetchStage({
    fetch: (_env, { signal, hooks: given }) => { expect(given).toBe(hooks); return fetch(signal); },
    gate: {
      hooks: () => hooks,
      honourRetryAfter: async (host, result) => { if (result.kind === 'retryable' && result.retryAfterMs) events.push(`hold ${host} ${result.retryAfterMs}`); },
    },
    stats, ctx: () => ({ topics: { pages: 'pages', errors: 'errors', dlq: 'dlq', metrics: 'metrics' }, worker: 'w1', now: 1 }),
    route: async (_item, records) => { routed.push(records); events.push('routed'); },
    belowBytes: (limit) => { events.push(`budget ${limit}`); return new Promise<void>((r) => { room = r; }); },
    maxPendingBytes: 1234,
    trackInFlight: (partition, work) => tracked.push({ partition, work }),
  });
  return { stage, events, routed, tracked, stats, room: () => room() };
}

describe('FetchStage', () => {
  test('records are routed, and the slot is held until what awaits the broker is under the budget', async () => {
    const page: FetchOutcome = { kind: 'page', status: 200, finalUrl: envelope.url, elapsedMs: 3, contentType: 'text/html', headers: {}, body: Buffer.from('<p>hi</p>'), truncated: false, bytes: 9 } as FetchOutcome;
    const { stage, events, routed, tracked, stats, room } = setup(async () => page);
    let slotFreed = false;
    void stage.run(item()).then(() => { slotFreed = true; });
    await flush();
    expect(routed).toHaveLength(1);
    expect(routed[0]!.map((r) => r.topic)).toContain('pages');
    expect(events).toEqual(['routed', 'budget 1234']);
    expect(stats.pages).toBe(1);
    expect(slotFreed).toBe(false);
    room();
    await flush();
    expect(slotFreed).toBe(true);
    expect(tracked.map((t) => t.partition)).toEqual([3]);
    await tracked[0]!.work;
  });

  test('a fetcher that throws becomes an internal retryable outcome (dlq), not a crash', async () => {
    const { stage, routed, stats, room } = setup(async () => { throw new Error('boom'); });
    void stage.run(item());
    await flush();
    room();
    expect(routed[0]!.map((r) => r.topic)).toContain('dlq');
    expect(stats.dlq).toBe(1);
  });

  test('a Retry-After is recorded for the host before the records are routed', async () => {
    const { stage, events, room } = setup(async () => ({ kind: 'retryable', status: 503, error: 'HTTP 503', elapsedMs: 2, retryAfterMs: 9_000 }));
    void stage.run(item());
    await flush();
    room();
    expect(events.slice(0, 2)).toEqual(['hold a.test 9000', 'routed']);
  });

  test('abortAll gives up on running fetches: nothing is routed, the URL stays unfinished', async () => {
    const { stage, routed, tracked } = setup((signal) => new Promise((resolve) => {
      signal.addEventListener('abort', () => resolve({ kind: 'retryable', status: null, error: 'aborted', elapsedMs: 0 }));
    }));
    const slot = stage.run(item());
    await flush();
    expect(stage.running()).toBe(1);
    stage.abortAll();
    await slot;
    await tracked[0]!.work;
    expect(stage.running()).toBe(0);
    expect(routed).toEqual([]);
  });
});
