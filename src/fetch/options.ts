/**
 * The fetcher's options, documented and defaulted in one place. `--help` (flags.ts) and the README repeat
 * these defaults from here.
 */
import { UserError } from '../errors.js';
import { packageVersion } from '../version.js';
import { parseCidrs, type AddressPolicy } from './address-guard.js';
import { DEFAULT_ACCEPT } from './content.js';
import { parseResolvePins, type ResolvePin } from './resolve-pins.js';

export const DEFAULT_USER_AGENT = `kscrape/${packageVersion()} (+https://github.com/kscrape/kscrape)`;

export interface FetcherOptions {
  /**
   * Sent as User-Agent with every request, robots.txt included. robots.txt groups are matched against its
   * first word (the product token, `kscrape`).
   * @default DEFAULT_USER_AGENT
   */
  userAgent: string;
  /** Limit for a whole fetch: every redirect hop and the body included (robots.txt has its own). @default 30000 */
  timeoutMs: number;
  /** Limit for name lookup plus TCP (and TLS) connect, per hop. @default 10000 */
  connectTimeoutMs: number;
  /**
   * Most body bytes kept, counted after decompression so a compression bomb stops here too. Longer bodies
   * are cut and marked `truncated`; reading stops at the cap (the connection is closed).
   * @default 1048576 (1 MiB)
   */
  maxPageBytes: number;
  /** Redirects followed; one more is an error (`redirect`). Every hop passes the address guard and robots.txt. @default 5 */
  maxRedirects: number;
  /**
   * Media types fetched (`text/html`, `text/*`, `*` for all); a 2xx of another type ends as an error
   * (`unsupported-content`) without downloading its body. A response without Content-Type is accepted.
   * @default ['text/html', 'application/xhtml+xml', 'text/plain', 'application/xml', 'text/xml', 'application/json']
   */
  accept: readonly string[];
  /** curl-style pins, `host:port:address[,address]` (port may be `*`); pinned addresses are still guarded. @default [] */
  resolve: readonly string[];
  /** Turns the address guard off: loopback, private and metadata addresses become reachable. @default false */
  allowPrivate: boolean;
  /** Non-public CIDR blocks allowed anyway, e.g. `10.20.0.0/16` for an intranet crawl. @default [] */
  allowCidrs: readonly string[];
  /** Skip robots.txt entirely (only for sites you own or may crawl regardless). @default false */
  ignoreRobots: boolean;
  /** How long a fetched robots.txt (or a 4xx for it) is trusted. @default 3600000 (1 h) */
  robotsTtlMs: number;
  /** How long an unreachable robots.txt (5xx, 429, timeout) keeps its host's URLs retryable without a new try. @default 300000 (5 min) */
  robotsErrorTtlMs: number;
  /** Most robots.txt bytes read (RFC 9309 asks for at least 500 KiB); the rest is ignored. @default 524288 (512 KiB) */
  robotsMaxBytes: number;
  /** robots.txt files cached (least recently used leave first). @default 10000 */
  robotsCacheEntries: number;
  /** Total robots.txt text cached, in bytes, so the cache is bounded whatever the files' sizes. @default 67108864 (64 MiB) */
  robotsCacheBytes: number;
  /** Crawl-delay values above this are reported as this. @default 60000 */
  maxCrawlDelayMs: number;
}

export const FETCHER_DEFAULTS: Readonly<FetcherOptions> = Object.freeze({
  userAgent: DEFAULT_USER_AGENT,
  timeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  maxPageBytes: 1024 * 1024,
  maxRedirects: 5,
  accept: DEFAULT_ACCEPT,
  resolve: [],
  allowPrivate: false,
  allowCidrs: [],
  ignoreRobots: false,
  robotsTtlMs: 3_600_000,
  robotsErrorTtlMs: 300_000,
  robotsMaxBytes: 512 * 1024,
  robotsCacheEntries: 10_000,
  robotsCacheBytes: 64 * 1024 * 1024,
  maxCrawlDelayMs: 60_000,
});

/** Options with defaults filled in and their text forms parsed, ready for the fetcher. */
export interface ResolvedFetcherOptions extends FetcherOptions {
  policy: AddressPolicy;
  pins: ResolvePin[];
}

const POSITIVE: (keyof FetcherOptions)[] = [
  'timeoutMs', 'connectTimeoutMs', 'maxPageBytes', 'robotsTtlMs', 'robotsErrorTtlMs', 'robotsMaxBytes',
  'robotsCacheEntries', 'robotsCacheBytes',
];

/** Fills in defaults and validates; a bad value throws a UserError that names the option. */
export function resolveFetcherOptions(partial: Partial<FetcherOptions> = {}): ResolvedFetcherOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<FetcherOptions>;
  const o: FetcherOptions = { ...FETCHER_DEFAULTS, ...defined };
  for (const key of POSITIVE) {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new UserError(`fetch option ${key}: ${String(v)} must be a positive number`, 'config.bad-fetch-option');
  }
  if (!Number.isInteger(o.maxRedirects) || o.maxRedirects < 0) throw new UserError(`fetch option maxRedirects: ${o.maxRedirects} must be a whole number >= 0`, 'config.bad-fetch-option');
  if (!Number.isFinite(o.maxCrawlDelayMs) || o.maxCrawlDelayMs < 0) throw new UserError(`fetch option maxCrawlDelayMs: ${o.maxCrawlDelayMs} must be >= 0`, 'config.bad-fetch-option');
  if (!o.userAgent.trim() || /[\r\n]/.test(o.userAgent)) throw new UserError('fetch option userAgent: must be one non-empty line', 'config.bad-fetch-option');
  if (o.accept.length === 0) throw new UserError('fetch option accept: give at least one media type (or * for all)', 'config.bad-fetch-option');
  return {
    ...o,
    policy: { allowPrivate: o.allowPrivate, allowCidrs: parseCidrs(o.allowCidrs) },
    pins: parseResolvePins(o.resolve),
  };
}
