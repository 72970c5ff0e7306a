/**
 * What a fetch ends as. Five kinds, matching the worker's outcomes one to one:
 * - `page`: a 2xx response with an accepted content type → pages topic;
 * - `not-modified`: a 304 to a recrawl's conditional request → only a metric (the page is unchanged);
 * - `error`: a final failure, not retried → errors topic, `reason` saying which;
 * - `retryable`: worth trying again later → dlq topic, `retryAfterMs` when the server said when;
 * - `duplicate`: a redirect the caller's redirect check declined as already handled → only a metric.
 * Every result carries the URL asked for, the last URL reached and the time taken, so the worker maps a result
 * to records without knowing anything about HTTP.
 */

/**
 * Why a fetch failed for good:
 * - `http-status`: 4xx other than 429 (and 3xx without a usable Location is `redirect`);
 * - `blocked-address`: the address guard refused the address, first or after a redirect;
 * - `robots`: robots.txt disallows the path for our user agent;
 * - `redirect`: more than `maxRedirects` redirects, a redirect loop, or a Location that is not an http(s) URL;
 * - `unsupported-content`: a 2xx whose content type is not in `accept` (the body is not downloaded);
 * - `invalid-url`: the URL does not parse or is not http(s).
 */
export type FetchErrorReason = 'http-status' | 'blocked-address' | 'robots' | 'redirect' | 'unsupported-content' | 'invalid-url';

interface ResultBase {
  /** The URL given to `fetch`. */
  url: string;
  /** The last URL requested (after redirects); equals `url` when there was none. */
  finalUrl: string;
  /** Redirects followed. */
  redirects: number;
  /** Wall time of the whole fetch, robots.txt and redirects included. */
  elapsedMs: number;
  /** The host's robots.txt `Crawl-delay` for our user agent, when it sets one (capped by `maxCrawlDelayMs`). */
  crawlDelayMs?: number;
}

export interface PageResult extends ResultBase {
  kind: 'page';
  status: number;
  /** The Content-Type header as sent, or null. */
  contentType: string | null;
  /** A useful subset of the final response's headers (see KEPT_HEADERS), plus `location` of the last redirect. */
  headers: Record<string, string>;
  /**
   * The body as UTF-8 bytes (transcoded from the Content-Type charset, else taken as UTF-8), from at most
   * `maxPageBytes` received bytes. Bytes, not a string: a 1 MiB page then exists once on its way to Kafka.
   */
  body: Buffer;
  /** True when the body was longer than `maxPageBytes` and was cut there. */
  truncated: boolean;
  /** Decoded (decompressed) body bytes kept, at most `maxPageBytes`. */
  bytes: number;
}

export interface ErrorResult extends ResultBase {
  kind: 'error';
  reason: FetchErrorReason;
  /** The HTTP status that decided it, when a response decided it. */
  status: number | null;
  /** One line for people: `HTTP 404`, `127.0.0.1 is loopback ...`, `robots.txt disallows /private`. */
  detail: string;
}

export interface RetryableResult extends ResultBase {
  kind: 'retryable';
  status: number | null;
  /** Short and groupable: `HTTP 503`, `timeout`, `ECONNRESET`, `ENOTFOUND`, `robots.txt unavailable`. */
  error: string;
  /** When the server said when to come back (Retry-After on 429/503), in ms from now. */
  retryAfterMs?: number;
}

/**
 * A recrawl's conditional request (the previous fetch's validators sent) answered 304: the page is unchanged and
 * no body came. Not a page and not an error.
 */
export interface NotModifiedResult extends ResultBase {
  kind: 'not-modified';
  status: number;
  /** The kept headers of the 304 (a server may send a fresh ETag / Last-Modified with it). */
  headers: Record<string, string>;
}

/**
 * The caller's redirect check declined a redirect's target as already taken care of (a crawl fetches it under
 * its own URL, src/crawl/follow.ts): nothing was requested for it. Not a page and not an error.
 */
export interface DuplicateResult extends ResultBase {
  kind: 'duplicate';
  /** The redirect's status. */
  status: number;
  /** One line for people: where the redirect led and why that is not fetched here. */
  detail: string;
}

export type FetchResult = PageResult | NotModifiedResult | ErrorResult | RetryableResult | DuplicateResult;

/**
 * What a fetch's caller says of a redirect's target before anything is requested for it (its robots.txt
 * included): undefined = follow; `refuse` ends the fetch as an error `redirect` with this detail; `duplicate`
 * ends it as a DuplicateResult. The crawl keeps its redirects in scope and each URL fetched once this way; a
 * rejection ends the fetch as retryable.
 */
export type RedirectCheck = (target: URL) => Promise<{ kind: 'refuse' | 'duplicate'; detail: string } | undefined>;

/**
 * Politeness hooks for the requests of one fetch. The first request (robots.txt when it is not cached, else the
 * page) was admitted by the caller's scheduler; every further one — the page after a robots.txt fetch, each
 * redirect hop — waits for `beforeRequest`. `sent` is told when each request actually left (written to a
 * connected socket), so the caller can space the host's next request from that moment.
 */
export interface RequestHooks {
  beforeRequest?(url: URL): Promise<void>;
  sent?(url: URL, at: number): Promise<void> | void;
}

/** The requests made so far for one fetch (robots.txt included) and its hooks. */
export interface PolitenessContext {
  hooks?: RequestHooks;
  requests: number;
}

/**
 * What a fetch's caller (the worker, the politeness gate) needs to know about it: src/fetch's result without the fields only the fetcher's
 * callers use. pages ← `page`; errors ← `error` (4xx but 429, robots, refused address, redirect trouble,
 * unsupported content); dlq ← `retryable` (429, 5xx, timeouts, connection and DNS errors).
 */
export type FetchOutcome =
  | Omit<PageResult, 'url' | 'redirects' | 'crawlDelayMs'>
  | Omit<NotModifiedResult, 'url' | 'finalUrl' | 'redirects' | 'crawlDelayMs'>
  | Omit<ErrorResult, 'url' | 'finalUrl' | 'redirects' | 'crawlDelayMs'>
  | Omit<RetryableResult, 'url' | 'finalUrl' | 'redirects' | 'crawlDelayMs'>
  | Omit<DuplicateResult, 'url' | 'finalUrl' | 'redirects' | 'crawlDelayMs'>;
