import { describe, expect, test } from '@jest/globals';
import { EnvelopeEncoder, type UrlEnvelope } from '../../../src/records/index.js';
import { settleBoundMs } from '../../../src/kafka/client-configs.js';
import { ProduceStats } from '../../../src/produce/produce-stats.js';

const base: UrlEnvelope = { url: 'https://a.example/x', host: 'a.example', customer_id: 'default', priority: 0, discovered_at: 1_795_579_928_118, attempt: 0 };

describe('EnvelopeEncoder', () => {
  test('writes exactly the bytes of JSON.stringify, also when the repeated part changes between calls', () => {
    const enc = new EnvelopeEncoder();
    const cases: UrlEnvelope[] = [
      base,
      { ...base, url: 'https://a.example/q?x="1"&y=\\z' },
      { ...base, customer_id: 'acme "ünïcode" \u2028 \\', priority: -3 },
      { ...base, customer_id: 'acme "ünïcode" \u2028 \\', priority: -3, url: 'https://xn--bcher-kva.example/' },
      { ...base, attempt: 4 },
      { ...base, discovered_at: 0 },
      base,
    ];
    for (const e of cases) expect(enc.encode(e).toString('utf8')).toBe(JSON.stringify(e));
  });

  test('crawl envelopes (crawl_id, depth, referrer, seed) mixed with plain ones: still the bytes of JSON.stringify', () => {
    const enc = new EnvelopeEncoder();
    const crawl: UrlEnvelope = { ...base, crawl_id: 'c "1"', depth: 2, referrer: 'https://a.example/p?q="x"', seed: 'https://a.example/' };
    const cases: UrlEnvelope[] = [
      base, crawl, { ...crawl, depth: 0, referrer: undefined, seed: undefined }, { ...base, crawl_id: 'c', depth: 0 },
      { ...crawl, referrer: 'https://a.example/ünï' }, base, { ...crawl, attempt: 3 },
    ];
    for (const e of cases) expect(enc.encode(e).toString('utf8')).toBe(JSON.stringify(e));
  });

  test('a URL longer than the scratch buffer', () => {
    const e = { ...base, url: `https://a.example/${'é'.repeat(40_000)}` };
    expect(new EnvelopeEncoder().encode(e).toString('utf8')).toBe(JSON.stringify(e));
  });
});

describe('ProduceStats with failure-only reports', () => {
  test('queued messages count as delivered only once the producer settled; failures come off their partition', () => {
    const s = new ProduceStats(0);
    s.lines = 4;
    s.queue(0); s.queue(0); s.queue(2); s.queue(3);
    s.failQueued(3, 'ERR__MSG_TIMED_OUT');
    expect(s.delivered).toBe(0);
    expect(s.accounted()).toBe(false);
    s.settleQueued();
    expect(s.delivered).toBe(3);
    expect(s.failed).toBe(1);
    expect(s.partitionsUsed()).toBe(2);
    expect(s.accounted()).toBe(true);
  });
});

describe('settleBoundMs', () => {
  test('the longest delivery timeout (either alias) plus the request timeout and a margin', () => {
    expect(settleBoundMs({ 'delivery.timeout.ms': 120000, 'message.timeout.ms': '3000' })).toBe(120_000 + 30_000 + 5_000);
    expect(settleBoundMs({ 'message.timeout.ms': '3000', 'request.timeout.ms': '2000' })).toBe(3_000 + 2_000 + 5_000);
    // Neither alias set: kscrape's one delivery timeout (DELIVERY_TIMEOUT_MS), 300 000 ms before issue 13.
    expect(settleBoundMs({})).toBe(120_000 + 30_000 + 5_000);
  });
});
