/**
 * Turns what happened to one URL into the records that say so: exactly one outcome record (pages, errors or
 * dlq) plus one metrics record; a recrawl's 304 (`not-modified`: the page is unchanged) and a crawl's redirect to
 * a URL the crawl already has (`duplicate`) have the metric only.
 * Pure: the worker decides, the sink delivers.
 */
import type { FetchOutcome } from '../fetch/types.js';
import { jsonWithStringField, type DlqRecord, type ErrorReason, type ErrorRecord, type MetricRecord, type Outcome, type PageRecord, type UrlEnvelope } from '../records/index.js';
import type { OutRecord } from './result-sink.js';


export interface OutcomeContext {
  topics: { pages: string; errors: string; dlq: string; metrics: string };
  worker: string;
  now: number;
}

/** With --follow, what the crawl step adds to a page: its crawl fields, and whether it asked not to be indexed. */
export interface PageCrawlFields {
  page: Pick<PageRecord, 'canonical' | 'crawl_id' | 'depth'>;
  noindex: boolean;
}

/** A fetch's outcome, or the error a worker rule (noindex) makes of it. */
type WorkerOutcome = FetchOutcome | (Omit<Extract<FetchOutcome, { kind: 'error' }>, 'reason'> & { reason: ErrorReason });

export function outcomeRecords(envelope: UrlEnvelope, fetched: FetchOutcome, ctx: OutcomeContext, crawl?: PageCrawlFields): OutRecord[] {
  const base = { worker: ctx.worker };
  let result: WorkerOutcome = fetched;
  // A page that asks not to be indexed (meta robots / X-Robots-Tag noindex) is not stored: an error of its own.
  if (fetched.kind === 'page' && crawl?.noindex) {
    result = { kind: 'error', reason: 'noindex', status: fetched.status, detail: 'the page asks not to be indexed (meta robots or X-Robots-Tag noindex)', elapsedMs: fetched.elapsedMs };
  }
  let outcome: Outcome;
  let main: OutRecord | undefined;
  let bytes = 0;
  let status: number | null;
  let reason: string | undefined;
  switch (result.kind) {
    case 'page': {
      const page: Omit<PageRecord, 'body'> = {
        url: envelope.url, final_url: result.finalUrl, status: result.status, content_type: result.contentType,
        headers: result.headers, truncated: result.truncated, bytes: result.bytes,
        fetched_at: ctx.now, elapsed_ms: result.elapsedMs, customer_id: envelope.customer_id, ...base,
        ...(crawl ? crawl.page : {}),
      };
      // The body goes from its bytes into the record's bytes, never kept as a decoded string (see json-bytes.ts).
      main = { topic: ctx.topics.pages, key: envelope.url, value: jsonWithStringField(page, 'body', result.body) };
      outcome = 'page';
      bytes = result.bytes;
      status = result.status;
      break;
    }
    case 'not-modified':
      // Not a page (nothing new to store) and not an error: only the metric says it was checked.
      outcome = 'not-modified';
      status = result.status;
      break;
    case 'duplicate':
      // The target is the crawl's under its own URL: a page record here would be that page twice.
      outcome = 'duplicate';
      status = result.status;
      reason = result.detail;
      break;
    case 'error': {
      const error: ErrorRecord = {
        url: envelope.url, reason: result.reason, status: result.status, detail: result.detail,
        original: envelope, failed_at: ctx.now, ...base,
      };
      main = { topic: ctx.topics.errors, key: envelope.url, value: JSON.stringify(error) };
      outcome = 'error';
      status = result.status;
      reason = result.reason;
      break;
    }
    case 'retryable': {
      const dlq: DlqRecord = {
        original: envelope, error: result.error, status: result.status, failed_at: ctx.now,
        attempts: envelope.attempt + 1, ...base,
        // The server's own "come back later" (429/503 Retry-After): dlq retry honours it beside the cool-down.
        ...(result.retryAfterMs ? { retry_after_at: ctx.now + result.retryAfterMs } : {}),
      };
      main = { topic: ctx.topics.dlq, key: envelope.url, value: JSON.stringify(dlq) };
      outcome = 'dlq';
      status = result.status;
      reason = result.error;
      break;
    }
  }
  const metric: MetricRecord = {
    url: envelope.url, host: envelope.host, status, outcome, ...(reason ? { reason } : {}),
    elapsed_ms: result.elapsedMs, bytes, ts: ctx.now, ...base,
  };
  const metricRecord: OutRecord = { topic: ctx.topics.metrics, key: envelope.host, value: JSON.stringify(metric) };
  return main ? [main, metricRecord] : [metricRecord];
}

/**
 * A URL of a stopped crawl (`crawl stop`), dropped unfetched: only a metric says so (a stop is the user's
 * decision, not an error; `crawl stats` counts them).
 */
export function stoppedRecords(envelope: UrlEnvelope, ctx: OutcomeContext): OutRecord[] {
  const metric: MetricRecord = {
    url: envelope.url, host: envelope.host, status: null, outcome: 'stopped', reason: 'crawl stopped', elapsed_ms: 0, bytes: 0, ts: ctx.now, worker: ctx.worker,
  };
  return [{ topic: ctx.topics.metrics, key: envelope.host, value: JSON.stringify(metric) }];
}

/** The records for a message that is not a usable URL envelope (poison): an error, and a metric. */
export function malformedRecords(raw: { key: string | null; value: string | null }, detail: string, ctx: OutcomeContext): OutRecord[] {
  const text = raw.value ?? '';
  const error: ErrorRecord = {
    url: null, reason: 'malformed', status: null, detail,
    // Keep enough of the bad value to debug it, never enough to blow the message size.
    original: text.length > 4096 ? `${text.slice(0, 4096)}…` : text,
    failed_at: ctx.now, worker: ctx.worker,
  };
  const metric: MetricRecord = {
    url: '', host: '', status: null, outcome: 'error', reason: 'malformed', elapsed_ms: 0, bytes: 0, ts: ctx.now, worker: ctx.worker,
  };
  return [
    { topic: ctx.topics.errors, key: raw.key ?? '', value: JSON.stringify(error) },
    { topic: ctx.topics.metrics, key: '', value: JSON.stringify(metric) },
  ];
}

/** A page record with its body cut to fit `limitBytes` (marked truncated), for the sink's size guard. */
export function shrinkPageRecord(record: OutRecord, limitBytes: number): OutRecord | undefined {
  let page: PageRecord;
  try {
    page = JSON.parse(record.value.toString()) as PageRecord;
  } catch {
    return undefined;
  }
  if (typeof page.body !== 'string' || page.body.length === 0) return undefined;
  const overhead = Buffer.byteLength(record.value) - Buffer.byteLength(JSON.stringify(page.body));
  // JSON escaping can double a character's size; halve the budget for the body to be safe.
  const budget = Math.max(0, Math.floor((limitBytes - overhead - 64) / 2));
  const body = truncateUtf8(page.body, budget);
  if (body.length >= page.body.length) return undefined;
  return { ...record, value: JSON.stringify({ ...page, body, truncated: true }) };
}

function truncateUtf8(text: string, maxBytes: number): string {
  const buf = Buffer.from(text);
  if (buf.length <= maxBytes) return text;
  // Cutting inside a multi-byte sequence leaves U+FFFD at the end; drop it.
  return buf.subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
}
