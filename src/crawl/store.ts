/**
 * The crawl's dedupe store: which URLs of a crawl were already queued (so each is produced at most once per
 * crawl, whichever worker finds it), with the crawl's caps, stop flag and stats beside it.
 *
 * - RedisCrawlStore (`--redis`): shared by every worker and `produce --crawl`. URLs are kept as 64-bit hashes
 *   bucketed into Redis hashes small enough to stay listpack-encoded (./url-hash.ts), one Lua call per page
 *   (./visit-script.ts). Every key of a crawl expires `ttlSec` after its last write, so abandoned crawls go away.
 * - MemoryCrawlStore (no `--redis`): the same rules inside one process; another worker does not see its claims.
 *
 * Key layout under `<prefix>kscrape:crawl:<id>:`: `s:<bucket>` claims, `v:<bucket>` validators of fetched pages
 * (only with --refetch-after, only for pages that sent an ETag or Last-Modified), `stats` counters, `hosts` per-host
 * queued counts (the per-host cap), `top` pages per host (top N, trimmed), `stop` the stop flag.
 */
import type { Redis } from 'ioredis';
import { DEFAULT_BUCKET_BITS, urlSlot } from './url-hash.js';
import { VISIT_SCRIPT } from './visit-script.js';
import { decodeValidators, encodeValidators, type Validators } from '../fetch/validators.js';

/** How a candidate link ended in the store. */
export type ClaimCode = 'seen' | 'new' | 'again' | 'host-cap' | 'crawl-cap';
const CODES: readonly ClaimCode[] = ['seen', 'new', 'again', 'host-cap', 'crawl-cap'];

export interface CrawlLimits {
  /** URLs queued per crawl at most (seeds included); 0 = no cap. */
  maxPages: number;
  /** URLs queued per host at most; 0 = no cap. */
  maxPagesPerHost: number;
  /** A URL queued this long ago (or fetched) may be queued again; 0 = never. */
  refetchAfterSec: number;
  /** Every key of a crawl expires this long after its last write. */
  ttlSec: number;
  /** Hosts kept in the top-hosts table. */
  topHosts: number;
}

export const CRAWL_STORE_DEFAULTS: CrawlLimits = { maxPages: 0, maxPagesPerHost: 0, refetchAfterSec: 0, ttlSec: 7 * 86_400, topHosts: 20 };

export interface Visit {
  crawlId: string;
  /** The page just fetched (marked as fetched now, counted in pages/depth/top hosts); absent for seeds. */
  page?: {
    url: string; host: string; depth: number;
    /** Its validators, kept for its next fetch when refetch-after is set: null = it sent none (forget the old). */
    validators?: Validators | null;
  };
  /** Token of the claimer (ownerToken of the page URL; 0 for produce). */
  owner: number;
  /** Links to claim, normalized, with their host key (the per-host cap's unit). */
  links: readonly { url: string; host: string }[];
  /** Links refused before the store (scope, depth, traps, nofollow), by reason: counted in the stats. */
  refused: Readonly<Record<string, number>>;
}

export interface VisitResult {
  stopped: boolean;
  /** One per link, in order. */
  codes: ClaimCode[];
  /** One per link: the validators of its previous fetch when it was claimed again (refetch due), else undefined. */
  validators: (Validators | undefined)[];
}

export interface CrawlStore {
  visit(v: Visit): Promise<VisitResult>;
  /** Whether `crawl stop` was given for the crawl. */
  isStopped(crawlId: string): Promise<boolean>;
  /** Adds to a crawl counter (`stopped`, `not-modified`, ...). */
  count(crawlId: string, counter: string, n: number): Promise<void>;
  /** Whether claims are shared between processes. */
  readonly shared: boolean;
}

export function crawlKeyPrefix(prefix: string, crawlId: string): string {
  return `${prefix}kscrape:crawl:${crawlId}:`;
}

export class RedisCrawlStore implements CrawlStore {
  readonly shared = true;
  private readonly redis: Redis & { kscrapeCrawlVisit(...args: (string | number)[]): Promise<(number | string)[]> };

  constructor(private readonly opts: { redis: Redis; keyPrefix: string; limits: CrawlLimits; bucketBits?: number }) {
    // defineCommand sends EVALSHA and falls back to EVAL once when the script is not cached (after a restart).
    if (!('kscrapeCrawlVisit' in opts.redis)) opts.redis.defineCommand('kscrapeCrawlVisit', { lua: VISIT_SCRIPT });
    this.redis = opts.redis as RedisCrawlStore['redis'];
  }

  private keys(crawlId: string): string {
    return crawlKeyPrefix(this.opts.keyPrefix, crawlId);
  }

  async visit(v: Visit): Promise<VisitResult> {
    const base = this.keys(v.crawlId);
    const bits = this.opts.bucketBits ?? DEFAULT_BUCKET_BITS;
    const { limits } = this.opts;
    const page = v.page ? urlSlot(v.page.url, bits) : undefined;
    const recrawls = limits.refetchAfterSec > 0;
    const keys = [
      `${base}stats`, `${base}hosts`, `${base}top`, `${base}stop`,
      page ? `${base}s:${page.bucket.toString(36)}` : `${base}stats`, page ? `${base}v:${page.bucket.toString(36)}` : `${base}stats`,
    ];
    const refused = Object.entries(v.refused).filter(([, n]) => n > 0);
    // Validators are worth keeping only when the URL will be fetched again.
    const pv = recrawls ? v.page?.validators : undefined;
    const args: (string | number)[] = [
      Math.floor(Date.now() / 1000), limits.ttlSec, limits.refetchAfterSec, limits.maxPages, limits.maxPagesPerHost, v.owner,
      page?.field ?? '', v.page?.host ?? '', v.page?.depth ?? 0, limits.topHosts,
      pv === undefined ? 0 : pv === null ? 2 : 1, pv ? encodeValidators(pv) : '',
      refused.length, ...refused.flat(),
    ];
    for (const link of v.links) {
      const slot = urlSlot(link.url, bits);
      keys.push(`${base}s:${slot.bucket.toString(36)}`);
      if (recrawls) keys.push(`${base}v:${slot.bucket.toString(36)}`);
      args.push(slot.field, link.host);
    }
    const reply = await this.redis.kscrapeCrawlVisit(keys.length, ...keys, ...args);
    const codes: ClaimCode[] = [];
    const validators: (Validators | undefined)[] = [];
    for (let i = 1; i < reply.length; i += 2) {
      codes.push(CODES[Number(reply[i])] ?? 'seen');
      validators.push(decodeValidators(reply[i + 1] as unknown as string));
    }
    return { stopped: reply[0] === 1, codes, validators };
  }

  async isStopped(crawlId: string): Promise<boolean> {
    return (await this.redis.exists(`${this.keys(crawlId)}stop`)) === 1;
  }

  async count(crawlId: string, counter: string, n: number): Promise<void> {
    const key = `${this.keys(crawlId)}stats`;
    await this.redis.multi().hincrby(key, counter, n).expire(key, this.opts.limits.ttlSec).exec();
  }
}

/** Per process: the same rules as the Redis store, for a single worker without --redis. */
export class MemoryCrawlStore implements CrawlStore {
  readonly shared = false;
  private readonly crawls = new Map<string, {
    claims: Map<string, { owner: number; at: number }>; validators: Map<string, string>; hosts: Map<string, number>; queued: number; counters: Map<string, number>;
  }>();

  constructor(private readonly limits: CrawlLimits) {}

  private crawl(id: string) {
    let c = this.crawls.get(id);
    if (!c) this.crawls.set(id, (c = { claims: new Map(), validators: new Map(), hosts: new Map(), queued: 0, counters: new Map() }));
    return c;
  }

  visit(v: Visit): Promise<VisitResult> {
    const c = this.crawl(v.crawlId);
    const now = Date.now() / 1000;
    const key = (url: string) => { const s = urlSlot(url); return `${s.bucket}:${s.field}`; };
    const add = (name: string, n: number) => c.counters.set(name, (c.counters.get(name) ?? 0) + n);
    if (v.page) {
      const k = key(v.page.url);
      c.claims.set(k, { owner: c.claims.get(k)?.owner ?? 0, at: now });
      const pv = this.limits.refetchAfterSec > 0 ? v.page.validators : undefined;
      if (pv === null) c.validators.delete(k);
      else if (pv) c.validators.set(k, encodeValidators(pv));
      add('pages', 1);
      add(`depth:${v.page.depth}`, 1);
    }
    for (const [reason, n] of Object.entries(v.refused)) add(`refused:${reason}`, n);
    const { maxPages, maxPagesPerHost, refetchAfterSec } = this.limits;
    const validators: (Validators | undefined)[] = [];
    const codes = v.links.map(({ url, host }): ClaimCode => {
      const k = key(url);
      const old = c.claims.get(k);
      let code: ClaimCode;
      if (old) {
        if (old.owner === v.owner) code = 'again';
        else if (refetchAfterSec > 0 && now - old.at >= refetchAfterSec) { c.claims.set(k, { owner: v.owner, at: now }); code = 'again'; } else code = 'seen';
      } else if (maxPages > 0 && c.queued >= maxPages) code = 'crawl-cap';
      else if (maxPagesPerHost > 0 && (c.hosts.get(host) ?? 0) >= maxPagesPerHost) code = 'host-cap';
      else {
        c.claims.set(k, { owner: v.owner, at: now });
        c.hosts.set(host, (c.hosts.get(host) ?? 0) + 1);
        c.queued++;
        code = 'new';
      }
      if (code === 'seen' || code === 'host-cap' || code === 'crawl-cap') add(`refused:${code}`, 1);
      validators.push(code === 'again' && refetchAfterSec > 0 ? decodeValidators(c.validators.get(k)) : undefined);
      return code;
    });
    return Promise.resolve({ stopped: false, codes, validators });
  }

  isStopped(): Promise<boolean> {
    return Promise.resolve(false);
  }

  count(crawlId: string, counter: string, n: number): Promise<void> {
    const c = this.crawl(crawlId);
    c.counters.set(counter, (c.counters.get(counter) ?? 0) + n);
    return Promise.resolve();
  }
}
