/**
 * The --dedupe stage of produce: claims a batch of envelopes in Redis and keeps the fresh ones, and releases
 * the claims of URLs that end in the fallback file (so replaying it, even with --dedupe, does not skip them).
 * Redis trouble never loses a URL: the batch goes on without dedupe (a duplicate is better than a loss).
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { UrlEnvelope } from '../records/index.js';
import type { RedisDeduper } from './dedupe.js';
import type { ProduceStats } from './produce-stats.js';

/** Envelopes claimed per Redis round trip; also how many releases wait before they are sent. */
export const DEDUPE_BATCH = 1000;

export class DedupeClaims {
  // Claimed by this run: released again if they end in the fallback file.
  private readonly claimed = new WeakSet<UrlEnvelope>();
  private toRelease: string[] = [];
  private warned = false;

  constructor(private readonly opts: { deduper: RedisDeduper; logger: Logger; stats: ProduceStats }) {}

  /** The envelopes not produced within the TTL (each now claimed); duplicates are counted. */
  async fresh(envelopes: UrlEnvelope[]): Promise<UrlEnvelope[]> {
    if (envelopes.length === 0) return envelopes;
    let fresh: boolean[];
    try {
      fresh = await this.opts.deduper.claim(envelopes.map((e) => e.url));
    } catch (err) {
      if (!this.warned) this.opts.logger.warn(`--dedupe: Redis failed (${errorMessage(err)}); producing without dedupe until it answers`);
      this.warned = true;
      return envelopes;
    }
    const kept: UrlEnvelope[] = [];
    envelopes.forEach((e, i) => {
      if (fresh[i]) { this.claimed.add(e); kept.push(e); } else this.opts.stats.duplicates++;
    });
    return kept;
  }

  /** An envelope that was not sent: its claim, if this run made one, is released. */
  notSent(envelope: UrlEnvelope): void {
    if (this.claimed.has(envelope)) this.toRelease.push(envelope.url);
  }

  /**
   * A URL reported undelivered. Rebuilt from the report, so whether it was claimed is not known: releasing an
   * unclaimed one can only cost a later duplicate, keeping a claim would make a replay with --dedupe skip it.
   */
  undelivered(url: string): void {
    this.toRelease.push(url);
  }

  /** Releases now when a batch's worth is waiting. */
  async releaseIfMany(): Promise<void> {
    if (this.toRelease.length >= DEDUPE_BATCH) await this.release();
  }

  async release(): Promise<void> {
    const urls = this.toRelease.splice(0);
    await this.opts.deduper.release(urls).catch((err) => this.opts.logger.warn(`--dedupe: could not release ${urls.length} claims: ${errorMessage(err)}`));
  }
}
