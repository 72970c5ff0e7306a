/**
 * The one builder of urls-topic envelopes. Whoever puts a URL on the urls topic (produce's input lines, `dlq
 * retry`'s re-emit, and later sitemaps and link discovery) builds it here, so a new envelope field is added in
 * one place (with ./types.ts, ./envelope-encoder.ts and ./decode.ts beside it). Pure: the caller passes the time.
 */
import { normalizeUrl, type UrlRejectReason } from './normalize-url.js';
import type { UrlEnvelope } from './types.js';

/** What a new envelope is made of; the URL is normalized here and the host derived from it. */
export interface UrlEnvelopeFields {
  url: string;
  customerId: string;
  priority: number;
  /** Epoch ms; a new URL passes the current time. */
  discoveredAt: number;
  /** 0 for a URL never tried yet. */
  attempt: number;
  /** The crawl fields (see UrlEnvelope); all absent for a plain URL. */
  crawl?: CrawlFields;
}

export interface CrawlFields {
  crawlId: string;
  depth: number;
  referrer?: string;
  seed?: string;
  /** The previous fetch's validators, on a recrawl (see UrlEnvelope.etag). */
  etag?: string;
  lastModified?: string;
}

export type BuiltEnvelope =
  | { ok: true; envelope: UrlEnvelope }
  | { ok: false; reason: UrlRejectReason; detail: string };

/** A new envelope for a URL, or why the URL is refused (see ./normalize-url.ts). Field checks are the caller's. */
export function buildUrlEnvelope(fields: UrlEnvelopeFields, maxUrlLength: number): BuiltEnvelope {
  const normalized = normalizeUrl(fields.url, { maxLength: maxUrlLength });
  if (!normalized.ok) return normalized;
  return {
    ok: true,
    // Field order is the wire order (EnvelopeEncoder writes the same bytes as JSON.stringify of this object).
    envelope: {
      url: normalized.url, host: normalized.host, customer_id: fields.customerId, priority: fields.priority,
      discovered_at: fields.discoveredAt, attempt: fields.attempt,
      ...(fields.crawl ? crawlFieldsOf(fields.crawl) : {}),
    },
  };
}

/**
 * The envelope for another try of one that failed: attempt + 1; URL, host, customer, priority and discovery time
 * kept as they were (not normalized again: the worker accepted them once).
 */
export function nextAttempt(failed: UrlEnvelope): UrlEnvelope {
  return { ...failed, attempt: failed.attempt + 1 };
}

/** The envelope's crawl fields in wire order; referrer, seed and validators only when known. */
function crawlFieldsOf(c: CrawlFields): Pick<UrlEnvelope, 'crawl_id' | 'depth' | 'referrer' | 'seed' | 'etag' | 'last_modified'> {
  return {
    crawl_id: c.crawlId, depth: c.depth,
    ...(c.referrer !== undefined ? { referrer: c.referrer } : {}),
    ...(c.seed !== undefined ? { seed: c.seed } : {}),
    ...(c.etag !== undefined ? { etag: c.etag } : {}),
    ...(c.lastModified !== undefined ? { last_modified: c.lastModified } : {}),
  };
}
