/**
 * `produce --crawl ID` with Redis: seeds count as discovered. Each batch of seeds is claimed in the crawl's
 * dedupe store (src/crawl/store.ts) as produce's (owner 0), so no page of the crawl queues them again; a seed
 * the crawl already queued from a page is skipped (counted as a duplicate). Produce's own claims are its to
 * repeat: replaying a fallback file, or seeding a periodic crawl again, produces them again.
 * A seed claimed again because its refetch is due (`--refetch-after`) carries the validators of its previous
 * fetch, so the worker asks conditionally.
 * Redis trouble never loses a seed: the batch goes on unclaimed (a page may then queue it once more).
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { UrlEnvelope } from '../records/index.js';
import type { CrawlStore, VisitResult } from '../crawl/store.js';
import { withValidators } from '../crawl/recrawl.js';
import type { ProduceStats } from './produce-stats.js';

export class SeedClaims {
  private warned = false;

  constructor(private readonly opts: { store: CrawlStore; crawlId: string; logger: Logger; stats: Pick<ProduceStats, 'duplicates'> }) {}

  async fresh(envelopes: UrlEnvelope[]): Promise<UrlEnvelope[]> {
    const seeds = envelopes.filter((e) => e.crawl_id === this.opts.crawlId);
    if (seeds.length === 0) return envelopes;
    let visit: VisitResult;
    try {
      visit = await this.opts.store.visit({ crawlId: this.opts.crawlId, owner: 0, links: seeds.map((e) => ({ url: e.url, host: e.host })), refused: {} });
    } catch (err) {
      if (!this.warned) this.opts.logger.warn(`--crawl: Redis failed (${errorMessage(err)}); seeds are produced without being marked discovered`);
      this.warned = true;
      return envelopes;
    }
    const skipped = new Set(seeds.filter((_, i) => visit.codes[i] === 'seen'));
    this.opts.stats.duplicates += skipped.size;
    const recrawled = new Map(seeds.flatMap((e, i) => (visit.validators[i] ? [[e, withValidators(e, visit.validators[i])] as const] : [])));
    if (skipped.size === 0 && recrawled.size === 0) return envelopes;
    return envelopes.filter((e) => !skipped.has(e)).map((e) => recrawled.get(e) ?? e);
  }
}
