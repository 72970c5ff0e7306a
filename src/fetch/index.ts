/**
 * # Fetching and safety (src/fetch)
 *
 * `createFetcher(options)` → `{ fetch(url, { signal }), fetchStream(url, read), robotsSitemaps(origin), crawlDelayMs(host),
 * stats(), close() }`. `fetchStream` is `fetch` for bodies read as they arrive (sitemaps): any media type, the
 * decompressed body handed to `read`, which keeps its own cap; `robotsSitemaps` gives robots.txt's `Sitemap:` lines. `fetch` never
 * throws; it resolves with a FetchResult (types.ts) the worker maps straight onto its topics:
 * - `page` (pages): 2xx with an accepted media type; `body` decoded text, `truncated`, `bytes`, a subset of headers
 *   (content-type/-length/-encoding/-language, last-modified, etag, cache-control, expires, x-robots-tag, link,
 *   and `location` of the last redirect);
 * - `error` (errors, never retried) with `reason`: `http-status` (4xx but 429, and 408), `blocked-address`,
 *   `robots`, `redirect` (more than `maxRedirects`, a loop, a non-http(s) Location, a 3xx without Location),
 *   `unsupported-content` (2xx of a type not in `accept`; the body is not downloaded), `invalid-url`;
 * - `retryable` (dlq): 429, 408, 5xx (`HTTP 503`), `timeout`, connection and DNS errors by code (`ECONNRESET`,
 *   `ECONNREFUSED`, `ENOTFOUND`, TLS codes), `aborted`, `robots.txt unavailable (...)`; `retryAfterMs` from
 *   Retry-After (seconds or HTTP date, capped at 24 h) on 429/503;
 * - `duplicate` (a metric only): the caller's `checkRedirect` (a crawl's) declined a redirect's target as already
 *   handled; `checkRedirect` may also refuse a target (an error `redirect`). It is asked before anything is
 *   requested for the target, its robots.txt included.
 * The mapping status/error → kind is pure (classify.ts).
 *
 * Safety. Every connection goes through a guarded DNS lookup (guarded-lookup.ts): addresses that are not public
 * unicast — loopback, RFC 1918, link-local incl. 169.254.169.254, CGNAT, unique-local, multicast, broadcast,
 * unspecified, reserved, and IPv6 forms embedding those (mapped, compatible, NAT64, 6to4) — are dropped before
 * the socket connects, so the checked address is the connected one. IP-literal hosts are checked before the
 * request. Redirects are followed one hop at a time (at most `maxRedirects`, default 5), each hop guarded and
 * checked against its origin's robots.txt. `allowPrivate` turns the guard off; `allowCidrs` allows exactly the
 * listed blocks. `resolve` pins names like curl's `--resolve host:port:addr`; pinned addresses are guarded too.
 *
 * Limits. `timeoutMs` (30 s) bounds the whole fetch, `connectTimeoutMs` (10 s) lookup + connect per hop.
 * Bodies are streamed and counted after decompression; at `maxPageBytes` (1 MiB) reading stops, the connection
 * is closed and the page is `truncated: true`, so neither a huge body nor a gzip bomb holds more than the cap
 * plus one chunk. Keep-alive agents are shared by all fetches. No retries inside: that is the dlq's job.
 *
 * robots.txt (robots-cache.ts). Fetched once per origin (concurrent callers share the fetch) through the same
 * guard and limits (512 KiB read), cached 1 h in an LRU bounded by entries (10 000) and bytes (64 MiB); parsed with
 * robots-parser (RFC 9309 `*`/`$`, longest match) against the user agent's product token. 4xx → allow all;
 * 429/5xx/unreachable → the host's URLs are retryable (`robots.txt unavailable`) for `robotsErrorTtlMs` (5 min),
 * RFC 9309's "complete disallow" without turning an outage into permanent errors. `Crawl-delay` is reported as
 * `crawlDelayMs` (capped at 60 s) on results and by `crawlDelayMs(host)`. robots.txt requests do not pass the
 * worker's rate limiter (one per origin per hour). `ignoreRobots` turns all this off.
 *
 * All options, with defaults: options.ts. Flags for `kscrape work`: flags.ts (`addFetchOptions`,
 * `fetcherOptionsFromFlags`).
 */
export { createFetcher, type Fetcher, type FetchOptions } from './fetcher.js';
export type { FetchResult, PageResult, NotModifiedResult, ErrorResult, RetryableResult, DuplicateResult, FetchErrorReason, RedirectCheck, RequestHooks } from './types.js';
export { conditionalHeaders, validatorsOf, type Validators } from './validators.js';
export { FETCHER_DEFAULTS, DEFAULT_USER_AGENT, resolveFetcherOptions, type FetcherOptions } from './options.js';
export { addFetchOptions, fetchOptions, fetcherOptionsFromFlags, type FetchFlags } from './flags.js';
export { classifyAddress, isAllowed, parseCidrs, type AddressClass, type AddressPolicy } from './address-guard.js';
export { classifyStatus, classifyRequestError } from './classify.js';
export { parseRetryAfter } from './retry-after.js';
