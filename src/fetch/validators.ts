/**
 * HTTP validators of a previous fetch (ETag, Last-Modified) and the conditional request headers made from them,
 * for recrawls: a server that has not changed the page answers 304 and sends no body. Pure.
 * Validators are bounded (an ETag over MAX_ETAG_LENGTH or a date over MAX_DATE_LENGTH is not kept): they live per
 * URL in the crawl store and ride in the urls-topic envelope, so a hostile server must not make either grow.
 */

export interface Validators {
  /** The ETag as sent (quotes and W/ included): sent back as If-None-Match. */
  etag?: string;
  /** The Last-Modified date as sent: sent back as If-Modified-Since. */
  lastModified?: string;
}

export const MAX_ETAG_LENGTH = 256;
export const MAX_DATE_LENGTH = 64;

/** A header value a request may carry: printable ASCII, no CR/LF. */
const SAFE = /^[\x20-\x7e]+$/;

function usable(value: string | undefined, max: number): string | undefined {
  const v = value?.trim();
  return v && v.length <= max && SAFE.test(v) ? v : undefined;
}

/** The validators of a response (lowercase header names), or undefined when it has none worth keeping. */
export function validatorsOf(headers: Readonly<Record<string, string | undefined>>): Validators | undefined {
  const etag = usable(headers.etag, MAX_ETAG_LENGTH);
  const lastModified = usable(headers['last-modified'], MAX_DATE_LENGTH);
  if (!etag && !lastModified) return undefined;
  return { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
}

/** The conditional request headers for `v` ({} when none): If-None-Match wins at the server when both are sent. */
export function conditionalHeaders(v: Validators | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const etag = usable(v?.etag, MAX_ETAG_LENGTH);
  const lastModified = usable(v?.lastModified, MAX_DATE_LENGTH);
  if (etag) out['if-none-match'] = etag;
  if (lastModified) out['if-modified-since'] = lastModified;
  return out;
}

/** One string for storage: `etag \n last-modified` (either may be empty; neither contains a newline). */
export function encodeValidators(v: Validators): string {
  return `${v.etag ?? ''}\n${v.lastModified ?? ''}`;
}

export function decodeValidators(text: string | null | undefined): Validators | undefined {
  if (!text) return undefined;
  const i = text.indexOf('\n');
  if (i < 0) return undefined;
  return validatorsOf({ etag: text.slice(0, i), 'last-modified': text.slice(i + 1) });
}
