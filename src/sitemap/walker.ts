/**
 * Walks sitemaps: site roots to their robots.txt `Sitemap:` lines (else /sitemap.xml), indexes to their children
 * (breadth first, to the depth cap), urlsets and text files to page URLs, which are filtered, normalized as
 * `produce` normalizes them and handed to `emit`. One sitemap at a time, each fetch admitted by the caller's
 * politeness (`admit`), so an index of 10 000 children on one host is read at that host's pace. A sitemap that
 * cannot be fetched or parsed is reported and skipped; only the total URL cap or the signal ends a walk early.
 */
import type { Fetcher, RequestHooks } from '../fetch/index.js';
import type { Logger } from '../log.js';
import { normalizeUrl, politenessHost } from '../records/index.js';
import { readSitemapBody } from './body.js';
import { classifyTarget, olderThan, onAllowedHost, passesPatterns } from './filters.js';
import type { SitemapSettings } from './options.js';
import { SitemapParser } from './parser.js';
import type { SitemapStats } from './stats.js';
import type { SitemapChildEntry, SitemapUrlEntry } from './types.js';

/** A page URL on its way out. */
export interface EmittedUrl {
  url: string;
  lastmod?: string;
  changefreq?: string;
  priority?: string;
  /** The sitemap it was listed in. */
  sitemap: string;
}

export interface WalkDeps {
  fetcher: Pick<Fetcher, 'fetchStream' | 'robotsSitemaps'>;
  /**
   * Politeness for one fetch: resolves when its first request may leave, and returns the hooks for the ones after
   * it (robots.txt, redirects).
   */
  admit(url: URL, signal: AbortSignal): Promise<RequestHooks>;
  emit(entry: EmittedUrl): Promise<void>;
  stats: SitemapStats;
  logger: Logger;
  signal: AbortSignal;
}

interface Queued {
  url: string;
  depth: number;
  /** Hosts whose URLs this sitemap may list (its own, plus the robots.txt host that named it). */
  hosts: ReadonlySet<string>;
}

export async function walkSitemaps(targets: readonly string[], settings: SitemapSettings, deps: WalkDeps): Promise<void> {
  const { stats, logger, signal } = deps;
  const queue: Queued[] = [];
  const seen = new Set<string>();
  const enqueue = (item: Queued): void => {
    if (seen.has(item.url)) { stats.skipSitemap('duplicate'); return; }
    if (item.depth > settings.maxDepth) { stats.skipSitemap('depth-cap'); logger.warn(`sitemap ${item.url}: nested deeper than --max-depth ${settings.maxDepth}, skipped`); return; }
    if (seen.size >= settings.maxSitemaps) { stats.skipSitemap('sitemap-cap'); return; }
    seen.add(item.url);
    queue.push(item);
  };
  for (const text of targets) {
    const target = classifyTarget(text);
    if (target.kind === 'sitemap') {
      enqueue({ url: target.url.href, depth: 0, hosts: new Set([target.url.hostname]) });
      continue;
    }
    for (const url of await discover(target.url, deps)) enqueue({ url, depth: 0, hosts: new Set([target.url.hostname, politenessHost(url) ?? '']) });
  }
  for (let item = queue.shift(); item && !signal.aborted && !stats.stoppedBy; item = queue.shift()) {
    await readOne(item, settings, deps, enqueue);
  }
  if (signal.aborted && !stats.stoppedBy) stats.stoppedBy = 'aborted';
}

/** A site's sitemaps: its robots.txt `Sitemap:` lines, else /sitemap.xml. */
async function discover(site: URL, deps: WalkDeps): Promise<string[]> {
  const hooks = await admitted(deps, new URL('/robots.txt', site));
  if (!hooks) return [];
  const listed = await deps.fetcher.robotsSitemaps(site.origin, { signal: deps.signal, hooks });
  const valid = listed.filter((u) => /^https?:\/\//i.test(u));
  deps.logger.debug(`${site.origin}: ${valid.length ? `robots.txt lists ${valid.length} sitemaps` : 'no Sitemap: lines in robots.txt, trying /sitemap.xml'}`);
  return valid.length ? valid : [new URL('/sitemap.xml', site).href];
}

async function readOne(item: Queued, settings: SitemapSettings, deps: WalkDeps, enqueue: (q: Queued) => void): Promise<void> {
  const { stats, logger } = deps;
  const pending: ({ url: SitemapUrlEntry } | { child: SitemapChildEntry })[] = [];
  let entries = 0;
  const count = () => ++entries <= settings.maxFileUrls;
  const parser = new SitemapParser({
    url: (e) => { if (count()) pending.push({ url: e }); },
    child: (e) => { if (count()) pending.push({ child: e }); },
  });
  const drain = async () => {
    for (let p = pending.shift(); p; p = pending.shift()) {
      if (stats.stoppedBy) { pending.length = 0; return; }
      if ('child' in p) child(p.child);
      else await page(p.url);
    }
  };
  const child = (e: SitemapChildEntry) => {
    if (olderThan(e.lastmod, settings.sinceMs)) { stats.skipSitemap('older-than-since'); return; }
    const n = normalizeUrl(e.loc);
    if (!n.ok) { stats.skipSitemap('parse'); logger.warn(`sitemap ${item.url}: child '${e.loc.slice(0, 200)}' is not a URL (${n.detail})`); return; }
    // A child of a sitemap robots.txt named may list that host's URLs too.
    enqueue({ url: n.url, depth: item.depth + 1, hosts: new Set([...(item.hosts.size > 1 ? item.hosts : []), politenessHost(n.url) ?? '']) });
  };
  const page = async (e: SitemapUrlEntry) => {
    const n = normalizeUrl(e.loc, { maxLength: settings.maxUrlLength });
    if (!n.ok) return stats.skipUrl('invalid-url');
    if (!onAllowedHost(n.url, item.hosts)) return stats.skipUrl('cross-host');
    if (olderThan(e.lastmod, settings.sinceMs)) return stats.skipUrl('older-than-since');
    if (!passesPatterns(n.url, settings.include, settings.exclude)) return stats.skipUrl('excluded');
    if (stats.urls >= settings.maxUrls) { stats.skipUrl('total-cap'); stats.stoppedBy = 'total-cap'; return; }
    stats.urls++;
    await deps.emit({ url: n.url, ...pick(e), sitemap: item.url });
  };

  let outcome: Awaited<ReturnType<typeof readSitemapBody>> | undefined;
  const hooks = await admitted(deps, new URL(item.url));
  if (!hooks) return;
  const result = await deps.fetcher.fetchStream(item.url, async (body) => {
    outcome = await readSitemapBody(body, parser, {
      maxBytes: settings.maxFileBytes, drain, stopped: () => entries > settings.maxFileUrls || stats.stoppedBy !== undefined || deps.signal.aborted,
    });
  }, { signal: deps.signal, hooks });
  const failed = (reason: 'fetch' | 'parse' | 'size-cap', detail: string) => {
    stats.skipSitemap(reason);
    if (item.depth === 0) stats.rootFailures++;
    logger.warn(`sitemap ${item.url}: ${detail}; skipped${reason === 'size-cap' ? ' the rest' : ''}`);
  };
  if (result.kind !== 'page') return failed('fetch', result.kind === 'error' ? result.detail : result.kind === 'retryable' ? result.error : `HTTP ${result.status}`);
  stats.bytes += outcome?.bytes ?? 0;
  const stop = outcome?.stop;
  if (stop?.reason === 'parse') return failed('parse', stop.detail);
  stats.sitemapsRead++;
  if (parser.kind === 'sitemapindex') stats.indexesRead++;
  if (stop?.reason === 'size-cap') failed('size-cap', stop.detail);
  if (entries > settings.maxFileUrls) {
    stats.skipSitemap('url-cap');
    logger.warn(`sitemap ${item.url}: more than ${settings.maxFileUrls} entries (--max-file-urls); the rest is skipped`);
  }
}

/** The politeness hooks once the request may leave, or undefined when the walk was stopped while waiting. */
async function admitted(deps: WalkDeps, url: URL): Promise<RequestHooks | undefined> {
  try {
    return await deps.admit(url, deps.signal);
  } catch (err) {
    if (deps.signal.aborted) return undefined;
    throw err;
  }
}

function pick(e: SitemapUrlEntry): Omit<EmittedUrl, 'url' | 'sitemap'> {
  return { ...(e.lastmod ? { lastmod: e.lastmod } : {}), ...(e.changefreq ? { changefreq: e.changefreq } : {}), ...(e.priority ? { priority: e.priority } : {}) };
}
