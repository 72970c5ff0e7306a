/**
 * The fetcher: robots.txt check, guarded hops, redirects followed one by one, outcome classification.
 * `fetch` never throws; every failure is a FetchResult (see types.ts).
 */
import type { Readable } from 'node:stream';
import { errorMessage } from '../errors.js';
import { classifyRequestError, classifyStatus } from './classify.js';
import { acceptHeader, bodyAsUtf8, isHtmlType, keptHeaders, parseContentType, sniffHtmlCharset } from './content.js';
import { createHttpClient, type HopResponse } from './http-client.js';
import { resolveFetcherOptions, type FetcherOptions } from './options.js';
import { nextHop, wireForm } from './redirects.js';
import { RobotsCache } from './robots-cache.js';
import type { FetchResult, PolitenessContext, RedirectCheck, RequestHooks } from './types.js';
import { conditionalHeaders, type Validators } from './validators.js';

export interface Fetcher {
  /** Fetches one URL; resolves with its outcome, never rejects. `signal` aborts it (result: retryable `aborted`). */
  fetch(url: string, opts?: FetchOptions): Promise<FetchResult>;
  /**
   * The robots.txt Crawl-delay (ms, capped) cached for a host or a URL's origin, so the worker can raise the
   * host's interval. Undefined when not cached or not set. Results also carry it as `crawlDelayMs`.
   */
  crawlDelayMs(hostOrUrl: string): number | undefined;
  /**
   * Like `fetch`, but a 2xx's decompressed body is streamed to `read` (any media type) instead of collected, so
   * a body far larger than `maxPageBytes` (a sitemap) costs only what `read` keeps; `read` applies its own cap
   * and stops reading there (the connection is then closed). The page result has an empty `body`. A stream
   * error while `read` runs (a reset, the timeout) makes the result retryable.
   */
  fetchStream(url: string, read: (body: Readable) => Promise<void>, opts?: { signal?: AbortSignal; hooks?: RequestHooks }): Promise<FetchResult>;
  /**
   * The `Sitemap:` lines of an origin's robots.txt (fetched through the cache, as a page fetch would), or []
   * when it has none, is unreachable, or robots.txt is ignored.
   */
  robotsSitemaps(origin: string, opts?: { signal?: AbortSignal; hooks?: RequestHooks }): Promise<string[]>;
  /** Counters for stats and tests. */
  stats(): { socketsCreated: number; robotsFetches: number; robotsCached: number };
  /** Closes idle keep-alive connections. In-flight fetches fail. */
  close(): void;
}

export interface FetchOptions {
  signal?: AbortSignal;
  hooks?: RequestHooks;
  validators?: Validators;
  /** Asked about each redirect's target before anything is requested for it (see RedirectCheck). */
  checkRedirect?: RedirectCheck;
}

interface Mode {
  maxBytes: number;
  /** null: any media type (robots.txt). */
  accept: readonly string[] | null;
  checkRobots: boolean;
  signal?: AbortSignal;
  /** Shared by the page fetch and the robots.txt fetch it triggers: counts the requests made for it. */
  politeness: PolitenessContext;
  /** Streaming mode (see Fetcher.fetchStream). */
  consume?: (body: Readable) => Promise<void>;
  /** Conditional request headers for the URL asked for (not for robots.txt, not for a redirect's target). */
  conditional?: Record<string, string>;
  checkRedirect?: RedirectCheck;
}

/** A result before the fields every result shares are filled in. */
type Distribute<T> = T extends unknown ? Omit<T, 'url' | 'finalUrl' | 'redirects' | 'elapsedMs'> : never;
type Verdict = Distribute<FetchResult>;

/** A 2xx answer: the page, or unsupported-content when its type is not accepted. */
function pageVerdict(res: HopResponse, lastLocation: string | undefined): Verdict {
  if (!res.accepted) {
    const mime = parseContentType(res.contentType ?? undefined).mime;
    return { kind: 'error', reason: 'unsupported-content', status: res.status, detail: `content type ${mime} is not accepted (see --accept)` };
  }
  const headers = keptHeaders(res.headers);
  if (lastLocation !== undefined) headers.location = lastLocation;
  const body = bodyAsUtf8(res.body ?? Buffer.alloc(0), declaredCharset(res.contentType, res.body), res.truncated);
  return { kind: 'page', status: res.status, contentType: res.contentType, headers, body, truncated: res.truncated, bytes: res.bytes };
}

/** The body's charset: the Content-Type header's, else (HTML only) the page's own meta declaration. */
function declaredCharset(contentType: string | null | undefined, body: Buffer | null | undefined): string | null {
  const { mime, charset } = parseContentType(contentType ?? undefined);
  if (charset) return charset;
  return isHtmlType(mime) && body ? sniffHtmlCharset(body) : null;
}

export function createFetcher(options: Partial<FetcherOptions> = {}): Fetcher {
  const o = resolveFetcherOptions(options);
  const http = createHttpClient({
    userAgent: o.userAgent, acceptHeader: acceptHeader(o.accept), connectTimeoutMs: o.connectTimeoutMs, policy: o.policy, pins: o.pins,
  });
  const robots = o.ignoreRobots
    ? null
    : new RobotsCache({
        // A robots.txt fetch counts as a request of the fetch that needed it (the first to ask, when shared).
        fetchRobots: (robotsUrl, politeness) => follow(robotsUrl, {
          maxBytes: o.robotsMaxBytes, accept: null, checkRobots: false, politeness: politeness ?? { requests: 0 },
        }),
        userAgent: o.userAgent, ttlMs: o.robotsTtlMs, errorTtlMs: o.robotsErrorTtlMs, maxEntries: o.robotsCacheEntries,
        maxBytes: o.robotsCacheBytes, maxCrawlDelayMs: o.maxCrawlDelayMs,
      });

  async function follow(input: string, mode: Mode): Promise<FetchResult> {
    const started = Date.now();
    const deadlineAt = started + o.timeoutMs;
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      return { kind: 'error', reason: 'invalid-url', status: null, detail: 'the URL does not parse', url: input, finalUrl: input, redirects: 0, elapsedMs: 0 };
    }
    let redirects = 0;
    let crawlDelayMs: number | undefined;
    let lastLocation: string | undefined;
    const visited = new Set<string>();
    // Validators belong to the URL asked for: a redirect's target is fetched unconditionally.
    let conditional = mode.conditional && Object.keys(mode.conditional).length ? mode.conditional : undefined;
    const done = (r: Verdict): FetchResult => ({
      ...r, url: input, finalUrl: url.href, redirects, elapsedMs: Date.now() - started,
      ...(crawlDelayMs === undefined ? {} : { crawlDelayMs }),
    }) as FetchResult;

    for (;;) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        return done({ kind: 'error', reason: 'invalid-url', status: null, detail: `${url.protocol} URLs are not fetched (only http and https)` });
      }
      visited.add(wireForm(url));
      if (robots && mode.checkRobots) {
        const stop = await robotsStop(url, mode.signal, mode.politeness, (ms) => { if (redirects === 0) crawlDelayMs = ms; });
        if (stop) return done(stop);
      }
      if (Date.now() >= deadlineAt) return done({ kind: 'retryable', status: null, error: 'timeout' });
      let res: HopResponse;
      try {
        const { hooks } = mode.politeness;
        if (mode.politeness.requests++ > 0) await hooks?.beforeRequest?.(url);
        res = await http.hop({
          url, deadlineAt, maxBytes: mode.maxBytes, accept: mode.accept, ...(mode.signal ? { signal: mode.signal } : {}), ...(mode.consume ? { consume: mode.consume } : {}),
          ...(conditional ? { headers: conditional } : {}),
        });
        await hooks?.sent?.(url, res.sentAt);
      } catch (err) {
        const v = classifyRequestError(err);
        return done(v.kind === 'error' ? { ...v, status: null } : { kind: 'retryable', status: null, error: v.error });
      }
      const header = (name: string) => {
        const v = res.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const verdict = classifyStatus(res.status, { location: header('location'), 'retry-after': header('retry-after') }, Date.now(), conditional !== undefined);
      switch (verdict.kind) {
        case 'page':
          return done(pageVerdict(res, lastLocation));
        case 'not-modified':
          return done({ kind: 'not-modified', status: res.status, headers: keptHeaders(res.headers) });
        case 'redirect': {
          const next = nextHop(url, verdict.location, visited, redirects, o.maxRedirects);
          if (next.kind === 'error') return done({ kind: 'error', reason: 'redirect', status: res.status, detail: next.detail });
          if (mode.checkRedirect) {
            // Before the target's robots.txt too: a refused target's host hears nothing from us.
            let check;
            try {
              check = await mode.checkRedirect(next.url);
            } catch (err) {
              return done({ kind: 'retryable', status: null, error: `redirect check: ${errorMessage(err)}` });
            }
            if (check?.kind === 'refuse') return done({ kind: 'error', reason: 'redirect', status: res.status, detail: check.detail });
            if (check?.kind === 'duplicate') return done({ kind: 'duplicate', status: res.status, detail: check.detail });
          }
          url = next.url;
          redirects++;
          conditional = undefined;
          lastLocation = verdict.location;
          continue;
        }
        case 'error':
          return done({ kind: 'error', reason: verdict.reason, status: verdict.status, detail: verdict.detail });
        case 'retryable':
          return done({ ...verdict });
      }
    }
  }

  /** The result that stops a fetch because of robots.txt, or undefined to go on. */
  async function robotsStop(url: URL, signal: AbortSignal | undefined, politeness: PolitenessContext, onDelay: (ms: number) => void): Promise<Verdict | undefined> {
    let verdict;
    try {
      verdict = await robots!.check(url, signal, politeness);
    } catch (err) {
      const v = classifyRequestError(err);
      return { kind: 'retryable', status: null, error: v.kind === 'retryable' ? v.error : v.detail };
    }
    if ('crawlDelayMs' in verdict && verdict.crawlDelayMs !== undefined) onDelay(verdict.crawlDelayMs);
    if (verdict.allowed) return undefined;
    if (verdict.why === 'disallowed') return { kind: 'error', reason: 'robots', status: null, detail: verdict.detail };
    if (verdict.why === 'blocked') return { kind: 'error', reason: 'blocked-address', status: null, detail: verdict.detail };
    return { kind: 'retryable', status: null, error: verdict.detail };
  }

  const pageMode = (opts: FetchOptions): Mode => ({
    maxBytes: o.maxPageBytes, accept: o.accept, checkRobots: true, politeness: { ...(opts.hooks ? { hooks: opts.hooks } : {}), requests: 0 },
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.checkRedirect ? { checkRedirect: opts.checkRedirect } : {}),
    ...(opts.validators ? { conditional: conditionalHeaders(opts.validators) } : {}),
  });

  return {
    fetch: (url, opts = {}) => follow(url, pageMode(opts)),
    fetchStream: (url, read, opts = {}) => follow(url, { ...pageMode(opts), accept: null, consume: read }),
    robotsSitemaps: async (origin, opts = {}) => {
      if (!robots) return [];
      return robots.sitemaps(new URL(origin), opts.signal, { ...(opts.hooks ? { hooks: opts.hooks } : {}), requests: 0 }).catch(() => []);
    },
    crawlDelayMs: (hostOrUrl) => robots?.crawlDelayMs(hostOrUrl),
    stats: () => ({ socketsCreated: http.socketsCreated, robotsFetches: robots?.fetches ?? 0, robotsCached: robots?.size ?? 0 }),
    close: () => http.close(),
  };
}
