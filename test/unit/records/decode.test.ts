import { describe, expect, test } from '@jest/globals';
import { buildUrlEnvelope, decodeDlqRecord, decodeUrlEnvelope, EnvelopeEncoder, nextAttempt, type UrlEnvelope } from '../../../src/records/index.js';

const envelope: UrlEnvelope = { url: 'https://a.example/x', host: 'a.example', customer_id: 'acme', priority: 3, discovered_at: 1_700_000_000_000, attempt: 2 };
const json = (v: unknown) => JSON.stringify(v);

describe('decodeUrlEnvelope', () => {
  test('a well-formed envelope comes back as it was, from a string or bytes', () => {
    expect(decodeUrlEnvelope(json(envelope))).toEqual({ ok: true, envelope });
    expect(decodeUrlEnvelope(Buffer.from(json(envelope)))).toEqual({ ok: true, envelope });
  });

  test('round trip with the encoder', () => {
    const bytes = Buffer.from(new EnvelopeEncoder().encode(envelope));
    expect(decodeUrlEnvelope(bytes)).toEqual({ ok: true, envelope });
  });

  test.each([
    ['null (tombstone)', null, 'empty message'],
    ['empty string', '', 'empty message'],
    ['empty bytes', Buffer.alloc(0), 'empty message'],
    ['poison bytes', Buffer.from([0xff, 0xfe, 0x00, 0x9c]), 'not JSON'],
    ['truncated JSON', '{"url":"https://a.exa', 'not JSON'],
    ['an array', '[1,2]', 'not a JSON object'],
    ['a string', '"https://a.example/"', 'not a JSON object'],
    ['JSON null', 'null', 'not a JSON object'],
    ['no url', json({ host: 'a.example' }), 'no "url" string'],
    ['url of the wrong type', json({ url: 42 }), 'no "url" string'],
    ['empty url', json({ url: '' }), 'no "url" string'],
    ['url that does not parse', json({ url: 'not a url' }), 'url does not parse'],
    ['other scheme', json({ url: 'ftp://a.example/' }), 'url scheme ftp: is not http(s)'],
  ])('malformed: %s', (_name, value, reason) => {
    expect(decodeUrlEnvelope(value)).toEqual({ ok: false, malformed: reason });
  });

  test('missing fields get the urls-topic defaults', () => {
    expect(decodeUrlEnvelope(json({ url: 'http://Shop.test:8080/a' }))).toEqual({
      ok: true,
      envelope: { url: 'http://Shop.test:8080/a', host: 'shop.test', customer_id: 'default', priority: 0, discovered_at: 0, attempt: 0 },
    });
  });

  test('fields of the wrong type get the defaults, the rest is kept', () => {
    const value = json({ url: 'https://a.example/', host: 7, customer_id: 5, priority: '9', discovered_at: 'today', attempt: 1.5 });
    expect(decodeUrlEnvelope(value)).toEqual({
      ok: true,
      envelope: { url: 'https://a.example/', host: 'a.example', customer_id: 'default', priority: 0, discovered_at: 0, attempt: 0 },
    });
    expect(decodeUrlEnvelope(json({ ...envelope, attempt: -1 }))).toMatchObject({ ok: true, envelope: { attempt: 0 } });
    expect(decodeUrlEnvelope(json({ ...envelope, host: '' }))).toMatchObject({ ok: true, envelope: { host: 'a.example' } });
  });
});

describe('decodeDlqRecord', () => {
  const record = { original: envelope, error: 'HTTP 503', status: 503, failed_at: 5, attempts: 3, worker: 'w1' };

  test('a well-formed record comes back as it was', () => {
    expect(decodeDlqRecord(json(record))).toEqual({ ok: true, record });
    expect(decodeDlqRecord(Buffer.from(json(record)))).toEqual({ ok: true, record });
  });

  test.each([
    ['tombstone', null, 'empty value (tombstone)'],
    ['poison bytes', Buffer.from([0xff, 0x00, 0x7b]), 'value is not JSON'],
    ['an array', '[]', 'value is not a JSON object'],
    ['no original', json({ failed_at: 1, attempts: 1 }), 'no `original` URL envelope'],
    ['original without host', json({ ...record, original: { url: 'https://a/' } }), '`original` lacks url/host'],
    ['original with an empty url', json({ ...record, original: { url: '', host: 'a' } }), '`original` lacks url/host'],
    ['failed_at of the wrong type', json({ ...record, failed_at: 'yesterday' }), '`failed_at` is not a number (epoch ms)'],
    ['attempts 0', json({ ...record, attempts: 0 }), '`attempts` is not a whole number >= 1'],
    ['attempts not whole', json({ ...record, attempts: 1.5 }), '`attempts` is not a whole number >= 1'],
  ])('malformed: %s', (_name, value, reason) => {
    expect(decodeDlqRecord(value)).toEqual({ ok: false, malformed: reason });
  });

  test('missing or mistyped fields get the dlq defaults', () => {
    expect(decodeDlqRecord(json({ original: { url: 'https://b/', host: 'b', priority: 'high' }, failed_at: 1, attempts: 2, error: 42 }))).toEqual({
      ok: true,
      record: {
        original: { url: 'https://b/', host: 'b', customer_id: '', priority: 0, discovered_at: 0, attempt: 1 },
        error: '42', status: null, failed_at: 1, attempts: 2, worker: '',
      },
    });
  });
});

describe('decodeUrlEnvelope: crawl fields', () => {
  test('kept with a crawl id; depth defaults to 0 when unusable; ignored without a crawl id', () => {
    const base = { url: 'http://a.test/', host: 'a.test' };
    expect(decodeUrlEnvelope(JSON.stringify({ ...base, crawl_id: 'k', depth: 3, referrer: 'http://a.test/r', seed: 'http://a.test/' }))).toMatchObject({
      ok: true, envelope: { crawl_id: 'k', depth: 3, referrer: 'http://a.test/r', seed: 'http://a.test/' },
    });
    expect(decodeUrlEnvelope(JSON.stringify({ ...base, crawl_id: 'k', depth: -1 }))).toMatchObject({ ok: true, envelope: { crawl_id: 'k', depth: 0 } });
    expect(decodeUrlEnvelope(JSON.stringify({ ...base, crawl_id: 'k', depth: '2' }))).toMatchObject({ ok: true, envelope: { depth: 0 } });
    const plain = decodeUrlEnvelope(JSON.stringify({ ...base, crawl_id: '', depth: 2, referrer: 'x' }));
    expect(plain.ok && Object.keys(plain.envelope)).toEqual(['url', 'host', 'customer_id', 'priority', 'discovered_at', 'attempt']);
  });
});

describe('the envelope builder', () => {
  test('normalizes the URL and derives the host (port kept when not the default)', () => {
    const built = buildUrlEnvelope({ url: 'HTTP://Shop.Test:8080/a#frag', customerId: 'c', priority: 1, discoveredAt: 9, attempt: 0 }, 4096);
    expect(built).toEqual({ ok: true, envelope: { url: 'http://shop.test:8080/a', host: 'shop.test:8080', customer_id: 'c', priority: 1, discovered_at: 9, attempt: 0 } });
  });

  test('crawl fields: crawl_id and depth always, referrer and seed when given, in wire order', () => {
    const built = buildUrlEnvelope({ url: 'http://a.test/x', customerId: 'c', priority: 0, discoveredAt: 1, attempt: 0, crawl: { crawlId: 'k', depth: 0 } }, 4096);
    expect(built.ok && JSON.stringify(built.envelope)).toBe('{"url":"http://a.test/x","host":"a.test","customer_id":"c","priority":0,"discovered_at":1,"attempt":0,"crawl_id":"k","depth":0}');
    const found = buildUrlEnvelope({ url: 'http://a.test/y', customerId: 'c', priority: 0, discoveredAt: 1, attempt: 0, crawl: { crawlId: 'k', depth: 2, referrer: 'http://a.test/x', seed: 'http://a.test/' } }, 4096);
    expect(found).toMatchObject({ ok: true, envelope: { crawl_id: 'k', depth: 2, referrer: 'http://a.test/x', seed: 'http://a.test/' } });
  });

  test('a recrawl\'s validators: built, encoded and decoded in wire order, kept only on a crawl envelope', () => {
    const built = buildUrlEnvelope({
      url: 'http://a.test/y', customerId: 'c', priority: 0, discoveredAt: 1, attempt: 0,
      crawl: { crawlId: 'k', depth: 1, seed: 'http://a.test/', etag: 'W/"e\\1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' },
    }, 4096);
    if (!built.ok) throw new Error('not built');
    const json = JSON.stringify(built.envelope);
    expect(json.endsWith(',"seed":"http://a.test/","etag":"W/\\"e\\\\1\\"","last_modified":"Tue, 01 Dec 2026 10:00:00 GMT"}')).toBe(true);
    expect(Buffer.from(new EnvelopeEncoder().encode(built.envelope)).toString()).toBe(json);
    expect(decodeUrlEnvelope(json)).toEqual({ ok: true, envelope: built.envelope });
    const plain = decodeUrlEnvelope(JSON.stringify({ url: 'http://a.test/y', etag: '"x"', last_modified: 'y' }));
    expect(plain.ok && 'etag' in plain.envelope).toBe(false);
    expect(decodeUrlEnvelope(JSON.stringify({ url: 'http://a.test/y', crawl_id: 'k', etag: 5 }))).toMatchObject({ ok: true });
    const badEtag = decodeUrlEnvelope(JSON.stringify({ url: 'http://a.test/y', crawl_id: 'k', etag: 5 }));
    expect(badEtag.ok && 'etag' in badEtag.envelope).toBe(false);
  });

  test('refuses what normalizeUrl refuses, with its reason', () => {
    expect(buildUrlEnvelope({ url: 'ftp://a/', customerId: 'c', priority: 0, discoveredAt: 0, attempt: 0 }, 4096)).toMatchObject({ ok: false, reason: 'unsupported-scheme' });
    expect(buildUrlEnvelope({ url: 'https://a.example/x', customerId: 'c', priority: 0, discoveredAt: 0, attempt: 0 }, 10)).toMatchObject({ ok: false, reason: 'too-long' });
  });

  test('next attempt: attempt + 1, everything else kept, the failed one untouched', () => {
    expect(nextAttempt(envelope)).toEqual({ ...envelope, attempt: 3 });
    expect(envelope.attempt).toBe(2);
    expect(Object.keys(nextAttempt(envelope))).toEqual(Object.keys(envelope));
  });
});
