/**
 * Recrawls (`--refetch-after`): the previous fetch's validators travel in the URL's envelope (the crawl store
 * hands them back when it claims the URL again, ./store.ts), so the worker's request is conditional without a
 * Redis lookup at fetch time. Pure: envelope ↔ validators.
 */
import type { Validators } from '../fetch/validators.js';
import type { CrawlFields, UrlEnvelope } from '../records/index.js';

/** The envelope builder's crawl fields for a URL claimed again with these validators. */
export function recrawlFields(v: Validators | undefined): Pick<CrawlFields, 'etag' | 'lastModified'> {
  return { ...(v?.etag ? { etag: v.etag } : {}), ...(v?.lastModified ? { lastModified: v.lastModified } : {}) };
}

/** The fetcher's `validators` option for an envelope: only a crawl URL's, and only when it carries some. */
export function envelopeValidators(e: UrlEnvelope): { validators?: Validators } {
  if (e.crawl_id === undefined || (e.etag === undefined && e.last_modified === undefined)) return {};
  return { validators: { ...(e.etag !== undefined ? { etag: e.etag } : {}), ...(e.last_modified !== undefined ? { lastModified: e.last_modified } : {}) } };
}

/** An envelope (already built) with the validators added in wire order (they are the last crawl fields). */
export function withValidators(e: UrlEnvelope, v: Validators | undefined): UrlEnvelope {
  if (!v || e.crawl_id === undefined) return e;
  return { ...e, ...(v.etag ? { etag: v.etag } : {}), ...(v.lastModified ? { last_modified: v.lastModified } : {}) };
}
