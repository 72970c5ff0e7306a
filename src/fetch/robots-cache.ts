/**
 * robots.txt per origin: fetched once, shared by concurrent callers, cached with a TTL in an LRU bounded
 * both by entries and by total text size. What a fetch of robots.txt means (RFC 9309 §2.3.1):
 * - 2xx → its rules (at most `robotsMaxBytes` of it is read and parsed);
 * - 4xx other than 429, or redirect trouble → "unavailable": everything allowed;
 * - 429, 5xx, timeouts, connection errors → "unreachable": RFC 9309 says assume complete disallow. We do not
 *   fetch the host's URLs meanwhile, but report them retryable (`robots.txt unavailable`), not forbidden, so
 *   a host's brief outage does not turn its URLs into permanent errors; the verdict is cached for
 *   `robotsErrorTtlMs`;
 * - the address guard refused robots.txt → its URLs are refused for the same reason.
 * Rules are matched with robots-parser (longest match, `*` and `$` as in RFC 9309) against our product token.
 */
import robotsParserModule from 'robots-parser';
import { politenessHost, politenessHostOf } from '../records/index.js';
import type { FetchResult, PolitenessContext } from './types.js';

// The package is CommonJS (`module.exports = fn`) while its typings declare a default export.
type ParseRobots = typeof robotsParserModule.default;
const robotsParser = ((robotsParserModule as unknown as { default?: ParseRobots }).default ?? robotsParserModule) as unknown as ParseRobots;
type Robot = ReturnType<ParseRobots>;

export type RobotsFile =
  | { kind: 'rules'; text: string }
  | { kind: 'allow-all'; detail: string }
  | { kind: 'unreachable'; detail: string }
  | { kind: 'blocked'; detail: string };

export type RobotsVerdict =
  | { allowed: true; crawlDelayMs?: number }
  | { allowed: false; why: 'disallowed' | 'unreachable' | 'blocked'; detail: string };

/** What the result of fetching `/robots.txt` means (pure). */
export function robotsFileOf(result: FetchResult): RobotsFile {
  if (result.kind === 'page') return { kind: 'rules', text: result.body.toString('utf8') };
  if (result.kind === 'retryable') return { kind: 'unreachable', detail: `robots.txt unavailable (${result.error})` };
  // Never asked conditionally, so never seen; allow-all like any other unusable answer.
  if (result.kind === 'not-modified') return { kind: 'allow-all', detail: 'robots.txt: HTTP 304' };
  // Never given a redirect check, so never seen either.
  if (result.kind === 'duplicate') return { kind: 'allow-all', detail: `robots.txt: ${result.detail}` };
  if (result.reason === 'blocked-address') return { kind: 'blocked', detail: result.detail };
  return { kind: 'allow-all', detail: `robots.txt: ${result.detail}` };
}

interface Entry {
  file: RobotsFile;
  robot: Robot | null;
  size: number;
  expiresAt: number;
}

export interface RobotsCacheOptions {
  /** Fetches `${origin}/robots.txt`; must not throw. `politeness` is that of the fetch that needs it. */
  fetchRobots(robotsUrl: string, politeness?: PolitenessContext): Promise<FetchResult>;
  userAgent: string;
  ttlMs: number;
  errorTtlMs: number;
  maxEntries: number;
  maxBytes: number;
  maxCrawlDelayMs: number;
  now?: () => number;
}

export class RobotsCache {
  private readonly entries = new Map<string, Entry>();
  /** The cached origins of each host name, so a bare host finds its robots.txt whatever the port. */
  private readonly originsByHost = new Map<string, Set<string>>();
  private readonly inflight = new Map<string, Promise<Entry>>();
  private bytes = 0;
  private readonly now: () => number;
  /** robots.txt fetches started (for tests and stats). */
  fetches = 0;

  constructor(private readonly opts: RobotsCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** May `url` be fetched? Waits for the origin's robots.txt when it is not cached (or stale). */
  async check(url: URL, signal?: AbortSignal, politeness?: PolitenessContext): Promise<RobotsVerdict> {
    const entry = await abortable(this.entryFor(url.origin, politeness), signal);
    return this.verdict(entry, url);
  }

  /** The `Sitemap:` URLs of `url`'s origin's robots.txt (fetched when not cached); [] without rules. */
  async sitemaps(url: URL, signal?: AbortSignal, politeness?: PolitenessContext): Promise<string[]> {
    const entry = await abortable(this.entryFor(url.origin, politeness), signal);
    return entry.robot ? entry.robot.getSitemaps() : [];
  }

  /** The cached Crawl-delay for a URL's origin or a bare host (https, then http), in ms. */
  crawlDelayMs(hostOrUrl: string): number | undefined {
    // A bare host (with or without a port, as envelopes carry it) covers every origin of that host name:
    // a site's robots.txt speaks for the site, whatever scheme or port a URL used.
    const origins = /^https?:\/\//i.test(hostOrUrl) ? [new URL(hostOrUrl).origin] : [...(this.originsByHost.get(hostNameOf(hostOrUrl)) ?? [])];
    let delay: number | undefined;
    for (const origin of origins) {
      const entry = this.entries.get(origin);
      const d = entry?.robot ? this.delayOf(entry.robot) : undefined;
      if (d !== undefined) delay = Math.max(delay ?? 0, d);
    }
    return delay;
  }

  get size(): number {
    return this.entries.size;
  }

  private verdict(entry: Entry, url: URL): RobotsVerdict {
    const { file, robot } = entry;
    if (file.kind === 'unreachable') return { allowed: false, why: 'unreachable', detail: file.detail };
    if (file.kind === 'blocked') return { allowed: false, why: 'blocked', detail: file.detail };
    if (!robot) return { allowed: true };
    const crawlDelayMs = this.delayOf(robot);
    const delay = crawlDelayMs === undefined ? {} : { crawlDelayMs };
    if (robot.isAllowed(url.href, this.opts.userAgent) === false) {
      const line = robot.getMatchingLineNumber(url.href, this.opts.userAgent);
      return { allowed: false, why: 'disallowed', detail: `robots.txt disallows ${url.pathname}${url.search}${line > 0 ? ` (line ${line})` : ''}`, ...delay } as RobotsVerdict;
    }
    return { allowed: true, ...delay };
  }

  private delayOf(robot: Robot): number | undefined {
    const seconds = robot.getCrawlDelay(this.opts.userAgent);
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return undefined;
    return Math.min(Math.round(seconds * 1000), this.opts.maxCrawlDelayMs);
  }

  private entryFor(origin: string, politeness?: PolitenessContext): Promise<Entry> {
    const cached = this.entries.get(origin);
    if (cached && cached.expiresAt > this.now()) {
      this.entries.delete(origin); // re-insert: most recently used last
      this.entries.set(origin, cached);
      return Promise.resolve(cached);
    }
    const running = this.inflight.get(origin);
    if (running) return running;
    this.fetches++;
    const p = this.opts.fetchRobots(`${origin}/robots.txt`, politeness).then((result) => {
      const entry = this.makeEntry(origin, robotsFileOf(result));
      this.store(origin, entry);
      return entry;
    }).finally(() => this.inflight.delete(origin));
    this.inflight.set(origin, p);
    return p;
  }

  private makeEntry(origin: string, file: RobotsFile): Entry {
    const ttl = file.kind === 'rules' || file.kind === 'allow-all' ? this.opts.ttlMs : this.opts.errorTtlMs;
    const robot = file.kind === 'rules' ? robotsParser(`${origin}/robots.txt`, file.text) : null;
    const size = (file.kind === 'rules' ? file.text.length : file.detail.length) + origin.length + 64;
    return { file, robot, size, expiresAt: this.now() + ttl };
  }

  private store(origin: string, entry: Entry): void {
    const old = this.entries.get(origin);
    if (old) {
      this.bytes -= old.size;
      this.entries.delete(origin);
    }
    this.entries.set(origin, entry);
    this.bytes += entry.size;
    const host = politenessHostOf(new URL(origin));
    let set = this.originsByHost.get(host);
    if (!set) this.originsByHost.set(host, (set = new Set()));
    set.add(origin);
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.opts.maxEntries && this.bytes <= this.opts.maxBytes) break;
      if (key === origin) continue;
      this.entries.delete(key);
      this.bytes -= e.size;
      const evictedHost = politenessHostOf(new URL(key));
      const origins = this.originsByHost.get(evictedHost);
      origins?.delete(key);
      if (origins && origins.size === 0) this.originsByHost.delete(evictedHost);
    }
  }
}

/** The promise, or a rejection with the signal's reason when the caller gives up first (the work goes on). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** `Shop.test:8080` and `[::1]:81` to the host name the cache is keyed by; an unparsable one matches nothing. */
function hostNameOf(host: string): string {
  return politenessHost(host) ?? '';
}
