import { describe, expect, test } from '@jest/globals';
import { mapRecord, type SourceMessage } from '../../../src/sink/row-mapping.js';
import { COLUMN_NAMES } from '../../../src/sink/schema.js';

const page = {
  url: 'https://Shop.example/a', final_url: 'https://shop.example/a?x=1', status: 200, content_type: 'text/html',
  headers: { server: 'nginx' }, body: '<html>hi</html>', truncated: false, bytes: 15, fetched_at: 1_700_000_000_000,
  elapsed_ms: 42, customer_id: 'acme', worker: 'w1',
};
const message = (value: unknown, extra: Partial<SourceMessage> = {}): SourceMessage => ({
  topic: 'pages', partition: 2, offset: 7, timestamp: 1_700_000_000_500, key: null,
  value: typeof value === 'string' ? value : JSON.stringify(value), ...extra,
});
const opts = { source: 'pages' as const, bodies: 'none' as const, maxRowBytes: 1 << 20 };
const asObject = (row: unknown[]) => Object.fromEntries(COLUMN_NAMES.map((n, i) => [n, row[i]]));

describe('mapRecord', () => {
  test('a page: typed columns, headers as JSONB, no body by default, nothing left over', () => {
    const mapped = mapRecord(message(page), opts);
    if (!mapped.ok) throw new Error(mapped.detail);
    expect(asObject(mapped.row)).toEqual({
      url: page.url, host: 'shop.example', final_url: page.final_url, status: 200, content_type: 'text/html', bytes: 15,
      truncated: false, fetched_at: new Date(page.fetched_at), elapsed_ms: 42, crawl_id: null, depth: null, referrer: null,
      canonical: null, customer_id: 'acme', worker: 'w1', reason: null, headers: { server: 'nginx' }, data: null, body: null,
      kafka_topic: 'pages', kafka_partition: 2, kafka_offset: 7, kafka_timestamp: new Date(1_700_000_000_500),
    });
    expect(mapped.bytes).toBe(Buffer.byteLength(JSON.stringify(page)));
    // The body is left out, so not held.
    expect(mapped.heldBytes).toBe(Buffer.byteLength(JSON.stringify(page)) - page.body.length);
  });

  test('--bodies text keeps the body; crawl fields and canonical fill their columns when present', () => {
    const mapped = mapRecord(message({ ...page, crawl_id: 'c1', depth: 3, referrer: 'https://shop.example/', canonical: 'https://shop.example/a' }), { ...opts, bodies: 'text' });
    if (!mapped.ok) throw new Error(mapped.detail);
    const row = asObject(mapped.row);
    expect([row.body, row.crawl_id, row.depth, row.referrer, row.canonical]).toEqual([page.body, 'c1', 3, 'https://shop.example/', 'https://shop.example/a']);
    expect(row.data).toBeNull();
  });

  test('an extraction: unknown fields go to data, a field of the wrong type stays there too', () => {
    const mapped = mapRecord(message({ url: 'https://a.example/p', fetched_at: 1_700_000_001_000, title: 'T', price: 9.5, status: '200' }, { topic: 'extractions' }), { ...opts, source: 'extractions' });
    if (!mapped.ok) throw new Error(mapped.detail);
    const row = asObject(mapped.row);
    expect(row.host).toBe('a.example');
    expect(row.status).toBeNull();
    expect(row.data).toEqual({ title: 'T', price: 9.5, status: '200' });
  });

  test('an extractions record (as src/extract writes it): typed columns, canonical from its page metadata, the rest in data', () => {
    const extraction = {
      url: 'https://shop.example/p/1', final_url: 'https://shop.example/p/1', host: 'shop.example', fetched_at: 1_700_000_003_000, status: 200,
      rule_set: 'product', fields: { price: 9.5 }, items: [], page: { title: 'P', canonical_url: 'https://shop.example/p/1' }, json: null, errors: [],
      extractor_version: 'kscrape/0.1.0', extracted_at: 1_700_000_004_000, worker: 'x1',
    };
    const mapped = mapRecord(message(extraction, { topic: 'extractions' }), { ...opts, source: 'extractions' });
    if (!mapped.ok) throw new Error(mapped.detail);
    const row = asObject(mapped.row);
    expect([row.url, row.host, row.status, row.fetched_at, row.canonical, row.worker]).toEqual([extraction.url, 'shop.example', 200, new Date(extraction.fetched_at), extraction.url, 'x1']);
    const { url: _u, final_url: _f, host: _h, fetched_at: _t, status: _s, worker: _w, ...rest } = extraction;
    expect(row.data).toEqual(rest);
  });

  test('an error record: failed_at is the time, envelope fields come from original', () => {
    const original = { url: 'https://b.example/x', host: 'b.example', customer_id: 'c', priority: 0, discovered_at: 1, attempt: 0, crawl_id: 'k', depth: 1 };
    const mapped = mapRecord(message({ url: original.url, reason: 'http-status', status: 404, detail: 'Not Found', original, failed_at: 1_700_000_002_000, worker: 'w' }, { topic: 'errors' }), { ...opts, source: 'errors' });
    if (!mapped.ok) throw new Error(mapped.detail);
    const row = asObject(mapped.row);
    expect([row.url, row.host, row.reason, row.status, row.fetched_at, row.crawl_id, row.depth, row.customer_id])
      .toEqual([original.url, 'b.example', 'http-status', 404, new Date(1_700_000_002_000), 'k', 1, 'c']);
    expect(row.data).toEqual({ detail: 'Not Found', original });
  });

  test('a record without a time is as new as its Kafka timestamp', () => {
    const mapped = mapRecord(message({ url: 'https://a.example/' }), opts);
    if (!mapped.ok) throw new Error(mapped.detail);
    expect(asObject(mapped.row).fetched_at).toEqual(new Date(1_700_000_000_500));
  });

  test.each([
    ['not JSON', '{"url":', 'malformed'],
    ['an array', '[1,2]', 'malformed'],
    ['a tombstone', null, 'malformed'],
  ])('%s is a reject', (_name, value, reason) => {
    const mapped = mapRecord({ ...message(''), value }, opts);
    expect(mapped.ok ? 'ok' : mapped.reason).toBe(reason);
  });

  test('a record over --max-row-bytes is a too-large reject', () => {
    const mapped = mapRecord(message({ ...page, body: 'x'.repeat(2000) }), { ...opts, maxRowBytes: 1000 });
    expect(mapped.ok ? 'ok' : mapped.reason).toBe('too-large');
  });

  test('the bytes as consumed map like their text; a "__proto__" member stays in data as a member', () => {
    const text = '{"url":"https://a.example/x","body":"<p>\u00e9</p>","__proto__":{"k":1},"extra":"é"}';
    const fromText = mapRecord({ ...message(''), value: text }, opts);
    const fromBytes = mapRecord({ ...message(''), value: Buffer.from(text) }, opts);
    if (!fromText.ok || !fromBytes.ok) throw new Error('not mapped');
    expect(fromBytes.row).toEqual(fromText.row);
    const data = asObject(fromBytes.row).data as Record<string, unknown>;
    expect(JSON.stringify(data)).toBe('{"__proto__":{"k":1},"extra":"é"}');
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
  });
});
