/**
 * The crawl step of `kscrape work --follow`: from one fetched page to the new URLs it queues. Parses HTML pages
 * (src/html/links.ts), drops what the crawl does not follow (nofollow, depth, traps, scope: each counted by
 * reason), claims the rest in the crawl store in one round trip and returns the claimed ones as urls-topic
 * records (the same envelope builder, encoder and partitioner as `produce`), plus the page record's crawl fields.
 *
 * A URL without a crawl id (plain `produce`) is taken as a seed of crawl 'default' at depth 0: a user who runs
 * `work --follow` expects the URLs they gave to be crawled from. Its fetch marks it discovered, so a page
 * linking back does not queue it again.
 *
 * Redirects (`checkRedirect`, asked by the fetcher before each hop is requested): a redirect's target is judged
 * like a link of the URL (traps, scope against its seed; not depth: a redirect is no hop away from the page) and
 * then claimed in the store with the URL's owner token, so a later link to it is `seen` and it is fetched once.
 * When the target is already claimed (another page linked to it, or another redirect led there first) the fetch
 * ends as `duplicate`: the target is, or will be, fetched under its own claim, and fetching it here too would
 * store the page and queue its links twice. A retry of the same URL (same owner) may follow its redirect again.
 */
import { parseHtml } from '../html/parse.js';
import { extractLinks } from '../html/links.js';
import { buildUrlEnvelope, EnvelopeEncoder, type UrlEnvelope } from '../records/index.js';
import type { Partitioner } from '../partition/partitioner.js';
import { CRAWL_DEFAULTS, type CrawlSettings } from './options.js';
import { scopeRefusal, type ScopeRules } from './scope.js';
import type { ClaimCode, CrawlStore } from './store.js';
import { trapReason } from './traps.js';
import { ownerToken } from './url-hash.js';
import { recrawlFields } from './recrawl.js';
import { validatorsOf } from '../fetch/validators.js';
import type { RedirectCheck } from '../fetch/types.js';
import { normalizeUrl } from '../records/normalize-url.js';

/** What the crawl step needs of a fetched page. */
export interface FetchedPage {
  finalUrl: string;
  contentType: string | null;
  headers: Record<string, string>;
  body: Buffer;
}

/** A urls-topic record for a discovered URL. */
export interface DiscoveredRecord {
  topic: string;
  partition: number;
  key: string;
  value: Buffer;
}

export interface FollowResult {
  /** Fields added to the page record. */
  page: { canonical: string | null; crawl_id: string; depth: number };
  /** The page asked not to be indexed (and that is respected): it ends as an error `noindex`, not a page. */
  noindex: boolean;
  records: DiscoveredRecord[];
  /** Links by what became of them: queued, seen, and each refusal reason. */
  counts: Record<string, number>;
}

export interface CrawlFollowerOptions {
  settings: CrawlSettings;
  store: CrawlStore;
  partition: Partitioner;
  /** The urls topic and its partition count (kept current by the caller). */
  urlsTopic: string;
  partitions(): number;
  now(): number;
}

const HTML = /^(text\/html|application\/xhtml\+xml)\b/i;

export function crawlOf(envelope: UrlEnvelope): { crawlId: string; depth: number; seed: string } {
  return { crawlId: envelope.crawl_id ?? CRAWL_DEFAULTS.defaultCrawlId, depth: envelope.depth ?? 0, seed: envelope.seed ?? envelope.url };
}

export class CrawlFollower {
  private readonly encoder = new EnvelopeEncoder();
  private readonly scope: ScopeRules;

  constructor(private readonly opts: CrawlFollowerOptions) {
    const s = opts.settings;
    this.scope = { mode: s.scope, include: s.include, exclude: s.exclude };
  }

  /** The fetcher's check of `envelope`'s redirects (see the header). */
  checkRedirect(envelope: UrlEnvelope): RedirectCheck {
    const { crawlId, seed } = crawlOf(envelope);
    const owner = ownerToken(envelope.url);
    const { store, settings } = this.opts;
    return async (target) => {
      const n = normalizeUrl(target.href, { maxLength: settings.traps.maxUrlLength });
      const refusal = n.ok ? trapReason(new URL(n.url), settings.traps) ?? scopeRefusal(new URL(n.url), new URL(seed), this.scope) : 'unusable';
      if (!n.ok || refusal) {
        // Counted like a link refused for the same reason (crawl stats: refused by reason).
        await store.visit({ crawlId, owner, links: [], refused: { [refusal ?? 'unusable']: 1 } });
        return { kind: 'refuse', detail: `redirect to ${target.href} not followed: ${refusal ?? 'unusable'} (crawl rules)` };
      }
      const visit = await store.visit({ crawlId, owner, links: [{ url: n.url, host: n.host }], refused: {} });
      const code: ClaimCode = visit.codes[0] ?? 'seen';
      if (code === 'new' || code === 'again') return undefined;
      if (code === 'seen') return { kind: 'duplicate', detail: `redirect to ${n.url}, which the crawl already has` };
      return { kind: 'refuse', detail: `redirect to ${n.url} not followed: ${code}` };
    };
  }

  async follow(envelope: UrlEnvelope, fetched: FetchedPage): Promise<FollowResult> {
    const { settings } = this.opts;
    const { crawlId, depth, seed } = crawlOf(envelope);
    const counts: Record<string, number> = {};
    const count = (k: string, n = 1) => { if (n > 0) counts[k] = (counts[k] ?? 0) + n; };
    const isHtml = fetched.contentType === null || HTML.test(fetched.contentType);
    const found = isHtml
      ? extractLinks(parseHtml(fetched.body.toString('utf8')), fetched.finalUrl, fetched.headers, { maxUrlLength: settings.traps.maxUrlLength, maxLinks: settings.maxLinksPerPage })
      : undefined;
    const robots = found && !settings.ignoreRobotsMeta
      ? { nofollow: found.meta.nofollow || found.header.nofollow, noindex: found.meta.noindex || found.header.noindex }
      : { nofollow: false, noindex: false };
    const candidates: string[] = [];
    if (found) {
      if (found.refused) count('unusable', found.refused);
      if (found.dropped) count('too-many-links', found.dropped);
      const links = settings.ignoreNofollow ? [...found.follow, ...found.nofollow] : found.follow;
      if (!settings.ignoreNofollow) count('nofollow', found.nofollow.length);
      if (robots.nofollow) count('nofollow', links.length);
      else candidates.push(...links);
    }
    const seedUrl = new URL(seed);
    const accepted: { url: string; host: string }[] = [];
    for (const link of candidates) {
      if (link === envelope.url || link === fetched.finalUrl) continue; // a page's link to itself
      if (depth + 1 > settings.maxDepth) { count('depth'); continue; }
      const url = new URL(link);
      const refusal = trapReason(url, settings.traps) ?? scopeRefusal(url, seedUrl, this.scope);
      if (refusal) { count(refusal); continue; }
      accepted.push({ url: link, host: url.host });
    }
    const refused = { ...counts };
    const visit = await this.opts.store.visit({
      crawlId, owner: ownerToken(envelope.url), links: accepted, refused,
      // Validators are the response's: after a redirect they describe the final URL, not this one.
      page: { url: envelope.url, host: envelope.host, depth, validators: fetched.finalUrl === envelope.url ? validatorsOf(fetched.headers) ?? null : null },
    });
    const records: DiscoveredRecord[] = [];
    accepted.forEach((link, i) => {
      const code: ClaimCode = visit.codes[i] ?? 'seen';
      if (visit.stopped) { count('stopped'); return; }
      if (code !== 'new' && code !== 'again') { count(code); return; }
      const built = buildUrlEnvelope({
        url: link.url, customerId: envelope.customer_id, priority: envelope.priority, discoveredAt: this.opts.now(), attempt: 0,
        crawl: { crawlId, depth: depth + 1, referrer: envelope.url, seed, ...recrawlFields(visit.validators[i]) },
      }, settings.traps.maxUrlLength);
      if (!built.ok) { count('unusable'); return; }
      const e = built.envelope;
      const partition = this.opts.partition({ host: e.host, url: e.url, customerId: e.customer_id }, this.opts.partitions());
      // The encoder's buffer is reused: each record keeps its own copy.
      records.push({ topic: this.opts.urlsTopic, partition, key: e.host, value: Buffer.from(this.encoder.encode(e)) });
      count('queued');
    });
    return { page: { canonical: found?.canonical ?? null, crawl_id: crawlId, depth }, noindex: robots.noindex, records, counts };
  }
}
