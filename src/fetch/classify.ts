/**
 * Pure outcome classification: what one HTTP response or one request error means for the URL.
 * - 2xx → page; 301/302/303/307/308 with a Location → follow; 304 to a conditional request (a recrawl sent the
 *   previous fetch's validators) → not-modified; other 3xx → error (`redirect`);
 * - 429 and 5xx → retryable (`HTTP 503`), with Retry-After when given; 408 too (the server timed us out);
 * - other 4xx (and anything else) → error (`http-status`), never retried;
 * - request errors → retryable under a short name (`timeout`, `ECONNRESET`, ...), except the address guard's
 *   refusal, which is final (`blocked-address`).
 */
import { parseRetryAfter } from './retry-after.js';
import { BLOCKED_ADDRESS_CODE } from './guarded-lookup.js';

export type StatusVerdict =
  | { kind: 'page' }
  | { kind: 'not-modified' }
  | { kind: 'redirect'; location: string }
  | { kind: 'error'; reason: 'http-status' | 'redirect'; status: number; detail: string }
  | { kind: 'retryable'; status: number; error: string; retryAfterMs?: number };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function classifyStatus(status: number, headers: { location?: string; 'retry-after'?: string }, nowMs: number, conditional = false): StatusVerdict {
  if (status >= 200 && status < 300) return { kind: 'page' };
  // A 304 nobody asked for (no validators sent) says nothing about a page we have: it stays an error.
  if (status === 304 && conditional) return { kind: 'not-modified' };
  if (REDIRECTS.has(status)) {
    const location = headers.location?.trim();
    return location ? { kind: 'redirect', location } : { kind: 'error', reason: 'redirect', status, detail: `HTTP ${status} without a Location header` };
  }
  if (status === 429 || status === 408 || (status >= 500 && status < 600)) {
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(headers['retry-after'], nowMs) : undefined;
    return { kind: 'retryable', status, error: `HTTP ${status}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  return { kind: 'error', reason: 'http-status', status, detail: `HTTP ${status}` };
}

export type ErrorVerdict =
  | { kind: 'error'; reason: 'blocked-address'; detail: string }
  | { kind: 'retryable'; error: string };

/** A request error (got's RequestError, a system error, an abort) → final refusal or a retryable short name. */
export function classifyRequestError(err: unknown): ErrorVerdict {
  const chain = causes(err);
  const blocked = [...chain].reverse().find((e) => e.code === BLOCKED_ADDRESS_CODE);
  if (blocked) return { kind: 'error', reason: 'blocked-address', detail: blocked.message };
  for (const e of chain) {
    if (e.name === 'TimeoutError' || e.code === 'ETIMEDOUT') return { kind: 'retryable', error: 'timeout' };
    if (e.name === 'AbortError' || e.code === 'ABORT_ERR' || e.code === 'ERR_ABORTED') return { kind: 'retryable', error: 'aborted' };
  }
  // The most specific system code: got wraps the socket's error and copies its code.
  const code = [...chain].reverse().map((e) => e.code).find((c) => typeof c === 'string' && /^[A-Z][A-Z0-9_]+$/.test(c) && !c.startsWith('ERR_GOT'));
  if (code === 'ERR_STREAM_PREMATURE_CLOSE') return { kind: 'retryable', error: 'ECONNRESET' };
  if (code) return { kind: 'retryable', error: code };
  const message = chain[0]?.message ?? String(err);
  return { kind: 'retryable', error: message.length > 120 ? `${message.slice(0, 120)}…` : message };
}

interface ErrorLike {
  name?: string;
  code?: string;
  message: string;
  cause?: unknown;
}

function causes(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let e: unknown = err;
  while (e && typeof e === 'object' && out.length < 8) {
    out.push(e as ErrorLike);
    e = (e as ErrorLike).cause;
  }
  if (out.length === 0) out.push({ message: String(err) });
  return out;
}
