import { describe, expect, test } from '@jest/globals';
import { jsonWithStringField, type PageRecord, type UrlEnvelope } from '../../../src/records/index.js';
import { outcomeRecords, shrinkPageRecord } from '../../../src/worker/outcomes.js';

/** A seeded generator, so a failure names the string that broke it. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Strings drawn from what pages contain and what JSON must escape: controls, quotes, backslashes, BMP and astral. */
function randomText(rand: () => number, length: number): string {
  const pools = [
    () => String.fromCharCode(Math.floor(rand() * 0x20)),
    () => (rand() < 0.5 ? '"' : '\\'),
    () => String.fromCharCode(0x20 + Math.floor(rand() * 0x5f)),
    () => String.fromCharCode(0x7f + Math.floor(rand() * 0x700)),
    () => String.fromCharCode(0x3000 + Math.floor(rand() * 0x5000)),
    () => String.fromCodePoint(0x1f300 + Math.floor(rand() * 0x300)),
    () => '\u2028',
  ];
  let out = '';
  for (let i = 0; i < length; i++) out += pools[Math.floor(rand() * pools.length)]!();
  return out;
}

describe('page records built from body bytes', () => {
  test('the bytes equal JSON.stringify of the same object, for 2 000 random bodies', () => {
    const rand = lcg(42);
    const fields = { url: 'http://a.test/é', status: 200, headers: { etag: '"x"' }, truncated: false };
    for (let i = 0; i < 2000; i++) {
      const text = randomText(rand, Math.floor(rand() * 64));
      const got = jsonWithStringField(fields, 'body', Buffer.from(text));
      const want = Buffer.from(JSON.stringify({ ...fields, body: text }));
      if (!got.equals(want)) throw new Error(`mismatch for ${JSON.stringify(text)}: ${got.toString()}`);
    }
  });

  test('with no other fields, with non-ASCII fields, and with every control character', () => {
    expect(jsonWithStringField({}, 'b', Buffer.from('x\ny')).toString()).toBe('{"b":"x\\ny"}');
    expect(jsonWithStringField({ title: 'ça va ✓' }, 'body', Buffer.from('é"')).toString()).toBe('{"title":"ça va ✓","body":"é\\""}');
    const controls = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).join('') + '\x7f\u0085';
    expect(jsonWithStringField({}, 'b', Buffer.from(controls)).toString()).toBe(JSON.stringify({ b: controls }));
  });

  const envelope: UrlEnvelope = { url: 'http://a.test/p', host: 'a.test', customer_id: 'c', priority: 0, discovered_at: 1, attempt: 0 };
  const ctx = { topics: { pages: 'p', errors: 'e', dlq: 'd', metrics: 'm' }, worker: 'w1', now: 5 };

  test('outcomeRecords makes a page record whose JSON holds every field and the body', () => {
    const body = Buffer.from('<h1>"hi"</h1>\n');
    const [page, metric] = outcomeRecords(envelope, {
      kind: 'page', finalUrl: envelope.url, status: 200, contentType: 'text/html', headers: {}, body, truncated: false, bytes: body.length, elapsedMs: 3,
    }, ctx);
    expect(page!.topic).toBe('p');
    expect(Buffer.isBuffer(page!.value)).toBe(true);
    expect(JSON.parse(page!.value.toString())).toEqual({
      url: envelope.url, final_url: envelope.url, status: 200, content_type: 'text/html', headers: {}, body: '<h1>"hi"</h1>\n',
      truncated: false, bytes: body.length, fetched_at: 5, elapsed_ms: 3, customer_id: 'c', worker: 'w1',
    });
    expect(JSON.parse(metric!.value.toString())).toMatchObject({ outcome: 'page', bytes: body.length });
  });

  test("a retryable outcome with the server's Retry-After carries retry_after_at; one without carries none", () => {
    const [withTime] = outcomeRecords(envelope, { kind: 'retryable', status: 429, error: 'HTTP 429', retryAfterMs: 120_000, elapsedMs: 1 }, ctx);
    expect(JSON.parse(withTime!.value.toString())).toMatchObject({ status: 429, failed_at: 5, retry_after_at: 120_005, attempts: 1 });
    const [without] = outcomeRecords(envelope, { kind: 'retryable', status: 500, error: 'HTTP 500', elapsedMs: 1 }, ctx);
    expect(JSON.parse(without!.value.toString())).not.toHaveProperty('retry_after_at');
  });

  test('a page record over the limit shrinks to fit, marked truncated', () => {
    const body = Buffer.from('é'.repeat(5000));
    const [page] = outcomeRecords(envelope, {
      kind: 'page', finalUrl: envelope.url, status: 200, contentType: 'text/html', headers: {}, body, truncated: false, bytes: body.length, elapsedMs: 3,
    }, ctx);
    const smaller = shrinkPageRecord(page!, 4000)!;
    expect(Buffer.byteLength(smaller.value)).toBeLessThanOrEqual(4000);
    const parsed = JSON.parse(smaller.value.toString()) as PageRecord;
    expect(parsed.truncated).toBe(true);
    expect(parsed.body.length).toBeGreaterThan(0);
    expect('é'.repeat(5000).startsWith(parsed.body)).toBe(true);
  });
});
