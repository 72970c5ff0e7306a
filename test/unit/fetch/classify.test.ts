import { describe, expect, test } from '@jest/globals';
import { classifyRequestError, classifyStatus } from '../../../src/fetch/classify.js';
import { BlockedAddressError } from '../../../src/fetch/guarded-lookup.js';
import { parseRetryAfter } from '../../../src/fetch/retry-after.js';
import { nextHop, wireForm } from '../../../src/fetch/redirects.js';
import { bodyAsUtf8, isAccepted, keptHeaders, parseContentType } from '../../../src/fetch/content.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');

describe('classifyStatus', () => {
  test('2xx is a page, redirects with a Location are followed', () => {
    expect(classifyStatus(200, {}, NOW)).toEqual({ kind: 'page' });
    expect(classifyStatus(204, {}, NOW)).toEqual({ kind: 'page' });
    for (const s of [301, 302, 303, 307, 308]) expect(classifyStatus(s, { location: ' /next ' }, NOW)).toEqual({ kind: 'redirect', location: '/next' });
  });

  test('304 is not-modified only when the request was conditional (a recrawl sent validators)', () => {
    expect(classifyStatus(304, {}, NOW, true)).toEqual({ kind: 'not-modified' });
    expect(classifyStatus(304, {}, NOW, false)).toEqual({ kind: 'error', reason: 'http-status', status: 304, detail: 'HTTP 304' });
    expect(classifyStatus(200, {}, NOW, true)).toEqual({ kind: 'page' });
    expect(classifyStatus(412, {}, NOW, true)).toEqual({ kind: 'error', reason: 'http-status', status: 412, detail: 'HTTP 412' });
  });

  test('a redirect without Location, and 300/304, are final errors', () => {
    expect(classifyStatus(302, {}, NOW)).toEqual({ kind: 'error', reason: 'redirect', status: 302, detail: 'HTTP 302 without a Location header' });
    expect(classifyStatus(304, { location: '/x' }, NOW)).toEqual({ kind: 'error', reason: 'http-status', status: 304, detail: 'HTTP 304' });
    expect(classifyStatus(300, {}, NOW)).toEqual({ kind: 'error', reason: 'http-status', status: 300, detail: 'HTTP 300' });
  });

  test('4xx (but 408 and 429) are final errors', () => {
    for (const s of [400, 401, 403, 404, 410, 451]) expect(classifyStatus(s, {}, NOW)).toEqual({ kind: 'error', reason: 'http-status', status: s, detail: `HTTP ${s}` });
  });

  test('429, 408 and 5xx are retryable; Retry-After is read on 429 and 503', () => {
    expect(classifyStatus(429, { 'retry-after': '120' }, NOW)).toEqual({ kind: 'retryable', status: 429, error: 'HTTP 429', retryAfterMs: 120_000 });
    expect(classifyStatus(503, { 'retry-after': 'Wed, 25 Nov 2026 12:00:30 GMT' }, NOW)).toEqual({ kind: 'retryable', status: 503, error: 'HTTP 503', retryAfterMs: 30_000 });
    expect(classifyStatus(500, { 'retry-after': '5' }, NOW)).toEqual({ kind: 'retryable', status: 500, error: 'HTTP 500' });
    expect(classifyStatus(429, {}, NOW)).toEqual({ kind: 'retryable', status: 429, error: 'HTTP 429' });
    expect(classifyStatus(408, {}, NOW)).toEqual({ kind: 'retryable', status: 408, error: 'HTTP 408' });
    expect(classifyStatus(599, {}, NOW)).toEqual({ kind: 'retryable', status: 599, error: 'HTTP 599' });
  });
});

describe('classifyRequestError', () => {
  const wrap = (cause: Error & { code?: string }) => Object.assign(new Error(`wrapped: ${cause.message}`, { cause }), { name: 'RequestError', code: cause.code ?? 'ERR_GOT_REQUEST_ERROR' });
  const sys = (code: string) => Object.assign(new Error(`${code} happened`), { code });

  test('the address guard is final', () => {
    const err = wrap(new BlockedAddressError('evil.test', ['127.0.0.1']));
    expect(classifyRequestError(err)).toEqual({ kind: 'error', reason: 'blocked-address', detail: 'evil.test: 127.0.0.1 is loopback (refused by the address guard; see --allow-cidr)' });
  });

  test('network errors are retryable under their code', () => {
    expect(classifyRequestError(wrap(sys('ECONNRESET')))).toEqual({ kind: 'retryable', error: 'ECONNRESET' });
    expect(classifyRequestError(wrap(sys('ENOTFOUND')))).toEqual({ kind: 'retryable', error: 'ENOTFOUND' });
    expect(classifyRequestError(wrap(sys('CERT_HAS_EXPIRED')))).toEqual({ kind: 'retryable', error: 'CERT_HAS_EXPIRED' });
    expect(classifyRequestError(wrap(sys('ERR_STREAM_PREMATURE_CLOSE')))).toEqual({ kind: 'retryable', error: 'ECONNRESET' });
  });

  test('timeouts and aborts have short names', () => {
    expect(classifyRequestError(wrap(Object.assign(new Error('Timeout awaiting request'), { name: 'TimeoutError', code: 'ETIMEDOUT' })))).toEqual({ kind: 'retryable', error: 'timeout' });
    expect(classifyRequestError(Object.assign(new Error('This operation was aborted'), { name: 'AbortError', code: 20 }))).toEqual({ kind: 'retryable', error: 'aborted' });
  });

  test('anything else is retryable with its message, clipped', () => {
    expect(classifyRequestError(new Error('odd'))).toEqual({ kind: 'retryable', error: 'odd' });
    expect(classifyRequestError('x'.repeat(300))).toEqual({ kind: 'retryable', error: `${'x'.repeat(120)}…` });
  });
});

describe('parseRetryAfter', () => {
  test('seconds, HTTP dates (all three forms), past dates, caps, junk', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(' 42 ', NOW)).toBe(42_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter('Wednesday, 25-Nov-26 12:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter('Wed Nov 25 12:01:00 2026', NOW - new Date(NOW).getTimezoneOffset() * 60_000)).toBe(60_000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 12:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('99999999', NOW)).toBe(86_400_000);
    expect(parseRetryAfter('600', NOW, 60_000)).toBe(60_000);
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter('-5', NOW)).toBeUndefined();
    expect(parseRetryAfter('1.5', NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('2026-11-25', NOW)).toBeUndefined();
  });
});

describe('nextHop', () => {
  const at = new URL('http://a.test/start#frag');
  const visited = new Set([wireForm(at)]);
  test('relative and absolute Locations are followed', () => {
    expect(nextHop(at, '/next?q=1', visited, 0, 5)).toEqual({ kind: 'follow', url: new URL('http://a.test/next?q=1') });
    expect(nextHop(at, 'https://b.test/', visited, 4, 5)).toEqual({ kind: 'follow', url: new URL('https://b.test/') });
  });
  test('the sixth redirect, loops and non-http Locations are errors', () => {
    expect(nextHop(at, '/n', visited, 5, 5)).toEqual({ kind: 'error', detail: 'more than 5 redirects (next: http://a.test/n)' });
    expect(nextHop(at, '/start#other', visited, 1, 5)).toEqual({ kind: 'error', detail: 'redirect loop: http://a.test/start was already requested' });
    expect(nextHop(at, 'ftp://a.test/x', visited, 0, 5)).toEqual({ kind: 'error', detail: 'redirect to a ftp: URL (only http and https are fetched)' });
    expect(nextHop(at, 'http://[::1', visited, 0, 5)).toEqual({ kind: 'error', detail: "redirect to an unparsable Location 'http://[::1'" });
  });
});

describe('content helpers', () => {
  test('content types and the accept list', () => {
    expect(parseContentType('Text/HTML; Charset="ISO-8859-1"')).toEqual({ mime: 'text/html', charset: 'iso-8859-1' });
    expect(parseContentType(undefined)).toEqual({ mime: null, charset: null });
    const accept = ['text/html', 'application/*'];
    expect(isAccepted('text/html', accept)).toBe(true);
    expect(isAccepted('application/pdf', accept)).toBe(true);
    expect(isAccepted('image/png', accept)).toBe(false);
    expect(isAccepted('text/htmlx', accept)).toBe(false);
    expect(isAccepted(null, accept)).toBe(true);
    expect(isAccepted('image/png', ['*'])).toBe(true);
  });

  test('the body becomes UTF-8 bytes: charsets transcoded, a character cut by the cap dropped', () => {
    const utf8 = (b: Buffer, charset: string | null, truncated = false) => bodyAsUtf8(b, charset, truncated).toString('utf8');
    expect(utf8(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'iso-8859-1')).toBe('café');
    expect(utf8(Buffer.from([0x82, 0xa0]), 'shift_jis')).toBe('あ');
    expect(utf8(Buffer.from('café'), null)).toBe('café');
    expect(utf8(Buffer.from('café').subarray(0, 4), 'utf-8', true)).toBe('caf');
    expect(utf8(Buffer.from('€').subarray(0, 2), null, true)).toBe('');
    expect(utf8(Buffer.from('ok'), 'no-such-charset')).toBe('ok');
    // Invalid UTF-8 is replaced, never passed on: the record must be valid JSON text.
    expect(utf8(Buffer.from([0x61, 0xff, 0x62]), 'utf-8')).toBe('a\uFFFDb');
    // A cut inside the cap's last character is not "invalid": only the partial character goes.
    expect(utf8(Buffer.from('a€').subarray(0, 3), 'utf-8', true)).toBe('a');
  });

  test('UTF-8 and all-ASCII bodies are passed on as the same bytes, not copied', () => {
    const html = Buffer.from('<p>café</p>');
    expect(bodyAsUtf8(html, 'utf-8', false)).toBe(html);
    const ascii = Buffer.from('<p>plain</p>');
    expect(bodyAsUtf8(ascii, 'windows-1252', false)).toBe(ascii);
    expect(bodyAsUtf8(Buffer.from([0xe9]), 'windows-1252', false)).not.toBe(ascii);
  });

  test('kept headers are a fixed subset, values clipped', () => {
    expect(keptHeaders({ 'content-type': 'text/html', 'set-cookie': ['a=1'], etag: '"e"', link: 'x'.repeat(5000) })).toEqual({
      'content-type': 'text/html', etag: '"e"', link: 'x'.repeat(2048),
    });
  });
});
