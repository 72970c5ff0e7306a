/**
 * The tolerant decoders, one per record kind kscrape consumes: bytes in (poison included: null, empty, not JSON,
 * wrong shape), a typed record or the reason it is malformed out. They never throw, so one bad message can
 * never stop a consumer; what to do with a malformed one (an errors record, a parked record) is the caller's.
 *
 * A field that is missing or of the wrong type gets a default rather than making the record malformed, as long
 * as the record can still be acted on (a URL to fetch, a failure time to cool down from). The defaults differ
 * between the two kinds for historical reasons and are kept as they were (see each decoder's table).
 */
import type { DlqRecord, PageRecord, UrlEnvelope } from './types.js';

export type DecodedEnvelope = { ok: true; envelope: UrlEnvelope } | { ok: false; malformed: string };
export type DecodedDlqRecord = { ok: true; record: DlqRecord } | { ok: false; malformed: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number';
// JSON.parse reads 1e999 as Infinity: the dlq decoder refuses it, the urls one (as it always did) does not.
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

interface EnvelopeDefaults {
  customer_id: string;
  /** The attempt to use given the record's `attempt` field (whatever it holds). */
  attempt: (field: unknown) => number;
  /** Which numbers `priority` and `discovered_at` accept (else 0). */
  isNumber: (v: unknown) => v is number;
}

/** JSON.parse that answers undefined for text that is not JSON. */
function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** The envelope's customer, priority, discovery time and attempt, each with its default when unusable. */
function envelopeOf(o: Json, url: string, host: string, defaults: EnvelopeDefaults): UrlEnvelope {
  const envelope: UrlEnvelope = {
    url,
    host,
    customer_id: typeof o.customer_id === 'string' ? o.customer_id : defaults.customer_id,
    priority: defaults.isNumber(o.priority) ? o.priority : 0,
    discovered_at: defaults.isNumber(o.discovered_at) ? o.discovered_at : 0,
    attempt: defaults.attempt(o.attempt),
  };
  // The crawl fields only with a crawl id; a depth that is not a whole number >= 0 is taken as 0 (a seed).
  if (typeof o.crawl_id === 'string' && o.crawl_id !== '') {
    envelope.crawl_id = o.crawl_id;
    envelope.depth = typeof o.depth === 'number' && Number.isInteger(o.depth) && o.depth >= 0 ? o.depth : 0;
    if (typeof o.referrer === 'string') envelope.referrer = o.referrer;
    if (typeof o.seed === 'string') envelope.seed = o.seed;
    if (typeof o.etag === 'string') envelope.etag = o.etag;
    if (typeof o.last_modified === 'string') envelope.last_modified = o.last_modified;
  }
  return envelope;
}

const URLS_TOPIC_DEFAULTS: EnvelopeDefaults = {
  customer_id: 'default',
  attempt: (n) => (typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 0),
  isNumber,
};

/**
 * A urls-topic message. Malformed: null or empty, not JSON, not an object, no non-empty `url` string, a `url`
 * that does not parse or is not http(s). Defaults: `host` ← the URL's host name (no port; a producer other
 * than kscrape's may leave it out), `customer_id` ← 'default', `priority` ← 0, `discovered_at` ← 0,
 * `attempt` ← 0 unless a whole number >= 0. Crawl fields: kept only with a non-empty `crawl_id` string;
 * `depth` ← 0 unless a whole number >= 0, `referrer`, `seed`, `etag` and `last_modified` kept when strings
 * (the fetcher sends validators only when they are bounded, printable header values).
 */
export function decodeUrlEnvelope(value: Buffer | string | null): DecodedEnvelope {
  if (value === null || value.length === 0) return { ok: false, malformed: 'empty message' };
  const parsed = parseJson(value.toString());
  if (!parsed) return { ok: false, malformed: 'not JSON' };
  const d = parsed.value;
  if (!isObject(d)) return { ok: false, malformed: 'not a JSON object' };
  if (typeof d.url !== 'string' || d.url === '') return { ok: false, malformed: 'no "url" string' };
  let url: URL;
  try {
    url = new URL(d.url);
  } catch {
    return { ok: false, malformed: 'url does not parse' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, malformed: `url scheme ${url.protocol} is not http(s)` };
  const host = typeof d.host === 'string' && d.host ? d.host : url.hostname;
  return { ok: true, envelope: envelopeOf(d, d.url, host, URLS_TOPIC_DEFAULTS) };
}

/**
 * A dlq-topic record. Malformed: null (a tombstone), not JSON, not an object, no `original` object with a
 * non-empty `url` and a string `host`, `failed_at` not a number, `attempts` not a whole number >= 1.
 * Defaults: `original.customer_id` ← '', `original.priority` ← 0, `original.discovered_at` ← 0,
 * `original.attempt` ← attempts - 1 unless a whole number, `error` ← its text (or ''), `status` ← null,
 * `worker` ← ''; `retry_after_at` ← absent unless a finite number.
 */
export function decodeDlqRecord(value: Buffer | string | null): DecodedDlqRecord {
  if (value === null) return { ok: false, malformed: 'empty value (tombstone)' };
  const json = parseJson(value.toString());
  if (!json) return { ok: false, malformed: 'value is not JSON' };
  const parsed = json.value;
  if (!isObject(parsed)) return { ok: false, malformed: 'value is not a JSON object' };
  const o = parsed.original;
  if (!isObject(o)) return { ok: false, malformed: 'no `original` URL envelope' };
  if (typeof o.url !== 'string' || typeof o.host !== 'string' || !o.url) return { ok: false, malformed: '`original` lacks url/host' };
  if (!isFiniteNumber(parsed.failed_at)) return { ok: false, malformed: '`failed_at` is not a number (epoch ms)' };
  const attempts = parsed.attempts;
  if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 1) return { ok: false, malformed: '`attempts` is not a whole number >= 1' };
  const attempt = (n: unknown) => (typeof n === 'number' && Number.isInteger(n) ? n : attempts - 1);
  return {
    ok: true,
    record: {
      original: envelopeOf(o, o.url, o.host, { customer_id: '', attempt, isNumber: isFiniteNumber }),
      error: typeof parsed.error === 'string' ? parsed.error : String(parsed.error ?? ''),
      status: isFiniteNumber(parsed.status) ? parsed.status : null,
      failed_at: parsed.failed_at,
      attempts,
      worker: typeof parsed.worker === 'string' ? parsed.worker : '',
      ...(isFiniteNumber(parsed.retry_after_at) ? { retry_after_at: parsed.retry_after_at } : {}),
    },
  };
}

export type DecodedPageRecord = { ok: true; page: PageRecord } | { ok: false; malformed: string };

/**
 * A pages-topic message (what `extract` consumes). Malformed: null or empty, not JSON, not an object, no
 * non-empty `url` string. Defaults: `final_url` ← url, `status` ← 0, `content_type` ← null, `headers` ← {},
 * `body` ← '' (an empty body is the extractor's to report), `truncated` ← false, `bytes` ← the body's length,
 * times ← 0, `customer_id` ← 'default', `worker` ← ''.
 */
export function decodePageRecord(value: string | null): DecodedPageRecord {
  if (value === null || value === '') return { ok: false, malformed: 'empty message' };
  const parsed = parseJson(value);
  if (!parsed) return { ok: false, malformed: 'not JSON' };
  const o = parsed.value;
  if (!isObject(o)) return { ok: false, malformed: 'not a JSON object' };
  if (typeof o.url !== 'string' || !o.url) return { ok: false, malformed: 'no url field' };
  const body = typeof o.body === 'string' ? o.body : '';
  const headers: Record<string, string> = {};
  if (isObject(o.headers)) for (const [k, v] of Object.entries(o.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
  return {
    ok: true,
    page: {
      url: o.url,
      final_url: typeof o.final_url === 'string' && o.final_url ? o.final_url : o.url,
      status: isFiniteNumber(o.status) ? o.status : 0,
      content_type: typeof o.content_type === 'string' ? o.content_type : null,
      headers, body,
      truncated: o.truncated === true,
      bytes: isFiniteNumber(o.bytes) ? o.bytes : body.length,
      fetched_at: isFiniteNumber(o.fetched_at) ? o.fetched_at : 0,
      elapsed_ms: isFiniteNumber(o.elapsed_ms) ? o.elapsed_ms : 0,
      customer_id: typeof o.customer_id === 'string' ? o.customer_id : 'default',
      worker: typeof o.worker === 'string' ? o.worker : '',
    },
  };
}
